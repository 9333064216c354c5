import type { Redis } from "@upstash/redis/cloudflare";
import type { Deployment, ModelVersion, Variant } from "../../schema";
import type { Env } from "../config/env";
import { GatewayError } from "../errors/gateway-error";
import type { ServedBy } from "../metering/meter";
import type { Provider } from "../providers/registry";
import type { Target } from "../providers/types";
import { parseModelName } from "../registry/names";
import { cachedRegistry, resolveLogical } from "../registry/resolve";
import { asStrategy, type Strategy } from "../registry/select";
import { deploymentTarget } from "../registry/target";
import type { KeyRecord } from "../storage/postgres/api-keys";
import type { Db } from "../storage/postgres/db";
import { ownCredential } from "../tenancy/own-credentials";
import { resolveRoute } from "./resolve";

/** One place a request can be sent: a registry deployment, or a plain model's provider. */
export type Candidate = Pick<Deployment, "id" | "region" | "lat" | "lon" | "weight" | "inputMicroUsdPerMTok" | "outputMicroUsdPerMTok"> & {
  provider: Provider;
  target: Target;
  /** The client-facing model this candidate serves (the requested one, or a fallback). */
  servedAs: string;
};

/**
 * The candidate as metering prices it: its provider's model, plus the deployment's own rates when
 * it has any (they replace the list price, see `withOwnRates`).
 */
export function servedByOf(c: Candidate): ServedBy {
  const own = c.inputMicroUsdPerMTok != null || c.outputMicroUsdPerMTok != null;
  return {
    provider: c.provider.id,
    upstreamModel: c.target.model,
    ...(own ? { ownRates: { inputMicroUsdPerMTok: c.inputMicroUsdPerMTok, outputMicroUsdPerMTok: c.outputMicroUsdPerMTok } } : {}),
  };
}

/** Who may answer a chat request, before health and geography order them. */
export type ChatRoute = {
  candidates: Candidate[];
  strategy: Strategy;
  /** Models (client names) tried after every candidate failed. */
  fallbacks: string[];
  /** Set for registry models: what the cache key and usage must know. */
  logical?: { model: string; version: string };
  /** The version's default parameters and system prompt. */
  version?: Pick<ModelVersion, "params" | "systemPrompt">;
};

export type CandidateDeps = { db: Db; env: Env; redis?: Redis };

const notFound = (name: string) =>
  new GatewayError("model_not_found", `The model \`${name}\` does not exist or you do not have access to it.`, { param: "model" });

/** FNV-1a of a string, hex: a short stable tag (not a secret: base URLs never carry credentials). */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16);
}

/**
 * A plain model (the `models` table) is one candidate served from everywhere. Its id (which keys
 * its circuit breaker) names the endpoint it reaches, so a tenant's own base URL, or another
 * gateway's, never shares a breaker with it.
 */
async function plainCandidate(deps: CandidateDeps, key: KeyRecord, name: string, capability: "chat" | "embeddings"): Promise<Candidate> {
  const { provider, target } = await resolveRoute(deps, key, name, capability);
  const id = `model:${name}:${fnv1a(`${provider.id} ${target.baseUrl} ${target.model}`)}`;
  return {
    id,
    region: "global",
    lat: null,
    lon: null,
    weight: 1,
    inputMicroUsdPerMTok: null,
    outputMicroUsdPerMTok: null,
    provider,
    target,
    servedAs: name,
  };
}

/**
 * Who can serve `name` for this key: a registry model (`support-bot`, `@stable`, `@1.4.0`, or the
 * version an A/B variant names, narrowed to its deployment when it names one), else a plain
 * model. The tenant's own provider credentials (BYOK) replace the gateway's on every candidate.
 * @throws GatewayError model_not_found, upstream_unavailable
 */
export async function resolveChatRoute(deps: CandidateDeps, key: KeyRecord, name: string, variant?: Variant | null): Promise<ChatRoute> {
  if (key.models && !key.models.includes(name)) throw notFound(name);
  const parsed = parseModelName(name);
  const registry = parsed ? await cachedRegistry(deps.db) : undefined;
  const lookup = parsed && variant?.version ? `${parsed.model}@${variant.version}` : name;
  const logical = registry ? resolveLogical(registry, lookup) : null;
  if (!logical) return { candidates: [await plainCandidate(deps, key, name, "chat")], strategy: "weighted", fallbacks: [] };

  const weights = new Map(logical.version.targets.map((t) => [t.deploymentId, t.weight]));
  const deployments = logical.deployments.filter((d) => !variant?.deploymentId || d.id === variant.deploymentId);
  const candidates: Candidate[] = [];
  for (const d of deployments) {
    const hit = deploymentTarget(deps.env, d);
    if (!hit.ok) continue;
    const own = await ownCredential(deps, key.tenantId, d.provider);
    const target = own ? { ...hit.target, apiKey: own.apiKey, baseUrl: own.baseUrl ?? hit.target.baseUrl, ownKey: true } : hit.target;
    candidates.push({ ...d, weight: weights.get(d.id) ?? d.weight, provider: hit.provider, target, servedAs: name });
  }
  if (candidates.length === 0)
    throw new GatewayError("upstream_unavailable", `No deployment of \`${name}\` can be reached from this gateway`);
  return {
    candidates,
    strategy: asStrategy(logical.version.strategy),
    fallbacks: logical.version.fallbacks,
    logical: { model: logical.model, version: logical.version.version },
    version: { params: logical.version.params, systemPrompt: logical.version.systemPrompt },
  };
}

/**
 * The candidates of a model's fallback models, in order, skipping any that fail to resolve. The
 * registry defines them as part of the model, so a key allowed the model may use its fallbacks.
 */
export async function fallbackCandidates(deps: CandidateDeps, key: KeyRecord, names: readonly string[]): Promise<Candidate[]> {
  const out: Candidate[] = [];
  for (const name of names) {
    const route = await resolveChatRoute(deps, { ...key, models: null }, name).catch(() => null);
    if (route) out.push(...route.candidates);
  }
  return out;
}

/** The request with the version's defaults: its parameters under the client's, its system prompt first. */
export function withVersionDefaults<B extends { messages: Array<{ role: string }> }>(body: B, version: ChatRoute["version"]): B {
  if (!version) return body;
  const merged = { ...version.params, ...body } as B;
  if (!version.systemPrompt || body.messages[0]?.role === "system") return merged;
  return { ...merged, messages: [{ role: "system", content: version.systemPrompt }, ...body.messages] };
}
