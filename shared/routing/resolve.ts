import type { Redis } from "@upstash/redis/cloudflare";
import type { Model } from "../../schema";
import type { Env } from "../config/env";
import { GatewayError } from "../errors/gateway-error";
import { connect } from "../providers/connection";
import { PROVIDERS, type Provider, resolveProvider } from "../providers/registry";
import type { Target } from "../providers/types";
import type { KeyRecord } from "../storage/postgres/api-keys";
import type { Db } from "../storage/postgres/db";
import { type OwnCredential, ownCredential } from "../tenancy/own-credentials";
import { resolveModel } from "./model-cache";

export type Route = { model: Model; provider: Provider; target: Target };

const notFound = (name: string) =>
  new GatewayError("model_not_found", `The model \`${name}\` does not exist or you do not have access to it.`, { param: "model" });

/**
 * The provider reached with the tenant's own key (BYOK) instead of the gateway's, at the tenant's
 * base URL when it gave one, else the provider's (env override included).
 */
function withOwnCredential(
  env: Env,
  providerId: string,
  model: string,
  own: OwnCredential,
): { provider: Provider; target: Target } | undefined {
  const provider = PROVIDERS.get(providerId);
  if (!provider) return undefined;
  const baseUrl = own.baseUrl ?? connect(providerId, { ...provider.connection, keyOptional: true }, env)?.baseUrl;
  return baseUrl === undefined ? undefined : { provider, target: { model, baseUrl, apiKey: own.apiKey, ownKey: true } };
}

/**
 * Who answers a request for `name`: the registry's model, the key's permission, the provider's
 * credentials: the tenant's own for that provider when it stored one (BYOK, cached ≤ 5 s per
 * isolate; Redis holds only ciphertexts), else the gateway's.
 * @throws GatewayError model_not_found (unknown, not allowed for the key, or lacking the capability),
 * upstream_unavailable (the provider has no credentials on this gateway), config_error (a stored
 * tenant credential cannot be decrypted).
 */
export async function resolveRoute(
  deps: { db: Db; env: Env; redis?: Redis },
  key: KeyRecord,
  name: string,
  capability: "chat" | "embeddings",
): Promise<Route> {
  if (key.models && !key.models.includes(name)) throw notFound(name);
  const model = await resolveModel(deps.db, name);
  if (!model?.capabilities.includes(capability)) throw notFound(name);
  const own = await ownCredential(deps, key.tenantId, model.provider);
  const hit = own
    ? withOwnCredential(deps.env, model.provider, model.upstreamModel, own)
    : resolveProvider(deps.env, model.provider, model.upstreamModel);
  if (!hit) throw new GatewayError("upstream_unavailable", `Provider ${model.provider} is not configured on this gateway`);
  return { model, ...hit };
}
