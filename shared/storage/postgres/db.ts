import { neon, neonConfig } from "@neondatabase/serverless";
import { drizzle, type NeonHttpDatabase } from "drizzle-orm/neon-http";
import * as schema from "../../../schema";
import type { Env } from "../../config/env";

export type Db = NeonHttpDatabase<typeof schema>;

/**
 * drizzle over Neon's HTTP driver: one HTTPS request per statement (or per batch), no connection to
 * keep, which suits the few single-statement queries an edge request makes.
 *
 * `NEON_HTTP_ENDPOINT` (local stand-in only) is a global of the driver, not a per-call option: set it
 * here, once per isolate. An isolate serves one env, so this is safe.
 * @example const db = createDb(env); await db.select().from(tenants).limit(1);
 */
export function createDb(env: Pick<Env, "DATABASE_URL" | "NEON_HTTP_ENDPOINT">): Db {
  if (env.NEON_HTTP_ENDPOINT) neonConfig.fetchEndpoint = env.NEON_HTTP_ENDPOINT;
  return drizzle(neon(env.DATABASE_URL), { schema });
}
