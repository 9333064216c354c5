import type { ChatCompletionRequest } from "../openai/chat-request";

/** The complexity router's rules (a tenant's `routing.complexity`). */
export type ComplexityRules = {
  /** The cheaper model simple prompts go to (any name a client could call). */
  simpleModel: string;
  /** Most characters of message text (all roles) a simple prompt has. @default 400 */
  maxChars?: number;
  /** Most user/assistant messages a simple conversation has. @default 4 */
  maxTurns?: number;
};

/** The explicit override (`x-edgeway-route: simple|complex`); it beats every rule. */
export type ComplexityOverride = "simple" | "complex";

/** Why a request counts as complex (the first rule it breaks), or `simple`. */
export type Complexity = "simple" | "tools" | "media" | "code" | "length" | "turns";

export const DEFAULT_MAX_CHARS = 400;
export const DEFAULT_MAX_TURNS = 4;

/** What the router reads of a request: a chat request fits. */
export type RoutableRequest = Pick<ChatCompletionRequest, "model" | "messages" | "tools"> & { functions?: unknown };

/**
 * Tokens only code has. Deliberately narrow: English words that are also keywords ("return",
 * "class", "import") do not count on their own, so a customer asking to return an order stays simple.
 */
const CODE_PATTERNS: readonly RegExp[] = [
  /```/,
  /\bfunction\s*\w*\s*\([^)]*\)\s*\{/,
  /\bdef\s+\w+\s*\(.*\)\s*:/,
  /\bclass\s+\w+\s*(\(.*\))?\s*[:{]/,
  /^\s*(import\s+[\w{}*,\s]+\s+from\s+['"]|from\s+[\w.]+\s+import\s+\w|#include\s*<)/m,
  /\b(const|let|var)\s+\w+\s*=/,
  /=>|===|!==|&&|\|\||\w::\w/,
  /\b(console\.log|System\.out\.print\w*|printf?|fmt\.Print\w*)\(/,
  /\bSELECT\s+[\w*,\s]+\s+FROM\s+\w/i,
  /<\/?[a-z][\w-]*(\s[^<>]*)?>/i,
  /;\s*$/m,
];

const textOf = (content: RoutableRequest["messages"][number]["content"]): { text: string; media: boolean } => {
  if (typeof content === "string") return { text: content, media: false };
  if (!content) return { text: "", media: false };
  let text = "";
  let media = false;
  for (const part of content) {
    if (part.type === "text" && typeof part.text === "string") text += part.text;
    else media = true;
  }
  return { text, media };
};

/**
 * Classifies a request by the first rule it breaks: tools (tool definitions, legacy functions,
 * tool calls or results in the history), media (any non-text content part), code (```, or a token
 * in CODE_PATTERNS), length (more than `maxChars` of message text, system messages included),
 * turns (more than `maxTurns` user/assistant messages); else `simple`.
 * @example classifyComplexity({ model: "m", messages: [{ role: "user", content: "hi" }] }) // "simple"
 */
export function classifyComplexity(body: RoutableRequest, limits: { maxChars?: number; maxTurns?: number } = {}): Complexity {
  if ((body.tools?.length ?? 0) > 0 || body.functions !== undefined) return "tools";
  let chars = 0;
  let turns = 0;
  let code = false;
  for (const m of body.messages) {
    if (m.role === "tool" || m.role === "function" || (m.tool_calls?.length ?? 0) > 0) return "tools";
    const { text, media } = textOf(m.content);
    if (media) return "media";
    code ||= CODE_PATTERNS.some((p) => p.test(text));
    chars += text.length;
    if (m.role === "user" || m.role === "assistant") turns++;
  }
  if (code) return "code";
  if (chars > (limits.maxChars ?? DEFAULT_MAX_CHARS)) return "length";
  if (turns > (limits.maxTurns ?? DEFAULT_MAX_TURNS)) return "turns";
  return "simple";
}

/**
 * The cheaper model for a simple prompt, or null to keep the requested one. The override wins:
 * `simple` always routes, `complex` never does. `reason` is `override` or `simple`, for the usage
 * event's `routed_by` (e.g. `${reason}→${model}`). Null too when the request already names the
 * simple model.
 * @example routeByComplexity(body, { simpleModel: "mock-small" }, req.header("x-edgeway-route"))
 */
export function routeByComplexity(
  body: RoutableRequest,
  rules: ComplexityRules,
  override?: ComplexityOverride | null,
): { model: string; reason: "override" | "simple" } | null {
  if (override === "complex" || body.model === rules.simpleModel) return null;
  if (override === "simple") return { model: rules.simpleModel, reason: "override" };
  return classifyComplexity(body, rules) === "simple" ? { model: rules.simpleModel, reason: "simple" } : null;
}

/** Parses the `x-edgeway-route` header: `simple`, `complex`, or null (absent or anything else). */
export const complexityOverride = (header: string | null | undefined): ComplexityOverride | null => {
  const v = header?.trim().toLowerCase();
  return v === "simple" || v === "complex" ? v : null;
};
