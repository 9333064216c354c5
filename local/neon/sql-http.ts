import type { IncomingMessage, ServerResponse } from "node:http";
import pg from "pg";
import type { PoolRegistry, PoolTarget } from "./pools";
import { HttpError, parseConnectionString, parseFlags, parsePayload, type QueryData, type RequestFlags, readBody } from "./sql-request";
import { batchHeaders, errorResponse, formatResult, sendJson } from "./sql-response";
import type { NeonStats } from "./stats";

const RAW_TEXT_TYPES = { getTypeParser: () => (value: string) => value } as unknown as pg.CustomTypesConfig;

type ExtendedArrayQuery = pg.QueryArrayConfig & { queryMode: "extended" };

/** Options for {@link createSqlEndpoint}. */
export interface SqlEndpointOptions {
  readonly stats: NeonStats;
  readonly pools: PoolRegistry;
}

/**
 * Serves Neon's SQL-over-HTTP protocol (`POST /sql`) as `neon()` and drizzle-orm/neon-http use it. Each
 * statement runs through the extended protocol (one statement per query, as on Neon) with every value
 * returned as text; a batch runs in one transaction and is rolled back on the first error.
 */
export function createSqlEndpoint(options: SqlEndpointOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const { stats, pools } = options;

  const execute = (client: pg.PoolClient, data: QueryData, flags: RequestFlags) => {
    stats.counters.httpQueries += 1;
    const config: ExtendedArrayQuery = {
      text: data.query,
      values: data.params,
      rowMode: "array",
      types: RAW_TEXT_TYPES,
      queryMode: "extended",
    };
    return client
      .query<Array<string | null>>(config)
      .then((result) => formatResult(result, data.arrayMode ?? flags.arrayMode, flags.rawTextOutput));
  };

  const withClient = async <T>(target: PoolTarget, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> => {
    const client = await pools.connect(target);
    let broken = false;
    try {
      return await fn(client);
    } catch (error) {
      broken = !(error instanceof pg.DatabaseError);
      throw error;
    } finally {
      client.release(broken || !pools.isIdle(client));
    }
  };

  const runBatch = (target: PoolTarget, queries: QueryData[], flags: RequestFlags) =>
    withClient(target, async (client) => {
      await client.query(startTransactionSql(flags));
      try {
        const results = [];
        for (const data of queries) results.push(await execute(client, data, flags));
        await client.query("COMMIT");
        return { results };
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw error;
      }
    });

  return async (req, res) => {
    try {
      if (req.method !== "POST") throw new HttpError(405, "method not allowed");
      const target = parseConnectionString(req.headers["neon-connection-string"]);
      const flags = parseFlags(req);
      const payload = parsePayload(await readBody(req));
      if (!Array.isArray(payload)) {
        sendJson(res, 200, await withClient(target, (client) => execute(client, payload, flags)), {});
        return;
      }
      stats.counters.httpBatches += 1;
      sendJson(res, 200, await runBatch(target, payload, flags), batchHeaders(flags));
    } catch (error) {
      stats.counters.errors += 1;
      const { status, body } = errorResponse(error);
      sendJson(res, status, body, {});
    }
  };
}

function startTransactionSql(flags: RequestFlags): string {
  const modes: string[] = [];
  if (flags.isolationLevel) modes.push(`ISOLATION LEVEL ${flags.isolationLevel}`);
  if (flags.readOnly) modes.push("READ ONLY");
  if (flags.deferrable) modes.push("DEFERRABLE");
  return modes.length > 0 ? `START TRANSACTION ${modes.join(", ")}` : "START TRANSACTION";
}
