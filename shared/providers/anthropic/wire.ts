/**
 * The parts of Anthropic's Messages API wire format this adapter writes or reads
 * (https://docs.anthropic.com/en/api/messages). Response-side types are partial on purpose:
 * everything read from upstream is checked at runtime, and unknown block or event types are skipped
 * (Anthropic's versioning policy allows adding them).
 */

/**
 * The tool a JSON-mode request (`response_format` json_object/json_schema) is forced to call. Its input
 * is the JSON answer: the response and stream translators turn it back into assistant `content`, never
 * into a tool call. Requests that define a tool of this name are rejected.
 */
export const JSON_TOOL_NAME = "edgeway_json_response";

export type TextBlock = { type: "text"; text: string };
export type ImageBlock = {
  type: "image";
  source: { type: "base64"; media_type: string; data: string } | { type: "url"; url: string };
};
export type ToolUseBlock = { type: "tool_use"; id: string; name: string; input: Record<string, unknown> };
export type ToolResultBlock = { type: "tool_result"; tool_use_id: string; content?: string | Array<TextBlock | ImageBlock> };
export type ContentBlockParam = TextBlock | ImageBlock | ToolUseBlock | ToolResultBlock;

export type MessageParam = { role: "user" | "assistant"; content: ContentBlockParam[] };

export type ToolParam = { name: string; description?: string; input_schema: Record<string, unknown> };

export type ToolChoiceParam =
  | { type: "auto" | "any"; disable_parallel_tool_use?: boolean }
  | { type: "tool"; name: string; disable_parallel_tool_use?: boolean }
  | { type: "none" };

/** The body of `POST /v1/messages`. */
export type MessagesBody = {
  model: string;
  max_tokens: number;
  messages: MessageParam[];
  system?: string;
  temperature?: number;
  top_p?: number;
  top_k?: number;
  stop_sequences?: string[];
  stream?: boolean;
  metadata?: { user_id: string };
  tools?: ToolParam[];
  tool_choice?: ToolChoiceParam;
  thinking?: Record<string, unknown>;
};

/**
 * Token counts as Anthropic reports them. The three input counts are disjoint: `input_tokens` excludes
 * the tokens read from or written to the prompt cache.
 */
export type AnthropicUsage = {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  output_tokens_details?: { thinking_tokens?: number | null } | null;
};

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
