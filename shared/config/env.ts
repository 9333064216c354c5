import { z } from "zod";

const url = z.url();

/**
 * The Worker's bindings: `[vars]` from wrangler.toml plus secrets. Validated once per env object,
 * before the app runs; a bad value stops every request with a config error instead of half-working.
 * Loose: provider credentials (`<PROVIDER>_API_KEY`, `<PROVIDER>_BASE_URL`) and bindings such as
 * `AI` pass through and are read by `shared/providers/connection.ts`.
 */
export const Env = z.looseObject({
  ENVIRONMENT: z.enum(["development", "test", "preview", "production"]).default("production"),
  ADMIN_TOKEN: z.string().min(16, "ADMIN_TOKEN must be at least 16 characters"),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "DATABASE_URL must be a postgres:// URL"),
  UPSTASH_REDIS_REST_URL: url,
  UPSTASH_REDIS_REST_TOKEN: z.string().min(1),
  UPSTASH_VECTOR_REST_URL: url,
  UPSTASH_VECTOR_REST_TOKEN: z.string().min(1),
  /** Local stand-in only: the Neon HTTP endpoint (`http://127.0.0.1:PORT/sql`). Unset in production. */
  NEON_HTTP_ENDPOINT: url.optional(),
  /** Every Redis key starts with this; lets tests and tenants of one Redis stay apart. @default "ew:" */
  REDIS_KEY_PREFIX: z.string().default("ew:"),
  /** Request bodies above this many bytes get 413. @default 16 MiB */
  MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(16 * 1024 * 1024),
  /**
   * Secret (≥ 32 characters) from which the per-tenant keys encrypting stored provider credentials
   * (BYOK) are derived. Optional: without it the credential endpoints answer `config_error`.
   */
  ENCRYPTION_KEY: z.string().min(32, "ENCRYPTION_KEY must be at least 32 characters").optional(),
  /** Base URL (…/v1) of the offline mock upstream, provider `mock`; development and tests only. */
  MOCK_BASE_URL: url.optional(),
});
export type Env = z.infer<typeof Env>;

/** A binding value the Worker could not start with. The message lists every bad key, never a value. */
export class ConfigError extends Error {
  constructor(readonly keys: string[]) {
    super(`Invalid configuration: ${keys.join(", ")}`);
    this.name = "ConfigError";
  }
}

// Keyed by the runtime's env object, which lives as long as the isolate: parse once, reuse.
const parsed = new WeakMap<object, Env>();

/**
 * Parses the raw bindings once per env object.
 * @throws ConfigError naming every invalid key (values are never echoed: they may be secrets).
 * @example const env = parseEnv(rawEnv);
 */
export function parseEnv(raw: object): Env {
  const hit = parsed.get(raw);
  if (hit) return hit;
  const result = Env.safeParse(raw);
  if (!result.success) {
    const keys = [...new Set(result.error.issues.map((i) => `${i.path.join(".")} (${i.message})`))];
    throw new ConfigError(keys);
  }
  parsed.set(raw, result.data);
  return result.data;
}
