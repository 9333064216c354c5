import type { Env } from "../config/env";

/** Where an OpenAI-compatible provider lives and how it is authenticated. */
export type UpstreamSpec = {
  /** Base URL up to and including `/v1`, from the env; undefined when not configured. */
  baseUrl: (env: Env) => string | undefined;
  /** The bearer credential, from the env; undefined when the provider has no key configured. */
  apiKey: (env: Env) => string | undefined;
};

/** OpenAI-compatible upstreams as data: adding one is a row. */
export const UPSTREAMS = {
  mock: {
    baseUrl: (env) => (env.MOCK_UPSTREAM_URL ? `${env.MOCK_UPSTREAM_URL}/v1` : undefined),
    apiKey: (env) => (env.MOCK_UPSTREAM_URL ? "mock-upstream-key" : undefined),
  },
  openai: { baseUrl: () => "https://api.openai.com/v1", apiKey: (env) => env.OPENAI_API_KEY },
} as const satisfies Record<string, UpstreamSpec>;

export type UpstreamId = keyof typeof UPSTREAMS;

/** The spec of a provider id read from the registry, or undefined for an unknown one. */
export function upstreamSpec(id: string): UpstreamSpec | undefined {
  return Object.hasOwn(UPSTREAMS, id) ? UPSTREAMS[id as UpstreamId] : undefined;
}
