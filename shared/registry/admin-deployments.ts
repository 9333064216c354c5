import type { Deployment } from "../../schema";
import { GatewayError } from "../errors/gateway-error";
import { insertAudit } from "../storage/postgres/audit-log";
import {
  type DeploymentChanges,
  findDeployment,
  insertDeployment,
  selectDeployments,
  updateDeployment as updateDeploymentRow,
} from "../storage/postgres/deployments";
import type { AdminContext } from "../tenancy/actor";
import { auditEntry } from "../tenancy/audit";
import { adminTokenOnly } from "../tenancy/errors";
import type { DeploymentPatch, NewDeploymentInput } from "./admin-schemas";

/** A deployment as the admin API shows it. */
export type DeploymentView = Omit<Deployment, "createdAt" | "updatedAt"> & { createdAt: string; updatedAt: string };

/** A create that may hit an existing object: the caller answers 409 with `conflict`. */
export type Created<T> = { created: T } | { conflict: string };

/** The model registry is gateway-wide: only the operator's admin token may read or change it. */
export function assertOperator(ctx: Pick<AdminContext, "actor">): void {
  if (ctx.actor.kind !== "admin") throw adminTokenOnly("manage the model registry");
}

export const deploymentNotFound = (id: string) => new GatewayError("not_found", `Deployment \`${id}\` not found`, { param: "id" });

/** The admin API view of a deployment row. */
export const deploymentView = (row: Deployment): DeploymentView => ({
  ...row,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

const snapshot = ({ createdAt: _c, updatedAt: _u, ...rest }: DeploymentView) => rest;

const newDeploymentId = () => `dep_${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`;

/**
 * Creates a deployment (admin token only), audited in the same batch.
 * @returns `{ conflict }` when the id is taken.
 * @throws GatewayError permission_denied
 */
export async function createDeployment(ctx: AdminContext, input: NewDeploymentInput): Promise<Created<DeploymentView>> {
  assertOperator(ctx);
  const id = input.id ?? newDeploymentId();
  const conflict = { conflict: `Deployment \`${id}\` already exists` };
  if (await findDeployment(ctx.db, id)) return conflict;
  const row = {
    id,
    provider: input.provider,
    upstreamModel: input.upstreamModel,
    region: input.region,
    lat: input.lat ?? null,
    lon: input.lon ?? null,
    baseUrl: input.baseUrl ?? null,
    weight: input.weight ?? 1,
    options: input.options ?? {},
    inputMicroUsdPerMTok: input.inputMicroUsdPerMTok ?? null,
    outputMicroUsdPerMTok: input.outputMicroUsdPerMTok ?? null,
    status: "active" as const,
  };
  const audit = auditEntry(ctx, {
    tenantId: null,
    action: "deployment.create",
    target: { type: "deployment", id },
    before: null,
    after: row,
  });
  try {
    const [[created]] = await ctx.db.batch([insertDeployment(ctx.db, row), insertAudit(ctx.db, audit)]);
    if (!created) throw new Error("deployment insert returned no row");
    return { created: deploymentView(created) };
  } catch (err) {
    // A concurrent create of the same id fails the batch on the primary key.
    if (await findDeployment(ctx.db, id)) return conflict;
    throw err;
  }
}

/** Every deployment (admin token only). */
export async function listDeployments(ctx: AdminContext): Promise<DeploymentView[]> {
  assertOperator(ctx);
  return (await selectDeployments(ctx.db)).map(deploymentView);
}

/**
 * Changes a deployment (admin token only), audited; it takes effect on the request path within
 * the registry's cache time (≤ 1 s). Nothing changes (and nothing is audited) for a no-op patch.
 * @throws GatewayError not_found, permission_denied, invalid_request (lat without lon)
 */
export async function updateDeployment(ctx: AdminContext, id: string, patch: DeploymentPatch): Promise<DeploymentView> {
  assertOperator(ctx);
  const row = await findDeployment(ctx.db, id);
  if (!row) throw deploymentNotFound(id);
  const changes: DeploymentChanges = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
  const before = deploymentView(row);
  const after = deploymentView({ ...row, ...changes });
  if ((after.lat === null) !== (after.lon === null)) {
    throw new GatewayError("invalid_request", "lat and lon go together", { param: after.lat === null ? "lat" : "lon" });
  }
  if (JSON.stringify(snapshot(after)) === JSON.stringify(snapshot(before))) return before;
  const [[updated]] = await ctx.db.batch([
    updateDeploymentRow(ctx.db, id, changes),
    insertAudit(
      ctx.db,
      auditEntry(ctx, {
        tenantId: null,
        action: "deployment.update",
        target: { type: "deployment", id },
        before: snapshot(before),
        after: snapshot(after),
      }),
    ),
  ]);
  if (!updated) throw deploymentNotFound(id);
  return deploymentView(updated);
}
