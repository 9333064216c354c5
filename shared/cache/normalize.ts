import type { ChatCompletionRequest } from "../openai/chat-request";

/**
 * Top-level request fields that never change the answer: transport (`stream`, `stream_options`),
 * identity and bookkeeping (`user`, `metadata`, `store`, `safety_identifier`), and hints that only
 * affect latency or routing (`service_tier`, `prompt_cache_key`). Everything else, including vendor
 * fields the gateway does not know, stays in the cache key: an unknown field might change the answer.
 */
export const ANSWER_NEUTRAL_FIELDS = [
  "stream",
  "stream_options",
  "user",
  "metadata",
  "store",
  "service_tier",
  "prompt_cache_key",
  "safety_identifier",
] as const;

const NEUTRAL = new Set<string>(ANSWER_NEUTRAL_FIELDS);

/**
 * The request reduced to what determines the answer, in a canonical shape: answer-neutral fields
 * dropped, `null` fields treated as absent, `n: 1` as absent, a `stop` string as a one-element list,
 * and a message whose content is a single text part as plain string content. Key order is not
 * canonicalised here (see {@link canonicalJson}).
 * @example canonicalRequest({ model: "m", messages, stream: true, user: "u" }) // → { model: "m", messages }
 */
export function canonicalRequest(request: ChatCompletionRequest): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(request)) {
    if (NEUTRAL.has(key) || value === null || value === undefined) continue;
    if (key === "n" && value === 1) continue;
    if (key === "stop" && typeof value === "string") out.stop = [value];
    else if (key === "messages") out.messages = request.messages.map(canonicalMessage);
    else out[key] = value;
  }
  return out;
}

function canonicalMessage(message: ChatCompletionRequest["messages"][number]): unknown {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(message)) {
    if (value === null || value === undefined) continue;
    out[key] = value;
  }
  const content = message.content;
  if (Array.isArray(content) && content.length === 1) {
    const [part] = content;
    if (part && part.type === "text" && typeof part.text === "string" && Object.keys(part).length === 2) out.content = part.text;
  }
  return out;
}

/**
 * Deterministic JSON: object keys sorted (by code unit) at every depth, arrays in order, `undefined`
 * dropped. Two values that are equal as JSON data give the same string whatever their key order.
 * @example canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] }) // '{"a":[{"c":3,"d":2}],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? "null" : canonicalJson(v))).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined && typeof v !== "function")
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}
