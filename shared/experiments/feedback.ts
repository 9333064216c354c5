import { z } from "zod";
import { GatewayError } from "../errors/gateway-error";
import type { Db } from "../storage/postgres/db";
import { requestTenant, upsertFeedback } from "../storage/postgres/feedback";

/**
 * `POST /v1/feedback`: a rating of one answer by its request id (the `x-request-id` of the
 * response). `score` is in [-1, 1] (−1 bad, 0 neutral, 1 good; any value between, e.g. a 5-star
 * scale mapped by the client); `true`/`false` stand for 1/−1 (thumbs up/down).
 */
export const FeedbackInput = z.strictObject({
  requestId: z.string().min(1).max(128),
  score: z.union([z.number().min(-1).max(1), z.boolean().transform((up) => (up ? 1 : -1))]),
  comment: z.string().max(2000).optional(),
});
export type FeedbackInput = z.infer<typeof FeedbackInput>;

const requestNotFound = (id: string) => new GatewayError("not_found", `Request \`${id}\` not found`, { param: "requestId" });

/**
 * Stores the tenant's rating of a request, replacing an earlier one (idempotent per request id).
 * A request whose usage event is stored must be the tenant's (404 otherwise, as if it did not
 * exist). One not flushed yet (events reach Postgres within a minute) is accepted under the
 * caller's tenant: results join feedback only when its tenant is the event's, so a rating of
 * another tenant's request never counts, and once the owner rates it, the owner's row wins.
 * @throws GatewayError not_found
 * @example await recordFeedback(db, key.tenantId, { requestId, score: 1 });
 */
export async function recordFeedback(db: Db, tenantId: string, input: FeedbackInput): Promise<{ requestId: string; score: number }> {
  const owner = await requestTenant(db, input.requestId);
  if (owner !== null && owner !== tenantId) throw requestNotFound(input.requestId);
  const row = { requestId: input.requestId, tenantId, score: input.score, comment: input.comment ?? null };
  if (!(await upsertFeedback(db, row, { claim: owner === tenantId }))) throw requestNotFound(input.requestId);
  return { requestId: input.requestId, score: input.score };
}
