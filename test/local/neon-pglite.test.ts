import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client, NeonDbError, neon, neonConfig, Pool } from "@neondatabase/serverless";
import { sql as dsql, eq } from "drizzle-orm";
import { drizzle as drizzleHttp } from "drizzle-orm/neon-http";
import { drizzle as drizzleWs } from "drizzle-orm/neon-serverless";
import { bigint, jsonb, pgTable, serial, text, timestamp } from "drizzle-orm/pg-core";
import pg from "pg";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import ws from "ws";
import { type NeonStandIn, startNeon } from "../../local/neon/server";

let dataDir: string;
let neonStandIn: NeonStandIn;
let firstStartMs = 0;

const configKeys = ["fetchEndpoint", "wsProxy", "useSecureWebSocket", "pipelineTLS", "pipelineConnect", "webSocketConstructor"] as const;
let savedConfig: Record<string, unknown> = {};

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "edgeway-neon-pglite-"));
  const started = Date.now();
  neonStandIn = await startNeon({ backend: { kind: "pglite", dataDir: join(dataDir, "db") } });
  firstStartMs = Date.now() - started;
});

afterAll(async () => {
  await neonStandIn?.close();
  await rm(dataDir, { recursive: true, force: true });
});

beforeEach(() => {
  const config = neonConfig as unknown as Record<string, unknown>;
  savedConfig = Object.fromEntries(configKeys.map((key) => [key, config[key]]));
  neonConfig.fetchEndpoint = neonStandIn.sqlUrl;
  neonConfig.wsProxy = neonStandIn.wsProxy;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineTLS = false;
  neonConfig.pipelineConnect = false;
  neonConfig.webSocketConstructor = ws;
  neonStandIn.resetStats();
});

afterEach(() => {
  Object.assign(neonConfig as unknown as Record<string, unknown>, savedConfig);
});

type Failure = NeonDbError & { cause?: { code?: string } };

async function caught(promise: Promise<unknown>): Promise<Failure> {
  try {
    await promise;
  } catch (error) {
    return error as Failure;
  }
  throw new Error("expected a rejection");
}

const notes = pgTable("notes", {
  id: serial("id").primaryKey(),
  body: text("body").notNull(),
  meta: jsonb("meta").$type<{ n: number }>(),
  at: timestamp("at", { withTimezone: true }).notNull(),
  big: bigint("big", { mode: "bigint" }).notNull(),
});

describe("neon stand-in on PGlite", () => {
  it("starts PGlite with a persisted data dir and a loopback connection string", () => {
    console.info(`PGlite stand-in started in ${firstStartMs} ms (new data dir)`);
    expect(neonStandIn.databaseUrl).toMatch(/^postgres:\/\/postgres:postgres@127\.0\.0\.1:\d+\/postgres$/);
  });

  it("answers neon() queries and transactions over HTTP", async () => {
    const sql = neon(neonStandIn.databaseUrl);
    const when = new Date("2024-05-06T07:08:09.010Z");
    expect(
      await sql`select ${7}::int as i, ${"8"}::int8 as b, ${when}::timestamptz as at, ${{ a: 1 }}::jsonb as j, ${[1, 2]}::int[] as arr`,
    ).toEqual([{ i: 7, b: "8", at: when, j: { a: 1 }, arr: [1, 2] }]);
    await sql`create table accounts (id int primary key, balance int not null check (balance >= 0))`;
    await sql.transaction([sql`insert into accounts values (1, 10), (2, 0)`]);
    const failed = await caught(
      sql.transaction([
        sql`update accounts set balance = balance + 5 where id = 2`,
        sql`update accounts set balance = balance - 50 where id = 1`,
      ]),
    );
    expect(failed).toBeInstanceOf(NeonDbError);
    expect(failed.code).toBe("23514");
    expect(await sql`select id, balance from accounts order by id`).toEqual([
      { id: 1, balance: 10 },
      { id: 2, balance: 0 },
    ]);
    const [isolation] = await sql.transaction([sql`select current_setting('transaction_isolation') as v`], {
      isolationLevel: "Serializable",
    });
    expect(isolation).toEqual([{ v: "serializable" }]);
    expect(neonStandIn.stats()).toMatchObject({ requests: 6, httpQueries: 7, httpBatches: 3, errors: 1 });
  });

  it("does not leak a transaction opened by a single HTTP statement", async () => {
    const sql = neon(neonStandIn.databaseUrl);
    await sql`begin`;
    await sql`insert into accounts values (3, 3)`;
    const client = new Client(neonStandIn.databaseUrl);
    await client.connect();
    try {
      expect((await client.query("select balance from accounts where id = 3")).rows).toEqual([{ balance: 3 }]);
    } finally {
      await client.end();
    }
  });

  it("runs WebSocket transactions one session at a time", async () => {
    const writer = new Client(neonStandIn.databaseUrl);
    const reader = new Client(neonStandIn.databaseUrl);
    await writer.connect();
    await reader.connect();
    try {
      await writer.query("create table ledger (id serial primary key, note text not null unique)");
      await writer.query("begin");
      await writer.query("insert into ledger (note) values ($1)", ["first"]);
      let readerDone = false;
      const read = reader.query("select count(*)::int as n from ledger").then((result) => {
        readerDone = true;
        return result.rows;
      });
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(readerDone).toBe(false);
      await writer.query("commit");
      expect(await read).toEqual([{ n: 1 }]);

      const duplicate = await caught(writer.query("insert into ledger (note) values ($1)", ["first"]));
      expect(duplicate).toMatchObject({ code: "23505", constraint: "ledger_note_key" });
      expect((await writer.query("select note from ledger")).rows).toEqual([{ note: "first" }]);
    } finally {
      await writer.end();
      await reader.end();
    }
    expect(neonStandIn.stats()).toMatchObject({ wsConnections: 2, wsStatements: 7 });
  });

  it("serves concurrent pooled clients, HTTP queries and direct TCP clients without interleaving", async () => {
    const pool = new Pool({ connectionString: neonStandIn.databaseUrl, max: 4 });
    pool.on("error", () => undefined);
    const sql = neon(neonStandIn.databaseUrl);
    const direct = await Promise.all(
      [0, 1].map(async () => {
        const client = new pg.Client(neonStandIn.databaseUrl);
        await client.connect();
        return client;
      }),
    );
    try {
      await pool.query("create table counter (id int primary key, n int not null)");
      await pool.query("insert into counter values (1, 0)");
      const transactions = Array.from({ length: 6 }, async (_, i) => {
        const client = await pool.connect();
        try {
          await client.query("begin");
          await client.query("update counter set n = n + $1 where id = 1", [i + 1]);
          await client.query("commit");
        } finally {
          client.release();
        }
      });
      const httpReads = Array.from({ length: 6 }, async (_, i) => (await sql`select ${i}::int + 100 as v`)[0]?.v);
      const directReads = direct.map(async (client, c) => {
        const seen: unknown[] = [];
        for (let i = 0; i < 15; i++) seen.push((await client.query("select $1::text || $2 as v", [String(i), c])).rows[0].v);
        return seen;
      });
      await Promise.all(transactions);
      expect(await Promise.all(httpReads)).toEqual([100, 101, 102, 103, 104, 105]);
      expect(await Promise.all(directReads)).toEqual([0, 1].map((c) => Array.from({ length: 15 }, (_, i) => `${i}${c}`)));
      expect((await pool.query("select n from counter")).rows).toEqual([{ n: 21 }]);
    } finally {
      await pool.end();
      await Promise.all(direct.map((client) => client.end()));
    }
  });

  it("keeps working across many short WebSocket sessions (Terminate closes the TCP side)", async () => {
    for (let i = 0; i < 15; i++) {
      const client = new Client(neonStandIn.databaseUrl);
      await client.connect();
      expect((await client.query("select $1::int as i", [i])).rows).toEqual([{ i }]);
      await client.end();
    }
    expect(neonStandIn.stats()).toMatchObject({ wsConnections: 15, wsStatements: 15 });
  });

  it("works with drizzle over neon-http and neon-serverless", async () => {
    const at = new Date("2025-01-02T03:04:05.006Z");
    const http = drizzleHttp({ client: neon(neonStandIn.databaseUrl) });
    await http.execute(
      dsql`create table notes (id serial primary key, body text not null, meta jsonb, at timestamptz not null, big bigint not null)`,
    );
    const [first] = await http
      .insert(notes)
      .values({ body: "a", meta: { n: 1 }, at, big: 2n ** 60n })
      .returning();
    expect(first).toEqual({ id: 1, body: "a", meta: { n: 1 }, at, big: 2n ** 60n });

    const pool = new Pool({ connectionString: neonStandIn.databaseUrl });
    pool.on("error", () => undefined);
    try {
      const wsDb = drizzleWs({ client: pool });
      await wsDb.transaction(async (tx) => {
        await tx.update(notes).set({ body: "b" }).where(eq(notes.id, 1));
        await tx.insert(notes).values({ body: "c", at, big: 3n });
      });
      expect(await wsDb.select({ body: notes.body, big: notes.big }).from(notes).orderBy(notes.id)).toEqual([
        { body: "b", big: 2n ** 60n },
        { body: "c", big: 3n },
      ]);
    } finally {
      await pool.end();
    }
  });

  it("persists the data dir across a clean restart", async () => {
    await neonStandIn.close();
    const started = Date.now();
    neonStandIn = await startNeon({ backend: { kind: "pglite", dataDir: join(dataDir, "db") } });
    console.info(`PGlite stand-in restarted in ${Date.now() - started} ms (existing data dir)`);
    neonConfig.fetchEndpoint = neonStandIn.sqlUrl;
    neonConfig.wsProxy = neonStandIn.wsProxy;
    const sql = neon(neonStandIn.databaseUrl);
    expect(await sql`select body from notes order by id`).toEqual([{ body: "b" }, { body: "c" }]);
    expect(await sql`select n from counter`).toEqual([{ n: 21 }]);
  });
});
