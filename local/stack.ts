import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { applyMigrations } from "../schema/migrate";
import { type MockUpstream, startMockUpstream } from "./mock-upstream/server";
import { type NeonStandIn, startNeon } from "./neon/server";
import { findRedis } from "./redis-rest/find-redis";
import { startRedisRest } from "./redis-rest/server";
import type { StandIn } from "./stand-in";
import { startVectorRest } from "./vector/server";

export type PostgresChoice = { kind: "postgres"; databaseUrl: string } | { kind: "pglite"; dataDir: string };

export type StackOptions = {
  /** Where the Vector index (and PGlite, when chosen) persist. */
  dataDir: string;
  postgres: PostgresChoice;
  /** Prefix of every Redis key the gateway writes (per test run, or `ew:` for dev). */
  redisKeyPrefix: string;
  /** Secrets to reuse across restarts; fresh random ones when absent. */
  secrets?: Partial<StackSecrets>;
  /** @default "development" */
  environment?: "development" | "test";
  /** Providers (`OPENAI`, `ANTHROPIC`, `GEMINI`) with a real key configured: not sent to the mock. */
  realProviders?: readonly string[];
};

export type StackSecrets = { adminToken: string; redisRestToken: string; vectorRestToken: string; encryptionKey: string };

/** The running offline stack: the four stand-ins, and the Worker bindings that point at them. */
export type Stack = {
  redisRest: StandIn;
  neon: NeonStandIn;
  vector: StandIn;
  mock: MockUpstream;
  /** URL of the Redis server behind the REST stand-in. */
  redisUrl: string;
  secrets: StackSecrets;
  /** `[vars]` + secrets for the Worker (wrangler dev `.dev.vars`, unstable_dev `vars`, miniflare bindings). */
  bindings: Record<string, string>;
  close(): Promise<void>;
};

const token = () => randomBytes(24).toString("base64url");

/** Real providers whose wire format the mock speaks: where it serves it, and the key's env name. */
export const MOCKED_PROVIDERS = {
  OPENAI: { suffix: "/v1", keyEnv: "OPENAI_API_KEY" },
  ANTHROPIC: { suffix: "", keyEnv: "ANTHROPIC_API_KEY" },
  GEMINI: { suffix: "", keyEnv: "GEMINI_API_KEY" },
  AZURE: { suffix: "", keyEnv: "AZURE_OPENAI_API_KEY" },
} as const;

/**
 * Bindings that send the real providers' traffic to the mock upstream (production code path, local
 * base URL). `except` lists providers (e.g. `OPENAI`) that have a real key configured.
 * @example mockedProviderBindings("http://127.0.0.1:9999", ["OPENAI"])
 */
export function mockedProviderBindings(mockUrl: string, except: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [id, { suffix, keyEnv }] of Object.entries(MOCKED_PROVIDERS)) {
    if (except.includes(id)) continue;
    out[`${id}_BASE_URL`] = `${mockUrl}${suffix}`;
    out[keyEnv] = "mock-key";
  }
  return out;
}

/**
 * Starts Redis REST, Neon, Vector and the mock upstream on ephemeral loopback ports and applies the
 * migrations. Whatever it started, `close()` stops (also when a later start fails).
 * @example const stack = await startStack({ dataDir: ".edgeway", postgres: { kind: "pglite", dataDir: ".edgeway/pglite" }, redisKeyPrefix: "ew:" });
 */
export async function startStack(opts: StackOptions): Promise<Stack> {
  const secrets: StackSecrets = {
    adminToken: opts.secrets?.adminToken ?? `ewadm_${token()}`,
    redisRestToken: opts.secrets?.redisRestToken ?? token(),
    vectorRestToken: opts.secrets?.vectorRestToken ?? token(),
    encryptionKey: opts.secrets?.encryptionKey ?? randomBytes(32).toString("base64url"),
  };
  const closers: Array<() => Promise<void>> = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch((err) => console.error("stack: close failed:", err));
  };
  try {
    const redis = await findRedis();
    if (redis.spawned) closers.push(() => redis.spawned?.close() ?? Promise.resolve());
    const redisRest = await startRedisRest({ redisUrl: redis.url, token: secrets.redisRestToken, port: 0 });
    closers.push(() => redisRest.close());
    const neon = await startNeon({ backend: opts.postgres, port: 0 });
    closers.push(() => neon.close());
    const vector = await startVectorRest({ token: secrets.vectorRestToken, dataDir: join(opts.dataDir, "vector"), port: 0 });
    closers.push(() => vector.close());
    const mock = await startMockUpstream({ port: 0 });
    closers.push(() => mock.close());
    await applyMigrations(neon.databaseUrl);

    const bindings: Record<string, string> = {
      ENVIRONMENT: opts.environment ?? "development",
      ADMIN_TOKEN: secrets.adminToken,
      ENCRYPTION_KEY: secrets.encryptionKey,
      DATABASE_URL: neon.databaseUrl,
      NEON_HTTP_ENDPOINT: neon.sqlUrl,
      UPSTASH_REDIS_REST_URL: redisRest.url,
      UPSTASH_REDIS_REST_TOKEN: secrets.redisRestToken,
      UPSTASH_VECTOR_REST_URL: vector.url,
      UPSTASH_VECTOR_REST_TOKEN: secrets.vectorRestToken,
      MOCK_BASE_URL: `${mock.url}/v1`,
      MOCK_URL: mock.url,
      ...mockedProviderBindings(mock.url, opts.realProviders),
      REDIS_KEY_PREFIX: opts.redisKeyPrefix,
    };
    return { redisRest, neon, vector, mock, redisUrl: redis.url, secrets, bindings, close: closeAll };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
