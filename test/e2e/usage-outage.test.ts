import OpenAI from "openai";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { MockUpstream } from "../../local/mock-upstream/server";
import { type NeonStandIn, startNeon } from "../../local/neon/server";
import { seedTenant } from "../../local/seed";
import { type Gateway, startIsolatedGateway } from "../helpers/node/gateway";

const stack = inject("stack");
let neon: NeonStandIn;
let gw: Gateway & { mock: MockUpstream };
let client: OpenAI;

beforeAll(async () => {
  // A Neon endpoint of this file's own, in front of the run's database, so it can be stopped.
  neon = await startNeon({ backend: { kind: "postgres", databaseUrl: stack.databaseUrl }, port: 0 });
  const tenant = await seedTenant(stack.databaseUrl, "outage test");
  gw = await startIsolatedGateway({
    NEON_HTTP_ENDPOINT: neon.sqlUrl,
    // Its own usage stream and caches, so no other gateway of the run flushes these events.
    REDIS_KEY_PREFIX: `${stack.bindings.REDIS_KEY_PREFIX}outage-${crypto.randomUUID()}:`,
  });
  client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: tenant.apiKey, maxRetries: 0 });
});
afterAll(async () => {
  await gw?.stop();
  await neon?.close();
});

async function call(i: number): Promise<string> {
  const messages = [{ role: "user" as const, content: `Request ${i} [[words:3]]` }];
  if (i % 2) {
    const { response } = await client.chat.completions.create({ model: "mock-small", messages }).withResponse();
    return response.headers.get("x-request-id") ?? "";
  }
  const { data: stream, response } = await client.chat.completions.create({ model: "mock-small", messages, stream: true }).withResponse();
  for await (const _chunk of stream) {
  }
  return response.headers.get("x-request-id") ?? "";
}

async function countStored(ids: string[]): Promise<Map<string, number>> {
  const db = new pg.Client({ connectionString: stack.databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query<{ request_id: string; n: string }>(
      "select request_id, count(*) as n from usage_events where request_id = any($1) group by request_id",
      [ids],
    );
    return new Map(rows.map((r) => [r.request_id, Number(r.n)]));
  } finally {
    await db.end();
  }
}

const cron = () => fetch(`${gw.url}/__scheduled?cron=*+*+*+*+*`);

describe("usage under a Postgres outage", () => {
  it("serves through the outage and, once Postgres is back, stores every event exactly once", async () => {
    const ids = [await call(1), await call(2)];
    const port = neon.port;
    await neon.close();

    for (let i = 3; i < 23; i++) ids.push(await call(i));
    await cron();
    expect((await countStored(ids)).size).toBeLessThan(ids.length);

    neon = await startNeon({ backend: { kind: "postgres", databaseUrl: stack.databaseUrl }, port });
    const deadline = Date.now() + 10_000;
    let stored = await countStored(ids);
    while (stored.size < ids.length && Date.now() < deadline) {
      await cron();
      stored = await countStored(ids);
    }
    expect(new Set(ids).size).toBe(22);
    expect([...stored.keys()].sort()).toEqual([...ids].sort());
    expect([...stored.values()].every((n) => n === 1)).toBe(true);

    await cron();
    expect([...(await countStored(ids)).values()].every((n) => n === 1)).toBe(true);
  });
});
