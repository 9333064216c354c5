import { openAIError } from "../openai-compatible/errors";
import type { UpstreamError } from "../types";

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;

/** A category verdict (`{filtered: true}`) or a blocklist verdict (list, or `{details: [...]}`) that blocked. */
function blocked(verdict: unknown): boolean {
  if (Array.isArray(verdict)) return verdict.some(blocked);
  if (!isRecord(verdict)) return false;
  return verdict.filtered === true || (Array.isArray(verdict.details) && verdict.details.some(blocked));
}

/**
 * The names of the filters that blocked, from `innererror.content_filter_result`
 * (`{hate: {filtered, severity}, jailbreak: {filtered, detected}, custom_blocklists: …}`).
 */
function blockedBy(innererror: Record<string, unknown>): string[] {
  const result = innererror.content_filter_result;
  return isRecord(result) ? Object.keys(result).filter((name) => blocked(result[name])) : [];
}

/**
 * An Azure OpenAI error → UpstreamError. Azure's errors are OpenAI-shaped, so OpenAI's classifier
 * applies (`retry-after-ms`/`retry-after` included); a prompt refused by Azure's content filter
 * (400, `code: "content_filter"`, `innererror.code: "ResponsibleAIPolicyViolation"`) is
 * content_policy, its message naming the filters that fired (from `innererror`).
 * @example azure.error(400, await res.json(), res.headers) // { kind: "content_policy", … }
 */
export function azureError(status: number, body: unknown, headers: Headers): UpstreamError {
  const base = openAIError(status, body, headers);
  const error = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  const inner = error && isRecord(error.innererror) ? error.innererror : undefined;
  const filtered = error?.code === "content_filter" || inner?.code === "ResponsibleAIPolicyViolation";
  if (!filtered) return base;
  const message = typeof inner?.message === "string" && inner.message ? inner.message : base.message;
  const names = inner ? blockedBy(inner) : [];
  return { ...base, kind: "content_policy", message: names.length ? `${message} (filtered: ${names.join(", ")})` : message };
}
