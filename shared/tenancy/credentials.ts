import type { ProviderCredential } from "../../schema";
import { GatewayError } from "../errors/gateway-error";
import { PROVIDERS } from "../providers/registry";
import { insertAudit } from "../storage/postgres/audit-log";
import { deleteCredential, findCredential, listCredentials, upsertCredential } from "../storage/postgres/provider-credentials";
import type { AdminContext } from "./actor";
import { auditEntry } from "./audit";
import { newId } from "./ids";
import { encryptionSecret, type OwnCredential, openCredential, refreshOwnCredentials, sealCredential } from "./own-credentials";
import { loadTenant } from "./tenants";

/** A stored credential as the admin API shows it: never the key, only its last four characters. */
export type CredentialView = { provider: string; hint: string; baseUrl: string | null; createdAt: string; updatedAt: string };

const HINT_CHARS = 4;

/** What the audit log records of a credential: the hint, never the key. */
const snapshot = (v: CredentialView) => ({ provider: v.provider, hint: v.hint, baseUrl: v.baseUrl });

/** The base URL is read from the sealed payload; one that no longer decrypts shows null, so it can still be replaced or deleted. */
async function view(ctx: AdminContext, row: ProviderCredential): Promise<CredentialView> {
  const baseUrl = await openCredential(ctx.env, row.tenantId, row.provider, row.ciphertext).then(
    (c) => c.baseUrl,
    () => undefined,
  );
  return {
    provider: row.provider,
    hint: row.hint,
    baseUrl: baseUrl ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function knownProvider(provider: string): void {
  if (!PROVIDERS.has(provider)) throw new GatewayError("invalid_request", `Unknown provider \`${provider}\``, { param: "provider" });
}

function checkBaseUrl(ctx: AdminContext, baseUrl: string | undefined): void {
  if (baseUrl === undefined) return;
  const local = ctx.env.ENVIRONMENT === "development" || ctx.env.ENVIRONMENT === "test";
  const url = URL.canParse(baseUrl) ? new URL(baseUrl) : undefined;
  if (!url || !(url.protocol === "https:" || (local && url.protocol === "http:")) || url.username || url.password) {
    throw new GatewayError("invalid_request", `baseUrl must be an ${local ? "http(s)" : "https"} URL without credentials`, {
      param: "baseUrl",
    });
  }
}

/**
 * Stores (or replaces) the tenant's own key for a provider, encrypted; the tenant's traffic to that
 * provider uses it within a few seconds (OWN_CREDENTIAL_CACHE_MS).
 * @throws GatewayError config_error (no ENCRYPTION_KEY), not_found, invalid_request (unknown provider, bad baseUrl).
 */
export async function putCredential(ctx: AdminContext, tenantId: string, provider: string, input: OwnCredential): Promise<CredentialView> {
  encryptionSecret(ctx.env);
  await loadTenant(ctx, tenantId);
  knownProvider(provider);
  checkBaseUrl(ctx, input.baseUrl);
  const existing = await findCredential(ctx.db, tenantId, provider);
  const before = existing ? snapshot(await view(ctx, existing)) : null;
  const cred: OwnCredential = input.baseUrl
    ? { apiKey: input.apiKey, baseUrl: input.baseUrl.replace(/\/+$/, "") }
    : { apiKey: input.apiKey };
  const ciphertext = await sealCredential(ctx.env, tenantId, provider, cred);
  const hint = input.apiKey.slice(-HINT_CHARS);
  const [[row]] = await ctx.db.batch([
    upsertCredential(ctx.db, { id: newId("cred"), tenantId, provider, ciphertext, hint }),
    insertAudit(
      ctx.db,
      auditEntry(ctx, {
        tenantId,
        action: "credential.put",
        target: { type: "credential", id: provider },
        before,
        after: { provider, hint, baseUrl: cred.baseUrl ?? null },
      }),
    ),
  ]);
  if (!row) throw new Error("credential upsert returned no row");
  await refreshOwnCredentials(ctx, tenantId);
  return view(ctx, row);
}

/** The tenant's stored credentials (hints only). @throws GatewayError config_error, not_found */
export async function listTenantCredentials(ctx: AdminContext, tenantId: string): Promise<CredentialView[]> {
  encryptionSecret(ctx.env);
  await loadTenant(ctx, tenantId);
  return Promise.all((await listCredentials(ctx.db, tenantId)).map((row) => view(ctx, row)));
}

/**
 * Deletes the tenant's key for a provider: its traffic goes back to the gateway's key within a few
 * seconds. @throws GatewayError config_error, not_found (tenant, or no credential for the provider).
 */
export async function removeCredential(ctx: AdminContext, tenantId: string, provider: string): Promise<CredentialView> {
  encryptionSecret(ctx.env);
  await loadTenant(ctx, tenantId);
  const existing = await findCredential(ctx.db, tenantId, provider);
  if (!existing) throw new GatewayError("not_found", `No credential for provider \`${provider}\``, { param: "provider" });
  const removed = await view(ctx, existing);
  await ctx.db.batch([
    deleteCredential(ctx.db, tenantId, provider),
    insertAudit(
      ctx.db,
      auditEntry(ctx, {
        tenantId,
        action: "credential.delete",
        target: { type: "credential", id: provider },
        before: snapshot(removed),
        after: null,
      }),
    ),
  ]);
  await refreshOwnCredentials(ctx, tenantId);
  return removed;
}
