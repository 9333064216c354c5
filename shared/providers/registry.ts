import type { Env } from "../config/env";
import { type Connection, connect } from "./connection";
import { openAICompatible } from "./openai-compatible";
import { OPENAI_COMPATIBLE } from "./openai-compatible/specs";
import type { ProviderAdapter, Target } from "./types";

/** A provider: how to translate (adapter) and how to reach it (connection). */
export type Provider = { adapter: ProviderAdapter; connection: Connection };

const compatible: Record<string, Provider> = Object.fromEntries(
  Object.entries(OPENAI_COMPATIBLE).map(([id, spec]) => [id, { adapter: openAICompatible(id, spec), connection: spec }]),
);

/** Every provider the gateway can route to, by id. */
export const PROVIDERS: Record<string, Provider> = { ...compatible };

export const PROVIDER_IDS = Object.keys(PROVIDERS);

/**
 * The provider and a ready call target for an upstream model, or undefined when the provider is
 * unknown or this gateway has no credentials for it.
 * @example const hit = resolveProvider(env, "mock", "mock-small");
 */
export function resolveProvider(env: Env, providerId: string, model: string, options?: Record<string, string>): { provider: Provider; target: Target } | undefined {
  const provider = Object.hasOwn(PROVIDERS, providerId) ? PROVIDERS[providerId] : undefined;
  const credentials = provider && connect(providerId, provider.connection, env);
  if (!provider || !credentials) return undefined;
  return { provider, target: { ...credentials, model, ...(options ? { options } : {}) } };
}
