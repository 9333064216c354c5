import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis as IORedis } from "ioredis";
import type { TestProject } from "vitest/node";
import { createDatabase, DEFAULT_POSTGRES_URL, dropDatabase, postgresReachable } from "../local/postgres";
import { seedDev } from "../local/seed";
import { type PostgresChoice, startStack } from "../local/stack";
import { newApiKey } from "../shared/auth/keys";
import type { StackInfo } from "./helpers/stack-info";

/**
 * Starts the offline stack once per test run: the machine's Postgres with a database created for
 * this run (PGlite when no Postgres answers) and its Redis under a per-run key prefix.
 */
export default async function setup(project: TestProject) {
  const runId = randomBytes(4).toString("hex");
  const dataDir = mkdtempSync(join(tmpdir(), `edgeway-test-${runId}-`));
  const serverUrl = process.env.TEST_DATABASE_URL ?? DEFAULT_POSTGRES_URL;
  const dbName = `edgeway_test_${runId}`;
  const postgres: PostgresChoice = (await postgresReachable(serverUrl))
    ? { kind: "postgres", databaseUrl: await createDatabase(serverUrl, dbName) }
    : { kind: "pglite", dataDir: join(dataDir, "pglite") };
  const redisKeyPrefix = `ewtest:${runId}:`;
  const stack = await startStack({ dataDir, postgres, redisKeyPrefix, environment: "test" });
  const seed = await seedDev(stack.neon.databaseUrl, newApiKey("test"));

  const info: StackInfo = {
    runId,
    bindings: stack.bindings,
    apiKey: seed.apiKey,
    tenantId: seed.tenantId,
    keyId: seed.keyId,
    redisUrl: stack.redisUrl,
    databaseUrl: stack.neon.databaseUrl,
    postgresKind: postgres.kind,
    urls: {
      redisRest: stack.redisRest.url,
      neonSql: stack.neon.sqlUrl,
      neonWsProxy: stack.neon.wsProxy,
      vectorRest: stack.vector.url,
      mockUpstream: stack.mock.url,
      mockControl: stack.mock.controlUrl,
    },
    stats: {
      redisRest: stack.redisRest.statsUrl,
      neon: stack.neon.statsUrl,
      vectorRest: stack.vector.statsUrl,
      mockUpstream: stack.mock.statsUrl,
    },
  };
  project.provide("stack", info);

  return async () => {
    await stack.close();
    if (postgres.kind === "postgres") await dropDatabase(serverUrl, dbName);
    await deleteKeys(stack.redisUrl, `${redisKeyPrefix}*`);
    rmSync(dataDir, { recursive: true, force: true });
  };
}

async function deleteKeys(redisUrl: string, pattern: string): Promise<void> {
  const redis = new IORedis(redisUrl, { lazyConnect: true });
  await redis.connect().catch(() => {});
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}
