import type { Budget } from "../config/tenant";
import { raiseAlert } from "../storage/postgres/alerts";
import type { Db } from "../storage/postgres/db";
import { budgetMonth } from "./policy";

/** Share of the budget that raises the soft alert when the tenant does not say. */
export const DEFAULT_ALERT_PERCENT = 80;

// Isolate-scoped on purpose: once this isolate has raised (or seen raised) a tenant's alert for a
// month, later requests skip the Postgres statement. The unique constraint keeps it once globally.
const raised = new Set<string>();

/**
 * After a request settled: when the tenant's month spend (`spentMicroUsd`) has crossed the soft
 * threshold, records a `budget_soft_limit` alert once per tenant and month, and POSTs it to the
 * tenant's webhook when one is set. Runs after the response (waitUntil); failures are logged.
 */
export async function checkBudgetAlert(
  deps: { db: Db; fetch?: typeof fetch },
  tenantId: string,
  budget: Budget | undefined,
  spentMicroUsd: number,
  now: number,
): Promise<boolean> {
  if (!budget) return false;
  const limit = Math.round(budget.monthlyUsd * 1_000_000);
  const percent = budget.alertAtPercent ?? DEFAULT_ALERT_PERCENT;
  const period = budgetMonth(now);
  const memo = `${tenantId}:${period}`;
  if (spentMicroUsd * 100 < limit * percent || raised.has(memo)) return false;
  raised.add(memo);
  const payload = { tenantId, period, spentMicroUsd, budgetMicroUsd: limit, percent };
  const message = `Tenant ${tenantId} has spent ${(spentMicroUsd / 1e6).toFixed(6)} USD of its ${budget.monthlyUsd} USD budget for ${period} (alert at ${percent}%).`;
  const isNew = await raiseAlert(deps.db, { tenantId, kind: "budget_soft_limit", period, message, payload });
  if (isNew && budget.webhookUrl) {
    const res = await (deps.fetch ?? fetch)(budget.webhookUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ type: "budget_soft_limit", message, ...payload }),
    });
    if (!res.ok) console.warn(JSON.stringify({ level: "warn", msg: "budget webhook failed", tenantId, status: res.status }));
    await res.body?.cancel();
  }
  return isNew;
}
