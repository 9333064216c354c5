/**
 * OpenAI chat/embeddings wire types: the gateway's canonical format. Every adapter maps its
 * provider to and from these.
 */

export type Role = "system" | "developer" | "user" | "assistant" | "tool" | "function";

export type TextPart = { type: "text"; text: string };
export type ImagePart = { type: "image_url"; image_url: { url: string; detail?: "auto" | "low" | "high" } };
export type ContentPart = TextPart | ImagePart | { type: string; [k: string]: unknown };

export type ToolCall = { id: string; type: "function"; function: { name: string; arguments: string } };

export type ChatMessage = {
  role: Role;
  content?: string | ContentPart[] | null;
  name?: string;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
  refusal?: string | null;
  [k: string]: unknown;
};

export type Tool = {
  type: "function";
  function: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean };
};

export type ToolChoice = "none" | "auto" | "required" | { type: "function"; function: { name: string } };

export type FinishReason = "stop" | "length" | "tool_calls" | "content_filter" | "function_call";

export type Usage = {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number; audio_tokens?: number; [k: string]: unknown };
  completion_tokens_details?: { reasoning_tokens?: number; [k: string]: unknown };
};

export type Logprobs = { content: unknown[] | null; refusal?: unknown[] | null } | null;

export type ChatCompletion = {
  id: string;
  object: "chat.completion";
  created: number;
  model: string;
  system_fingerprint?: string | null;
  choices: Array<{
    index: number;
    message: { role: "assistant"; content: string | null; tool_calls?: ToolCall[]; refusal?: string | null; [k: string]: unknown };
    finish_reason: FinishReason | null;
    logprobs?: Logprobs;
  }>;
  usage?: Usage;
  [k: string]: unknown;
};

export type ToolCallDelta = { index: number; id?: string; type?: "function"; function?: { name?: string; arguments?: string } };

export type ChatCompletionChunk = {
  id: string;
  object: "chat.completion.chunk";
  created: number;
  model: string;
  system_fingerprint?: string | null;
  choices: Array<{
    index: number;
    delta: { role?: "assistant"; content?: string | null; tool_calls?: ToolCallDelta[]; refusal?: string | null; [k: string]: unknown };
    finish_reason: FinishReason | null;
    logprobs?: Logprobs;
  }>;
  usage?: Usage | null;
  [k: string]: unknown;
};

export type Embedding = { object: "embedding"; index: number; embedding: number[] | string };

export type EmbeddingsResponse = {
  object: "list";
  data: Embedding[];
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
};
