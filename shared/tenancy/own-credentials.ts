import type { Redis } from "@upstash/redis/cloudflare";
import { z } from "zod";
import type { Env } from "../config/env";
import { seal, unseal } from "../crypto/tenant-cipher";
import { GatewayError } from "../errors/gateway-error";
import { isolateCached } from "../routing/isolate-cache";
import type { Db } from "../storage/postgres/db";
import { listCredentials } from "../storage/postgres/provider-credentials";
import { cacheNotUpdated } from "./errors";

/** A tenant's own credential for a provider (BYOK), decrypted: used for that tenant's traffic only. */
export type OwnCredential = { apiKey: string; baseUrl?: string };

/** What is encrypted per (tenant, provider); the base URL travels inside, so nothing is stored in clear. */
const Payload = z.object({ apiKey: z.string().min(1), baseUrl: z.string().optional() });

/** How stale a decrypted credential served from isolate memory may be. */
export const OWN_CREDENTIAL_CACHE_MS = 5000;
/**
 * How long a tenant's sealed credentials live in Redis. Every change overwrites them, so the entry
 * is never stale: the TTL only clears tenants that stopped calling, and a long one keeps cold
 * isolates serving while Postgres is down.
 */
const REDIS_TTL_S = 24 * 3600;
const MAX_ENTRIES = 10_000;

/** Redis holds ciphertexts only: provider → sealed payload, for one tenant. */
type Sealed = Record<string, string>;

const redisKey = (env: Pick<Env, "REDIS_KEY_PREFIX">, tenantId: string) => `${env.REDIS_KEY_PREFIX}byok:${tenantId}`;
const context = (provider: string) => `provider:${provider}`;

/** @throws GatewayError config_error when the gateway has no `ENCRYPTION_KEY`. */
export function encryptionSecret(env: Pick<Env, "ENCRYPTION_KEY">): string {
  if (!env.ENCRYPTION_KEY) {
    throw new GatewayError("config_error", "ENCRYPTION_KEY is not configured on this gateway: provider credentials (BYOK) are unavailable");
  }
  return env.ENCRYPTION_KEY;
}

/** Encrypts a credential for the tenant and provider (AES-GCM, key derived per tenant). */
export function sealCredential(env: Pick<Env, "ENCRYPTION_KEY">, tenantId: string, provider: string, cred: OwnCredential): Promise<string> {
  return seal({ secret: encryptionSecret(env), tenantId, context: context(provider) }, JSON.stringify(cred));
}

/**
 * Decrypts a stored credential.
 * @throws GatewayError config_error when `ENCRYPTION_KEY` is missing or is not the key it was sealed
 * with (the gateway never falls back to its own key for a tenant that brought one).
 */
export async function openCredential(
  env: Pick<Env, "ENCRYPTION_KEY">,
  tenantId: string,
  provider: string,
  sealed: string,
): Promise<OwnCredential> {
  const plain = await unseal({ secret: encryptionSecret(env), tenantId, context: context(provider) }, sealed);
  const parsed = plain === null ? undefined : Payload.safeParse(JSON.parse(plain)).data;
  if (!parsed) throw new GatewayError("config_error", `The tenant's stored ${provider} credential cannot be decrypted with ENCRYPTION_KEY`);
  return parsed.baseUrl ? { apiKey: parsed.apiKey, baseUrl: parsed.baseUrl } : { apiKey: parsed.apiKey };
}

export type OwnCredentialDeps = { db: Db; env: Env; redis?: Redis };

// Isolate-scoped on purpose: the hot path must not pay a round trip (nor a decryption) per request.
// Entries live OWN_CREDENTIAL_CACHE_MS, so a change reaches every isolate within that time; while
// Redis and Postgres are both unreachable, the last loaded value keeps being served.
const sealedByTenant = new Map<string, (now?: number) => Promise<Sealed>>();
// Keyed by the ciphertext itself, so a changed credential is never served from here.
const opened = new Map<string, Promise<OwnCredential>>();

function remember<V>(map: Map<string, V>, key: string, value: V): V {
  if (map.size >= MAX_ENTRIES) map.delete(map.keys().next().value as string);
  map.set(key, value);
  return value;
}

async function loadSealed(deps: OwnCredentialDeps, tenantId: string): Promise<Sealed> {
  const key = redisKey(deps.env, tenantId);
  const hit = deps.redis ? await deps.redis.get<{ creds: Sealed }>(key).catch(() => null) : null;
  if (hit?.creds) return hit.creds;
  const creds = await sealedFromPostgres(deps.db, tenantId);
  // NX: a change that overwrote the entry while this read was in flight must win over it.
  await deps.redis?.set(key, { creds }, { ex: REDIS_TTL_S, nx: true }).catch(() => {});
  return creds;
}

const sealedFromPostgres = async (db: Db, tenantId: string): Promise<Sealed> =>
  Object.fromEntries((await listCredentials(db, tenantId)).map((r) => [r.provider, r.ciphertext]));

/**
 * The tenant's own credential for a provider, or null when it has none: isolate memory (≤ 5 s),
 * then Redis (ciphertexts only), then Postgres. Without `redis`, Postgres directly.
 * @throws GatewayError config_error when a stored credential cannot be decrypted; the store's error
 * when neither store answers and this isolate never loaded the tenant's credentials.
 * @example const own = await ownCredential({ db, env, redis }, key.tenantId, "openai");
 */
export async function ownCredential(
  deps: OwnCredentialDeps,
  tenantId: string,
  provider: string,
  now = Date.now(),
): Promise<OwnCredential | null> {
  const load =
    sealedByTenant.get(tenantId) ??
    remember(
      sealedByTenant,
      tenantId,
      isolateCached(OWN_CREDENTIAL_CACHE_MS, () => loadSealed(deps, tenantId)),
    );
  const sealed = (await load(now))[provider];
  if (sealed === undefined) return null;
  const id = `${tenantId}\u0000${provider}\u0000${sealed}`;
  const hit = opened.get(id);
  if (hit) return hit;
  const opening = openCredential(deps.env, tenantId, provider, sealed);
  opening.catch(() => opened.delete(id));
  return remember(opened, id, opening);
}

/**
 * Rewrites the tenant's sealed credentials in Redis from Postgres (after a change) and drops this
 * isolate's copy; other isolates follow within OWN_CREDENTIAL_CACHE_MS.
 * @throws GatewayError service_unavailable when Redis cannot be written (the change itself is saved).
 */
export async function refreshOwnCredentials(deps: Required<OwnCredentialDeps>, tenantId: string): Promise<void> {
  sealedByTenant.delete(tenantId);
  const creds = await sealedFromPostgres(deps.db, tenantId);
  try {
    await deps.redis.set(redisKey(deps.env, tenantId), { creds }, { ex: REDIS_TTL_S });
  } catch (err) {
    throw cacheNotUpdated(err);
  }
}
