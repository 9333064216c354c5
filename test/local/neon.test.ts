import { randomBytes } from "node:crypto";
import { Client, NeonDbError, neon, neonConfig, Pool } from "@neondatabase/serverless";
import { sql as dsql, eq } from "drizzle-orm";
import { drizzle as drizzleHttp } from "drizzle-orm/neon-http";
import { drizzle as drizzleWs } from "drizzle-orm/neon-serverless";
import { bigint, boolean, customType, integer, jsonb, numeric, pgTable, serial, text, timestamp } from "drizzle-orm/pg-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import ws from "ws";
import { type NeonStandIn, startNeon } from "../../local/neon/server";
import { createDatabase, DEFAULT_POSTGRES_URL, dropDatabase } from "../../local/postgres";

const dbName = `edgeway_neon_test_${randomBytes(6).toString("hex")}`;
let neonStandIn: NeonStandIn;
let databaseUrl: string;

const configKeys = ["fetchEndpoint", "wsProxy", "useSecureWebSocket", "pipelineTLS", "pipelineConnect", "webSocketConstructor"] as const;
let savedConfig: Record<string, unknown> = {};

beforeAll(async () => {
  databaseUrl = await createDatabase(DEFAULT_POSTGRES_URL, dbName);
  neonStandIn = await startNeon({ backend: { kind: "postgres", databaseUrl }, port: 0 });
});

afterAll(async () => {
  await neonStandIn?.close();
  await dropDatabase(DEFAULT_POSTGRES_URL, dbName);
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

async function rawSql(
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(neonStandIn.sqlUrl, {
    method: "POST",
    headers: { "Neon-Connection-String": databaseUrl, ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown>, headers: response.headers };
}

type Failure = NeonDbError & { cause?: { code?: string } };

async function caught(promise: Promise<unknown>): Promise<Failure> {
  try {
    await promise;
  } catch (error) {
    return error as Failure;
  }
  throw new Error("expected a rejection");
}

describe("neon stand-in: shape", () => {
  it("exposes the StandIn fields and Neon URLs", () => {
    expect(neonStandIn.name).toBe("neon");
    expect(neonStandIn.databaseUrl).toBe(databaseUrl);
    expect(neonStandIn.url).toBe(`http://127.0.0.1:${neonStandIn.port}`);
    expect(neonStandIn.sqlUrl).toBe(`http://127.0.0.1:${neonStandIn.port}/sql`);
    expect(neonStandIn.wsProxy).toBe(`127.0.0.1:${neonStandIn.port}/v2`);
    expect(neonStandIn.statsUrl).toBe(`http://127.0.0.1:${neonStandIn.port}/__stats`);
  });
});

describe("neon stand-in: HTTP /sql through neon()", () => {
  it("round-trips parameters of every common type in tagged templates", async () => {
    const sql = neon(databaseUrl);
    const when = new Date("2024-01-02T03:04:05.678Z");
    const rows = await sql`
      select ${42}::int4 as i, ${"9007199254740993"}::int8 as big, ${"12.50"}::numeric as num, ${true}::bool as flag,
             ${when}::timestamptz as at, ${{ a: [1, "x"], b: null }}::jsonb as doc, ${[1, 2, 3]}::int4[] as ints,
             ${["a", 'b"c', null]}::text[] as texts, ${Buffer.from([0, 1, 255])}::bytea as bytes, ${null}::text as nothing,
             ${"it's"} as quoted, ${BigInt(123)}::int8 as from_bigint`;
    expect(rows).toEqual([
      {
        i: 42,
        big: "9007199254740993",
        num: "12.50",
        flag: true,
        at: when,
        doc: { a: [1, "x"], b: null },
        ints: [1, 2, 3],
        texts: ["a", 'b"c', null],
        bytes: Buffer.from([0, 1, 255]),
        nothing: null,
        quoted: "it's",
        from_bigint: "123",
      },
    ]);
    expect(rows[0]?.at).toBeInstanceOf(Date);
  });

  it("supports .query() with params, fullResults and arrayMode", async () => {
    const sql = neon(databaseUrl);
    await sql`create table q_items (id serial primary key, name text not null unique, qty int4)`;
    const inserted = await sql.query("insert into q_items (name, qty) values ($1, $2), ($3, $4) returning id", ["a", 1, "b", 2], {
      fullResults: true,
    });
    expect(inserted.command).toBe("INSERT");
    expect(inserted.rowCount).toBe(2);
    expect(inserted.rows).toEqual([{ id: 1 }, { id: 2 }]);
    expect(inserted.fields).toEqual([
      expect.objectContaining({ name: "id", dataTypeID: 23, columnID: 1, dataTypeSize: 4, dataTypeModifier: -1, format: "text" }),
    ]);
    expect(inserted.fields[0]?.tableID).toBeGreaterThan(0);

    const asArrays = await sql.query("select name, qty from q_items order by id", [], { arrayMode: true });
    expect(asArrays).toEqual([
      ["a", 1],
      ["b", 2],
    ]);
    const full = await sql.query("select name from q_items where qty > $1", [1], { arrayMode: true, fullResults: true });
    expect(full.rows).toEqual([["b"]]);
    expect(full.rowAsArray).toBe(true);
    expect(full.rowCount).toBe(1);

    const updated = await sql.query("update q_items set qty = qty + 1", [], { fullResults: true });
    expect(updated).toMatchObject({ command: "UPDATE", rowCount: 2, rows: [], fields: [] });
    const created = await sql.query("create table q_other (id int)", [], { fullResults: true });
    expect(created).toMatchObject({ command: "CREATE", rowCount: null, rows: [] });
  });

  it("maps Postgres errors onto NeonDbError like Neon", async () => {
    const sql = neon(databaseUrl);
    await sql`create table e_items (name text constraint e_items_name_key unique)`;
    await sql`insert into e_items values ('x')`;
    const duplicate = await caught(sql`insert into e_items values (${"x"})`);
    expect(duplicate).toBeInstanceOf(NeonDbError);
    expect(duplicate).toMatchObject({
      code: "23505",
      constraint: "e_items_name_key",
      table: "e_items",
      schema: "public",
      severity: "ERROR",
      detail: "Key (name)=(x) already exists.",
    });
    expect(duplicate.message).toBe('duplicate key value violates unique constraint "e_items_name_key"');

    const missing = await caught(sql`select * from no_such_table`);
    expect(missing).toMatchObject({ code: "42P01", position: "15", message: 'relation "no_such_table" does not exist' });
    expect(missing.hint).toBeUndefined();

    const twoStatements = await caught(sql.query("select 1; select 2"));
    expect(twoStatements.code).toBe("42601");
  });

  it("runs sql.transaction() in one transaction with the requested options", async () => {
    const sql = neon(databaseUrl);
    const [isolation, readOnly, deferrable] = await sql.transaction(
      [
        sql`select current_setting('transaction_isolation') as v`,
        sql`select current_setting('transaction_read_only') as v`,
        sql`select current_setting('transaction_deferrable') as v`,
      ],
      { isolationLevel: "Serializable", readOnly: true, deferrable: true },
    );
    expect([isolation, readOnly, deferrable]).toEqual([[{ v: "serializable" }], [{ v: "on" }], [{ v: "on" }]]);

    const [defaults] = await sql.transaction([
      sql`select current_setting('transaction_isolation') as v, txid_current() as a, txid_current() as b`,
    ]);
    expect(defaults).toEqual([{ v: "read committed", a: expect.any(String), b: expect.any(String) }]);

    await sql`create table t_accounts (id int primary key, balance int not null check (balance >= 0))`;
    const results = await sql.transaction(
      (tx) => [
        tx`insert into t_accounts values (1, 100), (2, 0)`,
        tx`update t_accounts set balance = balance - 30 where id = 1`,
        tx`update t_accounts set balance = balance + 30 where id = 2 returning balance`,
      ],
      { isolationLevel: "RepeatableRead" },
    );
    expect(results).toEqual([[], [], [{ balance: 30 }]]);

    const failed = await caught(
      sql.transaction([
        sql`update t_accounts set balance = balance + 1000 where id = 2`,
        sql`insert into t_accounts values (3, 5)`,
        sql`update t_accounts set balance = balance - 1000 where id = 1`,
      ]),
    );
    expect(failed).toBeInstanceOf(NeonDbError);
    expect(failed.code).toBe("23514");
    expect(await sql`select id, balance from t_accounts order by id`).toEqual([
      { id: 1, balance: 70 },
      { id: 2, balance: 30 },
    ]);

    const readOnlyWrite = await caught(sql.transaction([sql`insert into t_accounts values (9, 9)`], { readOnly: true }));
    expect(readOnlyWrite.code).toBe("25006");
  });

  it("honours per-query arrayMode and fullResults inside a transaction", async () => {
    const sql = neon(databaseUrl);
    const mixed = [sql.query("select 1 as one", [], { arrayMode: true }), sql.query("select 2 as two", [], { fullResults: true })];
    const [a, b] = await sql.transaction(mixed as unknown as Array<ReturnType<typeof sql>>);
    expect(a).toEqual([[1]]);
    expect(b).toMatchObject({ command: "SELECT", rowCount: 1, rows: [{ two: 2 }] });
  });
});

describe("neon stand-in: HTTP /sql wire contract", () => {
  it("answers raw text rows in array mode when the driver's headers are sent", async () => {
    const { status, json, headers } = await rawSql(
      { query: "select $1::int4 as n, $2::text as t, null::int as z, '{1,2}'::int[] as a", params: ["7", "x"] },
      { "Neon-Raw-Text-Output": "true", "Neon-Array-Mode": "true" },
    );
    expect(status).toBe(200);
    expect(headers.get("content-type")).toBe("application/json");
    expect(json).toEqual({
      command: "SELECT",
      rowCount: 1,
      rows: [["7", "x", null, "{1,2}"]],
      fields: [
        { name: "n", dataTypeID: 23, tableID: 0, columnID: 0, dataTypeSize: 4, dataTypeModifier: -1, format: "text" },
        { name: "t", dataTypeID: 25, tableID: 0, columnID: 0, dataTypeSize: -1, dataTypeModifier: -1, format: "text" },
        { name: "z", dataTypeID: 23, tableID: 0, columnID: 0, dataTypeSize: 4, dataTypeModifier: -1, format: "text" },
        { name: "a", dataTypeID: 1007, tableID: 0, columnID: 0, dataTypeSize: -1, dataTypeModifier: -1, format: "text" },
      ],
      rowAsArray: true,
    });
  });

  it("answers JSON-typed objects without those headers, and accepts JSON-typed params", async () => {
    const { status, json } = await rawSql({
      query:
        "select $1::int4 as i, $2::int8 as big, $3::bool as b, $4::jsonb as j, $5::int4[] as arr, $6::float8 as f, $7::text[] as tx, 'NaN'::float8 as nan",
      params: [5, "9007199254740993", true, { k: [1] }, [1, null, 3], 1.5, ["a,b", 'q"', "NULL"]],
    });
    expect(status).toBe(200);
    expect(json.rowAsArray).toBe(false);
    expect(json.rows).toEqual([
      { i: 5, big: "9007199254740993", b: true, j: { k: [1] }, arr: [1, null, 3], f: 1.5, tx: ["a,b", 'q"', "NULL"], nan: "NaN" },
    ]);
    const perQuery = await rawSql({ query: "select 1 as x", arrayMode: true });
    expect(perQuery.json.rows).toEqual([[1]]);
  });

  it("answers batches as {results}, echoing the transaction headers", async () => {
    const { status, json, headers } = await rawSql(
      {
        queries: [
          { query: "select 1 as a", params: [] },
          { query: "select $1 as b", params: ["x"] },
        ],
      },
      { "Neon-Array-Mode": "true", "Neon-Batch-Isolation-Level": "RepeatableRead", "Neon-Batch-Read-Only": "true" },
    );
    expect(status).toBe(200);
    expect((json.results as Array<{ rows: unknown }>).map((r) => r.rows)).toEqual([[[1]], [["x"]]]);
    expect(headers.get("neon-batch-isolation-level")).toBe("RepeatableRead");
    expect(headers.get("neon-batch-read-only")).toBe("true");
    expect(headers.get("neon-batch-deferrable")).toBeNull();
  });

  it("rejects bad requests with Neon-style 400 bodies", async () => {
    const error = await rawSql({ query: "select * from missing_table" });
    expect(error.status).toBe(400);
    expect(error.json).toMatchObject({
      message: 'relation "missing_table" does not exist',
      code: "42P01",
      position: "15",
      detail: null,
      hint: null,
    });
    expect(Object.keys(error.json).sort()).toEqual(
      [
        "message",
        "code",
        "detail",
        "hint",
        "position",
        "internalPosition",
        "internalQuery",
        "severity",
        "where",
        "table",
        "column",
        "schema",
        "dataType",
        "constraint",
        "file",
        "line",
        "routine",
      ].sort(),
    );

    const remote = await rawSql({ query: "select 1" }, { "Neon-Connection-String": "postgres://u:p@db.example.com/neondb" });
    expect(remote.status).toBe(400);
    expect(remote.json.message).toMatch(/loopback/);

    const noHeader = await fetch(neonStandIn.sqlUrl, { method: "POST", body: JSON.stringify({ query: "select 1" }) });
    expect(noHeader.status).toBe(400);
    expect((await noHeader.json()).message).toBe("invalid header: neon-connection-string");

    const isolation = await rawSql({ queries: [] }, { "Neon-Batch-Isolation-Level": "Chaos" });
    expect(isolation).toMatchObject({ status: 400, json: { message: "invalid isolation level" } });

    const badJson = await fetch(neonStandIn.sqlUrl, { method: "POST", headers: { "Neon-Connection-String": databaseUrl }, body: "{" });
    expect(badJson.status).toBe(400);
    expect((await badJson.json()).message).toMatch(/^could not parse the HTTP request body/);

    const unknownDb = await rawSql(
      { query: "select 1" },
      { "Neon-Connection-String": `postgres://postgres@127.0.0.1:5432/${dbName}_missing` },
    );
    expect(unknownDb.status).toBe(400);
    expect(unknownDb.json.code).toBe("3D000");
  });

  it("counts requests, statements, batches and errors exactly", async () => {
    const sql = neon(databaseUrl);
    await sql`select 1`;
    await sql.transaction([sql`select 1`, sql`select 2`, sql`select 3`]);
    await caught(sql`select * from nope`);
    await caught(sql.transaction([sql`select 1`, sql`select * from nope`, sql`select 3`]));
    expect(neonStandIn.stats()).toEqual({
      requests: 4,
      httpQueries: 1 + 3 + 1 + 2,
      httpBatches: 2,
      wsConnections: 0,
      wsStatements: 0,
      errors: 2,
      statements: 7,
    });
    const viaHttp = await (await fetch(neonStandIn.statsUrl)).json();
    expect(viaHttp).toEqual(neonStandIn.stats());
    expect((await fetch(neonStandIn.statsUrl, { method: "DELETE" })).ok).toBe(true);
    expect(neonStandIn.stats()).toEqual({
      requests: 0,
      httpQueries: 0,
      httpBatches: 0,
      wsConnections: 0,
      wsStatements: 0,
      errors: 0,
      statements: 0,
    });
  });
});

describe("neon stand-in: WebSocket /v2 through Client and Pool", () => {
  it("runs a multi-statement transaction that others only see after COMMIT", async () => {
    const writer = new Client(databaseUrl);
    const reader = new Client(databaseUrl);
    await writer.connect();
    await reader.connect();
    try {
      await writer.query("create table w_notes (id serial primary key, body text not null unique)");
      await writer.query("begin");
      await writer.query("insert into w_notes (body) values ($1), ($2)", ["one", "two"]);
      await writer.query("update w_notes set body = upper(body) where body = $1", ["two"]);
      expect((await reader.query("select count(*)::int as n from w_notes")).rows).toEqual([{ n: 0 }]);
      await writer.query("commit");
      expect((await reader.query("select body from w_notes order by id")).rows).toEqual([{ body: "one" }, { body: "TWO" }]);

      await writer.query("begin");
      await writer.query("insert into w_notes (body) values ('three')");
      const duplicate = await caught(writer.query("insert into w_notes (body) values ($1)", ["one"]));
      expect(duplicate).toMatchObject({ code: "23505", constraint: "w_notes_body_key", table: "w_notes" });
      const aborted = await caught(writer.query("select 1"));
      expect(aborted.code).toBe("25P02");
      await writer.query("rollback");
      expect((await reader.query("select count(*)::int as n from w_notes")).rows).toEqual([{ n: 2 }]);

      const missing = await caught(reader.query("select * from w_missing"));
      expect(missing).toMatchObject({ code: "42P01", message: 'relation "w_missing" does not exist' });
    } finally {
      await writer.end();
      await reader.end();
    }
  });

  it("serves concurrent pooled clients", async () => {
    const pool = new Pool({ connectionString: databaseUrl, max: 5 });
    pool.on("error", () => undefined);
    try {
      await pool.query("create table w_counter (id int primary key, n int not null)");
      await pool.query("insert into w_counter values (1, 0)");
      await Promise.all(
        Array.from({ length: 10 }, async (_, i) => {
          const client = await pool.connect();
          try {
            await client.query("begin");
            await client.query("update w_counter set n = n + $1 where id = 1", [i + 1]);
            await client.query("select pg_sleep(0.01)");
            await client.query("commit");
          } finally {
            client.release();
          }
        }),
      );
      expect((await pool.query("select n from w_counter")).rows).toEqual([{ n: 55 }]);
      const slow = await Promise.all(Array.from({ length: 5 }, (_, i) => pool.query("select pg_sleep(0.2), $1::int as i", [i])));
      expect(slow.map((r) => r.rows[0].i)).toEqual([0, 1, 2, 3, 4]);
    } finally {
      await pool.end();
    }
  });

  it("counts connections and statements exactly", async () => {
    const client = new Client(databaseUrl);
    await client.connect();
    await client.query("select 1");
    await client.query("select $1::int", [2]);
    await client.query("begin; select 1; commit");
    await caught(client.query("select * from nope"));
    await client.end();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(neonStandIn.stats()).toMatchObject({ requests: 1, wsConnections: 1, wsStatements: 4, statements: 4, httpQueries: 0, errors: 0 });
  });

  it("refuses non-loopback destinations", async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const socket = new ws(`ws://${neonStandIn.wsProxy}?address=10.1.2.3:5432`);
      socket.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
      socket.on("open", () => reject(new Error("should not open")));
      socket.on("error", () => undefined);
    });
    expect(status).toBe(403);
    const client = new Client("postgres://u:p@db.example.com:5432/neondb");
    client.on("error", () => undefined);
    await expect(client.connect()).rejects.toBeDefined();
    expect(neonStandIn.stats().errors).toBe(2);
  });
});

const bytea = customType<{ data: Buffer; driverData: Buffer | string }>({
  dataType: () => "bytea",
  toDriver: (value) => value,
  fromDriver: (value) => (Buffer.isBuffer(value) ? value : Buffer.from(value.replace(/^\\x/, ""), "hex")),
});

const gadgets = pgTable("gadgets", {
  id: serial("id").primaryKey(),
  name: text("name").notNull(),
  meta: jsonb("meta").$type<{ tags: string[]; nested?: { ok: boolean } }>(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
  big: bigint("big", { mode: "bigint" }).notNull(),
  count: bigint("count", { mode: "number" }),
  price: numeric("price", { precision: 12, scale: 4 }),
  active: boolean("active").notNull().default(true),
  labels: text("labels").array(),
  scores: integer("scores").array(),
  blob: bytea("blob"),
});

const createGadgets = `create table if not exists gadgets (
  id serial primary key, name text not null, meta jsonb, created_at timestamptz not null, big bigint not null,
  count bigint, price numeric(12,4), active boolean not null default true, labels text[], scores integer[], blob bytea)`;

describe("neon stand-in: drizzle-orm", () => {
  const createdAt = new Date("2025-06-07T08:09:10.123Z");
  const row = {
    name: "widget",
    meta: { tags: ["a", "b"], nested: { ok: true } },
    createdAt,
    big: 9007199254740993n,
    count: 42,
    price: "19.9900",
    labels: ["x", "y z", 'q"uote'],
    scores: [3, 1, 2],
    blob: Buffer.from("héllo\u0000", "utf8"),
  };

  it("inserts, selects, updates and batches over neon-http", async () => {
    const db = drizzleHttp({ client: neon(databaseUrl) });
    await db.execute(dsql.raw(createGadgets));
    await db.execute(dsql`truncate gadgets restart identity`);
    const [inserted] = await db.insert(gadgets).values(row).returning();
    expect(inserted).toEqual({ id: 1, active: true, ...row });
    expect(typeof inserted?.big).toBe("bigint");
    expect(inserted?.createdAt).toBeInstanceOf(Date);
    expect(Buffer.isBuffer(inserted?.blob)).toBe(true);

    await db
      .update(gadgets)
      .set({ active: false, price: "0.5", big: 1n, meta: { tags: [] } })
      .where(eq(gadgets.id, 1));
    const [updated] = await db.select().from(gadgets).where(eq(gadgets.id, 1));
    expect(updated).toMatchObject({ active: false, price: "0.5000", big: 1n, meta: { tags: [] }, createdAt });

    const [, selected] = await db.batch([
      db.insert(gadgets).values({ ...row, name: "second" }),
      db.select({ id: gadgets.id, name: gadgets.name }).from(gadgets).orderBy(gadgets.id),
    ]);
    expect(selected).toEqual([
      { id: 1, name: "widget" },
      { id: 2, name: "second" },
    ]);
  });

  it("inserts, selects, updates and rolls back transactions over neon-serverless", async () => {
    const pool = new Pool({ connectionString: databaseUrl });
    pool.on("error", () => undefined);
    try {
      const db = drizzleWs({ client: pool });
      await db.execute(dsql.raw(createGadgets));
      await db.execute(dsql`truncate gadgets restart identity`);
      const [inserted] = await db.insert(gadgets).values(row).returning();
      expect(inserted).toEqual({ id: 1, active: true, ...row });
      expect(typeof inserted?.big).toBe("bigint");

      await db.transaction(async (tx) => {
        await tx.update(gadgets).set({ count: 43, scores: [] }).where(eq(gadgets.id, 1));
        await tx.insert(gadgets).values({ ...row, name: "in-tx" });
      });
      const failure = await caught(
        db.transaction(async (tx) => {
          await tx.insert(gadgets).values({ ...row, name: "doomed" });
          await tx.execute(dsql`select * from missing_in_tx`);
        }),
      );
      expect(failure.cause?.code ?? failure.code).toBe("42P01");
      const all = await db.select({ name: gadgets.name, count: gadgets.count, scores: gadgets.scores }).from(gadgets).orderBy(gadgets.id);
      expect(all).toEqual([
        { name: "widget", count: 43, scores: [] },
        { name: "in-tx", count: 42, scores: [3, 1, 2] },
      ]);
    } finally {
      await pool.end();
    }
  });
});
