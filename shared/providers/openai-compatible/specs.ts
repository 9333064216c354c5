import type { ChatCompletionRequest } from "../../openai/chat-request";
import type { Role } from "../../openai/types";
import type { Connection } from "../connection";

type Param = keyof ChatCompletionRequest;

/** How a compatible upstream differs from OpenAI. Field names are typed, so a typo fails to compile. */
export type OpenAICompatibleSpec = Connection & {
  /** Request fields the upstream rejects; removed before sending. */
  drop?: readonly Param[];
  /** Request fields it names differently, e.g. `{ seed: "random_seed" }`. */
  rename?: Partial<Record<Param, string>>;
  /** Roles it does not know, mapped to ones it does, e.g. `{ developer: "system" }`. */
  roleMap?: Partial<Record<Role, Role>>;
  /**
   * How streamed usage is obtained: `stream_options` = ask with `include_usage` (OpenAI's way);
   * `always` = the upstream sends it unasked and rejects `stream_options`.
   */
  streamUsage: "stream_options" | "always";
  /** Where usage sits besides the top-level `usage` (Groq also reports it under `x_groq`). */
  usageAlsoIn?: "x_groq";
  embeddings: boolean;
};

/** OpenAI-compatible providers: adding one is a row. Base URLs can be overridden with `<ID>_BASE_URL`. */
export const OPENAI_COMPATIBLE = {
  openai: { baseUrl: "https://api.openai.com/v1", apiKeyEnv: "OPENAI_API_KEY", streamUsage: "stream_options", embeddings: true },
  groq: {
    baseUrl: "https://api.groq.com/openai/v1",
    apiKeyEnv: "GROQ_API_KEY",
    drop: ["logit_bias", "logprobs", "top_logprobs"],
    streamUsage: "stream_options",
    usageAlsoIn: "x_groq",
    embeddings: false,
  },
  together: { baseUrl: "https://api.together.xyz/v1", apiKeyEnv: "TOGETHER_API_KEY", streamUsage: "stream_options", embeddings: true },
  mistral: {
    baseUrl: "https://api.mistral.ai/v1",
    apiKeyEnv: "MISTRAL_API_KEY",
    drop: ["logit_bias", "logprobs", "top_logprobs", "user", "parallel_tool_calls"],
    rename: { seed: "random_seed", max_completion_tokens: "max_tokens" },
    roleMap: { developer: "system" },
    streamUsage: "always",
    embeddings: true,
  },
  deepseek: {
    baseUrl: "https://api.deepseek.com/v1",
    apiKeyEnv: "DEEPSEEK_API_KEY",
    rename: { max_completion_tokens: "max_tokens" },
    roleMap: { developer: "system" },
    streamUsage: "stream_options",
    embeddings: false,
  },
  fireworks: {
    baseUrl: "https://api.fireworks.ai/inference/v1",
    apiKeyEnv: "FIREWORKS_API_KEY",
    streamUsage: "stream_options",
    embeddings: true,
  },
  openrouter: {
    baseUrl: "https://openrouter.ai/api/v1",
    apiKeyEnv: "OPENROUTER_API_KEY",
    streamUsage: "stream_options",
    embeddings: false,
  },
  perplexity: {
    baseUrl: "https://api.perplexity.ai",
    apiKeyEnv: "PERPLEXITY_API_KEY",
    drop: ["logit_bias", "logprobs", "top_logprobs", "n", "seed", "tools", "tool_choice", "parallel_tool_calls"],
    roleMap: { developer: "system" },
    streamUsage: "always",
    embeddings: false,
  },
  xai: { baseUrl: "https://api.x.ai/v1", apiKeyEnv: "XAI_API_KEY", drop: ["logit_bias"], streamUsage: "stream_options", embeddings: false },
  cerebras: {
    baseUrl: "https://api.cerebras.ai/v1",
    apiKeyEnv: "CEREBRAS_API_KEY",
    drop: ["logit_bias", "presence_penalty", "frequency_penalty"],
    roleMap: { developer: "system" },
    streamUsage: "stream_options",
    embeddings: false,
  },
  vllm: { apiKeyEnv: "VLLM_API_KEY", keyOptional: true, streamUsage: "stream_options", embeddings: true },
  ollama: { baseUrl: "http://127.0.0.1:11434/v1", keyOptional: true, streamUsage: "stream_options", embeddings: true },
  lmstudio: { baseUrl: "http://127.0.0.1:1234/v1", keyOptional: true, streamUsage: "stream_options", embeddings: true },
  /** The offline mock upstream (`local/mock-upstream`): set `MOCK_BASE_URL`, development and tests only. */
  mock: { apiKeyEnv: "MOCK_API_KEY", defaultKey: "mock-key", streamUsage: "stream_options", embeddings: true },
} as const satisfies Record<string, OpenAICompatibleSpec>;
