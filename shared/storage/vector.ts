import { Index } from "@upstash/vector/cloudflare";
import type { Env } from "../config/env";

/**
 * The Upstash Vector REST client for this env; locally it reaches the stand-in in `local/vector/`.
 * @example const info = await createVectorIndex(env).info();
 */
export function createVectorIndex(env: Pick<Env, "UPSTASH_VECTOR_REST_URL" | "UPSTASH_VECTOR_REST_TOKEN">): Index {
  return new Index({
    url: env.UPSTASH_VECTOR_REST_URL,
    token: env.UPSTASH_VECTOR_REST_TOKEN,
    retry: { retries: 1, backoff: () => 20 },
  });
}
