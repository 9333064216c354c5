import { seal, unseal } from "../crypto/tenant-cipher";
import { type CacheEntry, isCacheEntry } from "./entry";

/**
 * AES-GCM associated data of every sealed entry: binds the ciphertext to its purpose, so a sealed
 * provider credential can never be opened as a cache entry or the other way round.
 */
const CONTEXT = "edgeway/cache-entry/v1";

/**
 * HKDF info of the cache keys. Prefixed, so a tenant's cache key is not its credential key (same
 * master secret, separate derived keys); NUL cannot occur in a tenant id, so no tenant id collides.
 */
const cacheKeyOwner = (tenantId: string) => `cache\u0000${tenantId}`;

/**
 * Encrypts an entry for one tenant: AES-256-GCM under a key derived with HKDF-SHA-256 from `secret`
 * (the `ENCRYPTION_KEY` secret) with the tenant id in the HKDF info (`shared/crypto/tenant-cipher`).
 * Returns base64 text, ready for Redis or Vector metadata.
 * @example await redis.set(key, await sealEntry(env.ENCRYPTION_KEY, tenant.id, entry), { ex: ttl })
 */
export function sealEntry(secret: string, tenantId: string, entry: CacheEntry): Promise<string> {
  return seal({ secret, tenantId: cacheKeyOwner(tenantId), context: CONTEXT }, JSON.stringify(entry));
}

/**
 * Decrypts and checks what {@link sealEntry} produced for the same tenant; null when it does not
 * authenticate (another tenant's entry, another secret, tampering) or does not hold an entry. Never throws
 * on bad input.
 * @example const entry = raw ? await openEntry(env.ENCRYPTION_KEY, tenant.id, raw) : null;
 */
export async function openEntry(secret: string, tenantId: string, sealed: string): Promise<CacheEntry | null> {
  if (typeof sealed !== "string") return null;
  const plain = await unseal({ secret, tenantId: cacheKeyOwner(tenantId), context: CONTEXT }, sealed).catch(() => null);
  if (plain === null) return null;
  try {
    const value: unknown = JSON.parse(plain);
    return isCacheEntry(value) ? value : null;
  } catch {
    return null;
  }
}
