/** Values of the `x-edgeway-cache` response header (CONTRACT.md). */
export const CACHE_STATUSES = ["hit", "semantic-hit", "miss", "bypass"] as const;
export type CacheStatus = (typeof CACHE_STATUSES)[number];

/** Response header naming how the cache served the request. */
export const CACHE_STATUS_HEADER = "x-edgeway-cache";
/** Request header overriding the tenant's TTL for what this request stores. */
export const CACHE_TTL_HEADER = "x-edgeway-cache-ttl";

/** Longest TTL a request may ask for, in seconds (30 days). */
export const MAX_CACHE_TTL_SECONDS = 30 * 24 * 3600;

/** What one request may do with the cache. */
export type CacheControls = {
  /** Look the request up (exact, then semantic). False under `no-cache` and `no-store`. */
  read: boolean;
  /** Store the fresh answer. False under `no-store` and with a TTL of 0. */
  write: boolean;
  /** TTL of what gets stored, in seconds. */
  ttlSeconds: number;
  /** The header to send when nothing was read: `bypass` under `no-store`, else `miss`. */
  statusWhenNotRead: Extract<CacheStatus, "miss" | "bypass">;
};

export type CacheControlsOptions = {
  /** The tenant's TTL, in seconds, used when the request names none. */
  defaultTtlSeconds: number;
  /** @default MAX_CACHE_TTL_SECONDS */
  maxTtlSeconds?: number;
};

/**
 * Reads the request's cache controls: `Cache-Control: no-cache` (skip the lookup, store the fresh
 * answer, report `miss`), `no-store` (neither read nor write, report `bypass`), and
 * `x-edgeway-cache-ttl: <seconds>` (clamped to `maxTtlSeconds`; `0` stores nothing; anything that is
 * not a non-negative integer is ignored and the tenant's TTL applies).
 * @example const controls = cacheControls(c.req.raw.headers, { defaultTtlSeconds: tenant.cache.ttlSeconds });
 */
export function cacheControls(headers: Headers, opts: CacheControlsOptions): CacheControls {
  const directives = new Set(
    (headers.get("cache-control") ?? "")
      .split(",")
      .map((d) => d.trim().toLowerCase().split("=")[0])
      .filter(Boolean),
  );
  const noStore = directives.has("no-store");
  const noCache = directives.has("no-cache");
  const max = opts.maxTtlSeconds ?? MAX_CACHE_TTL_SECONDS;
  const raw = headers.get(CACHE_TTL_HEADER)?.trim();
  const asked = raw && /^\d{1,10}$/.test(raw) ? Number(raw) : undefined;
  const ttlSeconds = Math.min(asked ?? opts.defaultTtlSeconds, max);
  return {
    read: !noStore && !noCache,
    write: !noStore && ttlSeconds > 0,
    ttlSeconds,
    statusWhenNotRead: noStore ? "bypass" : "miss",
  };
}
