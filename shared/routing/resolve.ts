import type { Model } from "../../schema";
import type { Env } from "../config/env";
import { GatewayError } from "../errors/gateway-error";
import { type Provider, resolveProvider } from "../providers/registry";
import type { Target } from "../providers/types";
import type { KeyRecord } from "../storage/postgres/api-keys";
import type { Db } from "../storage/postgres/db";
import { resolveModel } from "./model-cache";

export type Route = { model: Model; provider: Provider; target: Target };

const notFound = (name: string) =>
  new GatewayError("model_not_found", `The model \`${name}\` does not exist or you do not have access to it.`, { param: "model" });

/**
 * Who answers a request for `name`: the registry's model, the key's permission, the provider's
 * credentials.
 * @throws GatewayError model_not_found (unknown, not allowed for the key, or lacking the capability),
 * upstream_unavailable (the provider has no credentials on this gateway).
 */
export async function resolveRoute(
  deps: { db: Db; env: Env },
  key: KeyRecord,
  name: string,
  capability: "chat" | "embeddings",
): Promise<Route> {
  if (key.models && !key.models.includes(name)) throw notFound(name);
  const model = await resolveModel(deps.db, name);
  if (!model?.capabilities.includes(capability)) throw notFound(name);
  const hit = resolveProvider(deps.env, model.provider, model.upstreamModel);
  if (!hit) throw new GatewayError("upstream_unavailable", `Provider ${model.provider} is not configured on this gateway`);
  return { model, ...hit };
}
