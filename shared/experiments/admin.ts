import type { Experiment, Variant } from "../../schema";
import { toHex } from "../crypto/digest";
import { GatewayError } from "../errors/gateway-error";
import { insertAudit } from "../storage/postgres/audit-log";
import {
  type ExperimentState,
  findExperiment,
  insertExperiment,
  listExperiments,
  runningExperimentOn,
  updateExperimentIf,
} from "../storage/postgres/experiments";
import { type AdminContext, mayManageTenant } from "../tenancy/actor";
import { auditEntry } from "../tenancy/audit";
import { adminTokenOnly } from "../tenancy/errors";
import { loadTenant } from "../tenancy/tenants";
import { type ExperimentResults, experimentResults } from "./results";
import type { CreateExperiment, UpdateExperiment } from "./schemas";

/** An experiment as the admin API shows it (never its salt: knowing it would let anyone pick their arm). */
export type ExperimentView = Omit<Experiment, "salt" | "results" | "createdAt" | "updatedAt" | "resultsAt"> & {
  createdAt: string;
  updatedAt: string;
  resultsAt: string | null;
};

/** The admin API view of an experiment row. */
export function experimentView({ salt: _salt, results: _results, ...row }: Experiment): ExperimentView {
  return {
    ...row,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    resultsAt: row.resultsAt?.toISOString() ?? null,
  };
}

const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";
const randomId = () => `exp_${Array.from(crypto.getRandomValues(new Uint8Array(20)), (b) => ALPHABET[b % 36]).join("")}`;
const randomSalt = () => toHex(crypto.getRandomValues(new Uint8Array(16)));

/** 404 for an experiment that does not exist or that the actor may not manage (global ones: the admin token's). */
export const experimentNotFound = (id: string) => new GatewayError("not_found", `Experiment \`${id}\` not found`, { param: "id" });

const state = ({ status, variants, guardrail, shadow }: ExperimentState): ExperimentState => ({ status, variants, guardrail, shadow });

async function assertNoRunningTwin(ctx: AdminContext, scope: { tenantId: string | null; model: string; except?: string }) {
  const other = await runningExperimentOn(ctx.db, scope);
  if (other) {
    throw new GatewayError(
      "invalid_request",
      `Experiment \`${other}\` is already running on \`${scope.model}\` in this scope: stop it first`,
      {
        param: "model",
      },
    );
  }
}

/**
 * Creates a running experiment with a random salt, audited. A tenant's experiment needs access to
 * the tenant (404 otherwise); a global one (no `tenantId`) the admin token. One running experiment
 * per model and scope.
 * @throws GatewayError not_found, permission_denied, invalid_request.
 */
export async function createExperiment(ctx: AdminContext, input: CreateExperiment): Promise<ExperimentView> {
  const tenantId = input.tenantId ?? null;
  if (tenantId === null && ctx.actor.kind !== "admin") throw adminTokenOnly("create global experiments");
  if (tenantId !== null) await loadTenant(ctx, tenantId);
  await assertNoRunningTwin(ctx, { tenantId, model: input.model });
  const id = randomId();
  const row = {
    id,
    tenantId,
    model: input.model,
    name: input.name,
    salt: randomSalt(),
    status: "running" as const,
    variants: input.variants,
    guardrail: input.guardrail ?? null,
    shadow: input.shadow ?? null,
  };
  const { salt: _salt, ...after } = row;
  const [[created]] = await ctx.db.batch([
    insertExperiment(ctx.db, row),
    insertAudit(
      ctx.db,
      auditEntry(ctx, { tenantId, action: "experiment.create", target: { type: "experiment", id }, before: null, after }),
    ),
  ]);
  if (!created) throw new Error("experiment insert returned no row");
  return experimentView(created);
}

/** The experiment row, when it exists and the actor may manage it. @throws GatewayError not_found */
export async function loadExperiment(ctx: Pick<AdminContext, "db" | "actor">, id: string): Promise<Experiment> {
  const row = await findExperiment(ctx.db, id);
  const allowed = row && (row.tenantId === null ? ctx.actor.kind === "admin" : mayManageTenant(ctx.actor, row.tenantId));
  if (!row || !allowed) throw experimentNotFound(id);
  return row;
}

/**
 * Experiments, newest first (at most 200): a tenant actor sees its own tenant's; the admin token a
 * tenant's when `tenantId` is given, else every experiment, global ones included.
 * @throws GatewayError not_found (a tenant that does not exist or is not the actor's).
 */
export async function listExperimentsFor(ctx: AdminContext, tenantId?: string): Promise<ExperimentView[]> {
  const scope = tenantId ?? (ctx.actor.kind === "tenant" ? ctx.actor.tenantId : undefined);
  if (scope !== undefined) await loadTenant(ctx, scope);
  return (await listExperiments(ctx.db, scope)).map(experimentView);
}

function applyPatch(row: Experiment, patch: UpdateExperiment): ExperimentState {
  const byName = new Map(patch.variants?.map((v) => [v.name, v]));
  for (const name of byName.keys()) {
    if (!row.variants.some((v) => v.name === name)) {
      throw new GatewayError("invalid_request", `No variant \`${name}\` in this experiment`, { param: "variants" });
    }
  }
  const variants = row.variants.map((v): Variant => {
    const change = byName.get(v.name);
    if (!change) return v;
    const { stopped: _stopped, ...rest } = v;
    const stopped = change.stopped ?? v.stopped;
    return { ...rest, weight: change.weight ?? v.weight, ...(stopped ? { stopped: true } : {}) };
  });
  if (variants.every((v) => v.stopped)) {
    throw new GatewayError("invalid_request", "At least one variant must keep running: set `status: stopped` to end the experiment", {
      param: "variants",
    });
  }
  return {
    status: patch.status ?? row.status,
    variants,
    guardrail: patch.guardrail === undefined ? row.guardrail : patch.guardrail,
    shadow: patch.shadow === undefined ? row.shadow : patch.shadow,
  };
}

/**
 * Changes status, variant weights or stops, the guardrail or the shadow, audited. Applied as a
 * compare-and-set against the row it read, re-read and re-applied (up to 3 times) when the cron's
 * guardrail changed it meanwhile, so neither change is lost. Changing weights moves the users near
 * the shifted band boundaries to another arm; stopping a variant moves only its own users (to the control).
 * @throws GatewayError not_found, invalid_request, service_unavailable (changed concurrently 3 times).
 */
export async function updateExperiment(ctx: AdminContext, id: string, patch: UpdateExperiment): Promise<ExperimentView> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const row = await loadExperiment(ctx, id);
    const before = state(row);
    const next = applyPatch(row, patch);
    if (JSON.stringify(next) === JSON.stringify(before)) return experimentView(row);
    if (next.status === "running" && row.status !== "running") {
      await assertNoRunningTwin(ctx, { tenantId: row.tenantId, model: row.model, except: id });
    }
    const audit = auditEntry(ctx, {
      tenantId: row.tenantId,
      action: "experiment.update",
      target: { type: "experiment", id },
      before,
      after: next,
    });
    if (await updateExperimentIf(ctx.db, { id, expected: before, next, audit })) return experimentView(await loadExperiment(ctx, id));
  }
  throw new GatewayError("service_unavailable", "The experiment kept changing while it was updated; retry the call");
}

/** Stored results (null before the first cron run), or computed now with `fresh` (then stored nowhere). */
export async function getExperimentResults(
  ctx: AdminContext,
  id: string,
  { fresh }: { fresh: boolean },
): Promise<{ experimentId: string; computedAt: string | null; fresh: boolean; results: ExperimentResults | null }> {
  const row = await loadExperiment(ctx, id);
  if (fresh) {
    const results = await experimentResults(ctx.db, row);
    return { experimentId: id, computedAt: results.computedAt, fresh: true, results };
  }
  return {
    experimentId: id,
    computedAt: row.resultsAt?.toISOString() ?? null,
    fresh: false,
    results: (row.results as ExperimentResults | null) ?? null,
  };
}
