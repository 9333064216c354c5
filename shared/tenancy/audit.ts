import type { NewAuditEntry } from "../../schema";
import { type AdminContext, actorLabel } from "./actor";

export const AUDIT_ACTIONS = [
  "tenant.create",
  "tenant.update",
  "key.create",
  "key.revoke",
  "key.rotate",
  "credential.put",
  "credential.delete",
  "deny.add",
  "deny.remove",
  "cache.purge",
  "deployment.create",
  "deployment.update",
  "version.create",
  "version.validate",
  "alias.set",
  "alias.rollback",
  "experiment.create",
  "experiment.update",
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export type AuditInput = {
  /** Null for gateway-wide objects (e.g. a denied address). */
  tenantId: string | null;
  action: AuditAction;
  target: { type: "tenant" | "key" | "credential" | "deny" | "cache" | "experiment" | "deployment" | "version" | "alias"; id: string };
  /** The object before the change (null on create); never a secret. */
  before: unknown;
  /** The object after the change (null on delete); never a secret. */
  after: unknown;
};

/**
 * The audit row for one change by this context's actor, to insert in the same batch as the change.
 * @example db.batch([updateTenant(...), insertAudit(db, auditEntry(ctx, { ... }))])
 */
export function auditEntry(ctx: Pick<AdminContext, "actor" | "requestId">, input: AuditInput): NewAuditEntry {
  return {
    tenantId: input.tenantId,
    actor: actorLabel(ctx.actor),
    action: input.action,
    targetType: input.target.type,
    targetId: input.target.id,
    before: input.before ?? null,
    after: input.after ?? null,
    requestId: ctx.requestId,
  };
}
