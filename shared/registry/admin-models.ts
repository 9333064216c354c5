import type { ModelAlias, ModelVersion } from "../../schema";
import { GatewayError } from "../errors/gateway-error";
import { insertAudit } from "../storage/postgres/audit-log";
import { selectDeployments } from "../storage/postgres/deployments";
import {
  findAlias,
  findModelEntries,
  findVersion,
  insertVersion,
  markValidated,
  swapAlias,
  upsertAlias,
} from "../storage/postgres/model-versions";
import type { AdminContext } from "../tenancy/actor";
import { auditEntry } from "../tenancy/audit";
import { assertOperator, type Created } from "./admin-deployments";
import type { NewVersionInput } from "./admin-schemas";
import { compareSemver } from "./names";
import { type ProbeResult, type ProbeSend, probeVersion } from "./probe";

/** A version as the admin API shows it. */
export type VersionView = Omit<ModelVersion, "id" | "createdAt" | "updatedAt" | "validatedAt"> & {
  validatedAt: string | null;
  createdAt: string;
};

/** An alias as the admin API shows it. */
export type AliasView = { alias: string; version: string; previousVersion: string | null; updatedAt: string };

/** A logical model: its versions (newest first) and aliases. */
export type ModelView = { model: string; versions: VersionView[]; aliases: AliasView[] };

export const versionView = ({ id: _id, createdAt, updatedAt: _u, validatedAt, ...rest }: ModelVersion): VersionView => ({
  ...rest,
  validatedAt: validatedAt?.toISOString() ?? null,
  createdAt: createdAt.toISOString(),
});

export const aliasView = (a: ModelAlias): AliasView => ({
  alias: a.alias,
  version: a.version,
  previousVersion: a.previousVersion,
  updatedAt: a.updatedAt.toISOString(),
});

const notFound = (what: string, param: string) => new GatewayError("not_found", `${what} not found`, { param });
const modelNotFound = (model: string) => notFound(`Model \`${model}\``, "model");
const versionNotFound = (model: string, version: string) => notFound(`Version \`${model}@${version}\``, "version");

async function existingVersion(ctx: AdminContext, model: string, version: string): Promise<ModelVersion> {
  const row = await findVersion(ctx.db, model, version);
  if (!row) throw versionNotFound(model, version);
  return row;
}

/**
 * Creates an immutable version of a logical model (the model exists once it has a version), audited.
 * @returns `{ conflict }` when the version exists.
 * @throws GatewayError permission_denied, invalid_request (a target deployment does not exist)
 */
export async function createVersion(ctx: AdminContext, model: string, input: NewVersionInput): Promise<Created<VersionView>> {
  assertOperator(ctx);
  const conflict = { conflict: `Version \`${model}@${input.version}\` already exists; versions are immutable` };
  if (await findVersion(ctx.db, model, input.version)) return conflict;
  const known = new Set((await selectDeployments(ctx.db)).map((d) => d.id));
  const missing = input.targets.findIndex((t) => !known.has(t.deploymentId));
  if (missing >= 0) {
    throw new GatewayError("invalid_request", `Deployment \`${input.targets[missing]?.deploymentId}\` does not exist`, {
      param: `targets[${missing}].deploymentId`,
    });
  }
  const row = {
    id: `${model}@${input.version}`,
    model,
    version: input.version,
    targets: input.targets,
    strategy: input.strategy ?? "weighted",
    fallbacks: input.fallbacks ?? [],
    params: input.params ?? {},
    systemPrompt: input.systemPrompt ?? null,
    metadata: input.metadata ?? {},
  };
  const audit = auditEntry(ctx, {
    tenantId: null,
    action: "version.create",
    target: { type: "version", id: row.id },
    before: null,
    after: row,
  });
  try {
    const [[created]] = await ctx.db.batch([insertVersion(ctx.db, row), insertAudit(ctx.db, audit)]);
    if (!created) throw new Error("version insert returned no row");
    return { created: versionView(created) };
  } catch (err) {
    if (await findVersion(ctx.db, model, input.version)) return conflict;
    throw err;
  }
}

/** A logical model's versions (newest first) and aliases. @throws GatewayError not_found, permission_denied */
export async function getModel(ctx: AdminContext, model: string): Promise<ModelView> {
  assertOperator(ctx);
  const { versions, aliases } = await findModelEntries(ctx.db, model);
  if (versions.length === 0) throw modelNotFound(model);
  versions.sort((a, b) => compareSemver(b.version, a.version));
  return { model, versions: versions.map(versionView), aliases: aliases.map(aliasView) };
}

/**
 * Live-probes a version's targets (see `probeVersion`); when every probed target answers 2xx the
 * version is marked validated now (audited) and aliases may point to it. A failed probe changes
 * nothing (an earlier validation stands: versions are immutable).
 * @throws GatewayError not_found, permission_denied
 */
export async function validateVersion(
  ctx: AdminContext,
  model: string,
  version: string,
  send: ProbeSend,
): Promise<{ version: VersionView; probe: ProbeResult }> {
  assertOperator(ctx);
  const row = await existingVersion(ctx, model, version);
  const deployments = new Map((await selectDeployments(ctx.db)).map((d) => [d.id, d]));
  const probe = await probeVersion(row, deployments, send);
  if (!probe.ok) return { version: versionView(row), probe };
  const at = new Date();
  const [[updated]] = await ctx.db.batch([
    markValidated(ctx.db, row.id, at),
    insertAudit(
      ctx.db,
      auditEntry(ctx, {
        tenantId: null,
        action: "version.validate",
        target: { type: "version", id: row.id },
        before: { validatedAt: row.validatedAt?.toISOString() ?? null },
        after: { validatedAt: at.toISOString(), probe: probe.results },
      }),
    ),
  ]);
  return { version: versionView(updated ?? { ...row, validatedAt: at }), probe };
}

/**
 * Points an alias at a validated version (promote, pin), remembering the version it pointed to for
 * rollback; audited. Takes effect on the request path within the registry cache time (≤ 1 s).
 * @throws GatewayError not_found (no such version), invalid_request (not validated), permission_denied
 */
export async function setAlias(ctx: AdminContext, model: string, alias: string, version: string): Promise<AliasView> {
  assertOperator(ctx);
  const target = await existingVersion(ctx, model, version);
  if (!target.validatedAt) {
    throw new GatewayError(
      "invalid_request",
      `Version \`${model}@${version}\` is not validated: POST /admin/models/${model}/versions/${version}/validate first`,
      { param: "version" },
    );
  }
  const before = await findAlias(ctx.db, model, alias);
  if (before?.version === version) return aliasView(before);
  const id = `${model}@${alias}`;
  const [[row]] = await ctx.db.batch([
    upsertAlias(ctx.db, model, alias, version),
    insertAudit(
      ctx.db,
      auditEntry(ctx, {
        tenantId: null,
        action: "alias.set",
        target: { type: "alias", id },
        before: before ? { version: before.version, previousVersion: before.previousVersion } : null,
        after: { version, previousVersion: before?.version ?? null },
      }),
    ),
  ]);
  if (!row) throw new Error("alias upsert returned no row");
  return aliasView(row);
}

/**
 * Swaps an alias back to its previous version (a second rollback rolls forward again); audited.
 * @throws GatewayError not_found (no such alias), invalid_request (nothing to roll back to), permission_denied
 */
export async function rollbackAlias(ctx: AdminContext, model: string, alias: string): Promise<AliasView> {
  assertOperator(ctx);
  const before = await findAlias(ctx.db, model, alias);
  if (!before) throw notFound(`Alias \`${model}@${alias}\``, "alias");
  if (!before.previousVersion) {
    throw new GatewayError("invalid_request", `Alias \`${model}@${alias}\` has no previous version to roll back to`, { param: "alias" });
  }
  const [[row]] = await ctx.db.batch([
    swapAlias(ctx.db, model, alias),
    insertAudit(
      ctx.db,
      auditEntry(ctx, {
        tenantId: null,
        action: "alias.rollback",
        target: { type: "alias", id: `${model}@${alias}` },
        before: { version: before.version, previousVersion: before.previousVersion },
        after: { version: before.previousVersion, previousVersion: before.version },
      }),
    ),
  ]);
  if (!row) throw notFound(`Alias \`${model}@${alias}\``, "alias");
  return aliasView(row);
}
