import type { Redis } from "@upstash/redis/cloudflare";
import type { Db } from "../storage/postgres/db";
import { insertUsageEvents } from "../storage/postgres/usage-events";
import { toRow, USAGE_STREAM, type UsageEventJson } from "./usage-event";

export type FlushDeps = { redis: Redis; db: Db; keyPrefix: string };
export type FlushResult = { read: number; inserted: number; batches: number; error?: string };

export type FlushOptions = {
  /** Events per Postgres statement. @default 500 */
  batchSize?: number;
  /** Stop after this many batches (the cron comes back). @default 20 */
  maxBatches?: number;
};

function parse(fields: unknown): UsageEventJson | undefined {
  const raw = (fields as { e?: unknown } | undefined)?.e;
  if (typeof raw === "string") return JSON.parse(raw) as UsageEventJson;
  return raw && typeof raw === "object" ? (raw as UsageEventJson) : undefined;
}

/**
 * Moves buffered usage events from the Redis stream to Postgres in batches. Entries are deleted
 * from the stream only after their insert committed; the insert skips request ids already stored,
 * so a crash between the two, or two flushes racing, never double-counts. A Postgres failure
 * leaves the entries in the stream for the next flush.
 */
export async function flushUsage(deps: FlushDeps, opts: FlushOptions = {}): Promise<FlushResult> {
  const stream = `${deps.keyPrefix}${USAGE_STREAM}`;
  const batchSize = opts.batchSize ?? 500;
  const result: FlushResult = { read: 0, inserted: 0, batches: 0 };
  for (let i = 0; i < (opts.maxBatches ?? 20); i++) {
    const entries = Object.entries(await deps.redis.xrange(stream, "-", "+", batchSize));
    if (entries.length === 0) break;
    const rows = entries.flatMap(([, fields]) => {
      const event = parse(fields);
      return event ? [toRow(event)] : [];
    });
    try {
      result.inserted += await insertUsageEvents(deps.db, rows);
    } catch (err) {
      result.error = err instanceof Error ? err.message : String(err);
      break;
    }
    await deps.redis.xdel(
      stream,
      entries.map(([id]) => id),
    );
    result.read += entries.length;
    result.batches++;
    if (entries.length < batchSize) break;
  }
  return result;
}
