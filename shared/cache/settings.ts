import { z } from "zod";
import { CACHE_MODES } from "./keys";

/**
 * A tenant's cache settings, for `tenants.settings.cache` (mount it in `TenantSettings`). Every field
 * has a default, so a tenant without settings gets the deterministic exact cache for one hour; the
 * semantic cache (one more round trip, to Vector, on every exact miss) is opt-in.
 */
export const CacheSettings = z.strictObject({
  /** @default "deterministic" (temperature 0 or a seed) */
  mode: z.enum(CACHE_MODES).default("deterministic"),
  /** TTL of stored answers when the request names none. @default 3600 */
  ttlSeconds: z
    .number()
    .int()
    .min(0)
    .max(30 * 24 * 3600)
    .default(3600),
  semantic: z
    .strictObject({
      /** @default false */
      enabled: z.boolean().default(false),
      /** Raw cosine similarity a candidate needs; absent = the embedder's default (`thresholdFor`). */
      threshold: z.number().min(0.5).max(1).optional(),
    })
    .default({ enabled: false }),
});
export type CacheSettings = z.infer<typeof CacheSettings>;
/** Cache settings as written by an admin (defaults not yet applied). */
export type CacheSettingsInput = z.input<typeof CacheSettings>;
