import { GatewayError } from "../errors/gateway-error";

/**
 * 404 for a tenant that does not exist *or* that the actor may not manage: the same answer both
 * ways, so a tenant admin cannot learn that other tenants exist.
 */
export const tenantNotFound = (id: string) => new GatewayError("not_found", `Tenant \`${id}\` not found`, { param: "id" });

/** 404 for a key that does not exist or belongs to a tenant the actor may not manage. */
export const keyNotFound = (id: string) => new GatewayError("not_found", `Key \`${id}\` not found`, { param: "id" });

/** 403 for what only the gateway's admin token may do. */
export const adminTokenOnly = (what: string) => new GatewayError("permission_denied", `Only the admin token can ${what}`);

/**
 * 503 when a change was saved but the key/credential cache could not be updated: retrying the same
 * call is safe and rewrites the cache.
 */
export const cacheNotUpdated = (cause: unknown) =>
  new GatewayError(
    "service_unavailable",
    "The change was saved, but the cache could not be updated; retry the call to make it take effect everywhere now",
    { cause },
  );
