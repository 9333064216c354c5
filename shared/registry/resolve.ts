import type { Deployment, ModelAlias, ModelVersion } from "../../schema";
import { isolateCached } from "../routing/isolate-cache";
import type { Db } from "../storage/postgres/db";
import { selectDeployments } from "../storage/postgres/deployments";
import { selectAliases, selectVersions } from "../storage/postgres/model-versions";
import { parseModelName } from "./names";

/** The whole registry in memory: versions and aliases keyed `model@version` / `model@alias`. */
export type Registry = {
  deployments: ReadonlyMap<string, Deployment>;
  versions: ReadonlyMap<string, ModelVersion>;
  aliases: ReadonlyMap<string, ModelAlias>;
};

/** What a logical name resolves to: the version, and its active deployments in target order. */
export type LogicalRoute = {
  model: string;
  /** The alias the name went through (`stable` for a plain name); null for an exact version. */
  alias: string | null;
  version: ModelVersion;
  /** Active deployments only, in the version's target order; `weight` is the target's (else the deployment's). */
  deployments: Deployment[];
};

/** How stale the registry served from isolate memory may be: a rollback bites everywhere within about this long. */
export const REGISTRY_CACHE_MS = 1000;

/** Indexes registry rows. @example const registry = buildRegistry({ deployments, versions, aliases }); */
export function buildRegistry(rows: { deployments: Deployment[]; versions: ModelVersion[]; aliases: ModelAlias[] }): Registry {
  return {
    deployments: new Map(rows.deployments.map((d) => [d.id, d])),
    versions: new Map(rows.versions.map((v) => [`${v.model}@${v.version}`, v])),
    aliases: new Map(rows.aliases.map((a) => [`${a.model}@${a.alias}`, a])),
  };
}

/** Reads every deployment, version and alias in one round trip (one `db.batch`; the tables are small). */
export async function loadRegistry(db: Db): Promise<Registry> {
  const [deployments, versions, aliases] = await db.batch([selectDeployments(db), selectVersions(db), selectAliases(db)]);
  return buildRegistry({ deployments, versions, aliases });
}

// Isolate-scoped on purpose: the request path must not spend a Postgres statement per request. At
// most one reload per REGISTRY_CACHE_MS per isolate; while Postgres is down the last registry is
// served (stale-if-error, retried every second).
const registries = new WeakMap<Db, (now?: number) => Promise<Registry>>();

/**
 * The registry from isolate memory, at most REGISTRY_CACHE_MS old (older only while Postgres is
 * unreachable and a registry was loaded before).
 * @throws the load error when no registry was ever loaded in this isolate.
 * @example const route = resolveLogical(await cachedRegistry(db), body.model);
 */
export function cachedRegistry(db: Db, now = Date.now()): Promise<Registry> {
  let cached = registries.get(db);
  if (!cached) {
    cached = isolateCached(REGISTRY_CACHE_MS, () => loadRegistry(db));
    registries.set(db, cached);
  }
  return cached(now);
}

/**
 * Resolves a client model name (`support-bot`, `support-bot@canary`, `support-bot@1.4.0`) against
 * the registry. A plain name means alias `stable`. Null when the name is not a logical model, or
 * its alias or version does not exist. A known version whose deployments are all disabled resolves
 * with `deployments: []` (the caller answers 503, not 404).
 * @example resolveLogical(registry, "support-bot@stable")?.version.version // "1.4.0"
 */
export function resolveLogical(registry: Registry, name: string): LogicalRoute | null {
  const parsed = parseModelName(name);
  if (!parsed) return null;
  const { model, ref } = parsed;
  const alias = "alias" in ref ? ref.alias : null;
  const versionName = "version" in ref ? ref.version : registry.aliases.get(`${model}@${alias}`)?.version;
  const version = versionName === undefined ? undefined : registry.versions.get(`${model}@${versionName}`);
  if (!version) return null;
  const deployments: Deployment[] = [];
  for (const target of version.targets) {
    const d = registry.deployments.get(target.deploymentId);
    if (d?.status === "active") deployments.push({ ...d, weight: target.weight ?? d.weight });
  }
  return { model, alias, version, deployments };
}

/** The logical models of the registry with their aliases (for `GET /v1/models`: `name`, `name@alias`). */
export function logicalModels(registry: Registry): { model: string; aliases: string[]; versions: string[] }[] {
  const out = new Map<string, { model: string; aliases: string[]; versions: string[] }>();
  const entry = (model: string) => {
    const e = out.get(model) ?? { model, aliases: [], versions: [] };
    out.set(model, e);
    return e;
  };
  for (const v of registry.versions.values()) entry(v.model).versions.push(v.version);
  for (const a of registry.aliases.values()) entry(a.model).aliases.push(a.alias);
  return [...out.values()];
}
