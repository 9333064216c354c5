import { sha256Hex } from "../crypto/digest";
import type { ChatCompletionRequest } from "../openai/chat-request";
import { canonicalJson, canonicalRequest } from "./normalize";

/** Tenant cache modes: `off`; `deterministic` (temperature 0 or a seed set; the default); `all`. */
export const CACHE_MODES = ["off", "deterministic", "all"] as const;
export type CacheMode = (typeof CACHE_MODES)[number];

/** Prefix of exact-cache keys in Redis (the deployment's `REDIS_KEY_PREFIX` goes in front of it). */
export const EXACT_KEY_PREFIX = "cache:";

/** Semantic cache: at most this many user turns in the conversation, the last one included. */
export const SEMANTIC_MAX_USER_TURNS = 3;
/** Semantic cache: a last user turn longer than this is not embedded (embedders truncate; verification gets weak). */
export const SEMANTIC_MAX_TEXT_CHARS = 2000;

/** Why a request gets no semantic lookup (see {@link semanticSkipReason}). */
export const SEMANTIC_SKIPS = [
  "n",
  "logprobs",
  "tool-messages",
  "not-user-text",
  "non-text-part",
  "long-conversation",
  "text-length",
] as const;
export type SemanticSkip = (typeof SEMANTIC_SKIPS)[number];

/** The semantic cache's view of a request: what must match exactly, and the text to embed. */
export type SemanticScope = {
  /** SHA-256 hex of tenant, variant and the canonical request minus the last user turn's text. */
  scopeHash: string;
  /** The last user turn's text (text parts joined by a newline). */
  lastUserText: string;
};

/** Hash input with its domain, so an exact key and a scope hash can never coincide. */
const hashInput = (domain: string, tenantId: string, variant: string | null, body: unknown) =>
  canonicalJson([domain, tenantId, variant ?? "", body]);

/**
 * SHA-256 hex of tenant + variant + the canonical request (see `canonicalRequest`). The tenant is
 * inside the hash input as well as in the key, so no two tenants can ever share an entry.
 * `variant` is everything resolved before the lookup that changes the answer but is not in the body:
 * the resolved model version and the A/B variant (e.g. `"gpt-4o-mini@2024-07-18|B"`), or null.
 * @example const id = await exactHash(tenantId, variant, body); // also the semantic entry id
 */
export function exactHash(tenantId: string, variant: string | null, request: ChatCompletionRequest): Promise<string> {
  return sha256Hex(hashInput("edgeway/exact/v1", tenantId, variant, canonicalRequest(request)));
}

/**
 * The exact-cache Redis key: `cache:<tenantId>:<exactHash>` (prefix it with `REDIS_KEY_PREFIX`).
 * @example await redis.get(env.REDIS_KEY_PREFIX + (await exactKey(tenant.id, variant, body)))
 */
export async function exactKey(tenantId: string, variant: string | null, request: ChatCompletionRequest): Promise<string> {
  return `${EXACT_KEY_PREFIX}${tenantId}:${await exactHash(tenantId, variant, request)}`;
}

/** The entry id (the hash) of an exact-cache key built by {@link exactKey}. */
export const entryIdOf = (key: string): string => key.slice(key.lastIndexOf(":") + 1);

/**
 * Whether a tenant's mode lets this request use the cache at all (read or write).
 * `deterministic` needs `temperature: 0` or a `seed`: without either, a repeat is meant to differ.
 * @example if (cacheable(tenant.cache.mode, body)) lookup…
 */
export function cacheable(mode: CacheMode, request: Pick<ChatCompletionRequest, "temperature" | "seed">): boolean {
  if (mode === "off") return false;
  if (mode === "all") return true;
  return request.temperature === 0 || (request.seed !== undefined && request.seed !== null);
}

type Message = ChatCompletionRequest["messages"][number];

const isToolMessage = (m: Message) =>
  m.role === "tool" || m.role === "function" || (m.tool_calls?.length ?? 0) > 0 || m.function_call !== undefined;

const hasNonTextPart = (m: Message) => Array.isArray(m.content) && m.content.some((p) => p.type !== "text");

function userText(m: Message): string | null {
  if (typeof m.content === "string") return m.content;
  if (!Array.isArray(m.content)) return null;
  return m.content.map((p) => (typeof p.text === "string" ? p.text : "")).join("\n");
}

/**
 * Why the semantic cache must not serve this request, or null when it may. Skipped: several
 * choices (`n > 1`), logprobs (they belong to the exact prompt), tool calls or tool results anywhere,
 * a last message that is not a user text, any non-text part (images, audio, files), more than
 * {@link SEMANTIC_MAX_USER_TURNS} user turns, and an empty or over-long last user text.
 */
export function semanticSkipReason(request: ChatCompletionRequest): SemanticSkip | null {
  const { messages } = request;
  if ((request.n ?? 1) > 1) return "n";
  if (request.logprobs === true) return "logprobs";
  if (messages.some(isToolMessage)) return "tool-messages";
  const last = messages[messages.length - 1];
  if (last?.role !== "user") return "not-user-text";
  if (messages.some(hasNonTextPart)) return "non-text-part";
  if (messages.filter((m) => m.role === "user").length > SEMANTIC_MAX_USER_TURNS) return "long-conversation";
  const text = userText(last);
  if (text === null || text.trim() === "") return "not-user-text";
  if (text.length > SEMANTIC_MAX_TEXT_CHARS) return "text-length";
  return null;
}

/**
 * The semantic cache key material, or null when a skip rule applies (see {@link semanticSkipReason}).
 * The scope hash covers tenant, variant, model, every parameter, system prompt, earlier turns, tools
 * and the last turn's role/name/shape: only the last user turn's text is left to the embedding.
 * @example const scope = await semanticScope(tenant.id, variant, body); if (scope) lookup(index, { ...scope })
 */
export async function semanticScope(
  tenantId: string,
  variant: string | null,
  request: ChatCompletionRequest,
): Promise<SemanticScope | null> {
  if (semanticSkipReason(request)) return null;
  const canonical = canonicalRequest(request);
  const messages = canonical.messages as Record<string, unknown>[];
  const last = messages[messages.length - 1] as Record<string, unknown>;
  const lastMessage = request.messages[request.messages.length - 1] as Message;
  const shape = Array.isArray(last.content) ? `parts:${last.content.length}` : "text";
  const scoped = { ...canonical, messages: [...messages.slice(0, -1), { ...last, content: { "edgeway:last-user-text": shape } }] };
  const scopeHash = await sha256Hex(hashInput("edgeway/scope/v1", tenantId, variant, scoped));
  return { scopeHash, lastUserText: userText(lastMessage) ?? "" };
}
