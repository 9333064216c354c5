import type { Env } from "../config/env";
import { anthropic } from "./anthropic";
import { azure } from "./azure";
import { type Connection, connect } from "./connection";
import { gemini } from "./gemini";
import { openAICompatible } from "./openai-compatible";
import { OPENAI_COMPATIBLE } from "./openai-compatible/specs";
import type { ProviderAdapter, Target } from "./types";
import { workersAi } from "./workers-ai";

/** A provider: its id, how to translate (adapter) and how to reach it (connection). */
export type Provider = { id: string; adapter: ProviderAdapter; connection: Connection };

const compatible = Object.entries(OPENAI_COMPATIBLE).map(
  ([id, spec]): Provider => ({ id, adapter: openAICompatible(id, spec), connection: spec }),
);

const translated: Provider[] = [
  { id: "anthropic", adapter: anthropic, connection: { baseUrl: "https://api.anthropic.com", apiKeyEnv: "ANTHROPIC_API_KEY" } },
  { id: "azure", adapter: azure, connection: { apiKeyEnv: "AZURE_OPENAI_API_KEY" } },
  // Reached through the `AI` binding (production only: add `[ai] binding = "AI"` to wrangler.toml).
  { id: "workers-ai", adapter: workersAi, connection: { baseUrl: "workers-ai:", keyOptional: true } },
  { id: "gemini", adapter: gemini, connection: { baseUrl: "https://generativelanguage.googleapis.com", apiKeyEnv: "GEMINI_API_KEY" } },
];

/** Every provider the gateway can route to, by id. */
export const PROVIDERS: ReadonlyMap<string, Provider> = new Map([...compatible, ...translated].map((p) => [p.id, p]));

/**
 * The provider and a ready call target for an upstream model, or undefined when the provider is
 * unknown or this gateway has no credentials for it.
 * @example const hit = resolveProvider(env, "mock", "mock-small");
 */
export function resolveProvider(
  env: Env,
  providerId: string,
  model: string,
  options?: Record<string, string>,
): { provider: Provider; target: Target } | undefined {
  const provider = PROVIDERS.get(providerId);
  const credentials = provider && connect(providerId, provider.connection, env);
  if (!provider || !credentials) return undefined;
  return { provider, target: { ...credentials, model, ...(options ? { options } : {}) } };
}
