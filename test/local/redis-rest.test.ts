import { spawnSync } from "node:child_process";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { Ratelimit } from "@upstash/ratelimit";
import { Redis } from "@upstash/redis";
import { Redis as IORedis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FoundRedis, findRedis } from "../../local/redis-rest/find-redis";
import { pingRedis } from "../../local/redis-rest/ping";
import { startRedisRest } from "../../local/redis-rest/server";
import { spawnRedisServer } from "../../local/redis-rest/spawn-redis";
import type { StandIn } from "../../local/stand-in";

const prefix = `test:redis-rest:${randomUUID().slice(0, 8)}:`;
const token = randomBytes(16).toString("hex");
let found: FoundRedis;
let rest: StandIn;

beforeAll(async () => {
  found = await findRedis();
  rest = await startRedisRest({ redisUrl: found.url, token, port: 0 });
});

afterAll(async () => {
  await rest?.close();
  if (found) {
    const cleaner = new IORedis(found.url, { protocol: 2 });
    let cursor = "0";
    do {
      const [next, keys] = await cleaner.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
      if (keys.length > 0) await cleaner.del(...keys);
      cursor = next;
    } while (cursor !== "0");
    await cleaner.quit();
  }
  await found?.spawned?.close();
});

const variants = [
  { name: "auto-pipelined, base64", opts: {} },
  { name: "single requests, base64", opts: { enableAutoPipelining: false } },
  { name: "single requests, plain", opts: { enableAutoPipelining: false, responseEncoding: false as const } },
  { name: "auto-pipelined, plain", opts: { responseEncoding: false as const } },
];

function client(opts: Record<string, unknown> = {}, url = rest.url): Redis {
  return new Redis({ url, token, retry: false, ...opts });
}

async function raw(
  path: string,
  body?: unknown,
  init: { method?: string; headers?: Record<string, string>; rawBody?: string } = {},
): Promise<{ status: number; json: unknown }> {
  const res = await fetch(rest.url + path, {
    method: init.method ?? "POST",
    headers: { authorization: `Bearer ${token}`, ...init.headers },
    body: init.rawBody ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  return { status: res.status, json: await res.json() };
}

const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
const sha1 = (text: string) => createHash("sha1").update(text).digest("hex");

describe.each(variants)("data types through @upstash/redis ($name)", ({ name, opts }) => {
  const key = (k: string) => `${prefix}${name.replace(/\W+/g, "-")}:${k}`;
  let redis: Redis;
  beforeAll(() => {
    redis = client(opts);
  });

  it("round-trips strings, unicode and binary-ish text exactly", async () => {
    const unicode = "héllo wörld 🚀 日本語";
    const binaryish = '\u0000\u0001\u001f\u007f\u0080\u00ff\ufffd\n\r\t"\\';
    expect(await redis.set(key("s1"), "hello")).toBe("OK");
    expect(await redis.set(key("s2"), unicode)).toBe("OK");
    expect(await redis.set(key("s3"), binaryish)).toBe("OK");
    expect(await redis.set(key("ok"), "OK")).toBe("OK");
    expect(await redis.get(key("s1"))).toBe("hello");
    expect(await redis.get(key("s2"))).toBe(unicode);
    expect(await redis.get(key("s3"))).toBe(binaryish);
    expect(await redis.get(key("ok"))).toBe("OK");
    expect(await redis.get(key("missing"))).toBeNull();
    expect(await redis.strlen(key("s2"))).toBe(Buffer.byteLength(unicode));
    expect(await redis.mget(key("s1"), key("missing"), key("s2"), key("ok"))).toEqual(["hello", null, unicode, "OK"]);
    expect(await redis.append(key("s1"), " world")).toBe(11);
    expect(await redis.getrange(key("s1"), 6, -1)).toBe("world");
  });

  it("serialises and deserialises JSON automatically", async () => {
    const doc = { a: 1, b: [1, 2, { c: "x" }], d: null, e: "héllo", f: true };
    await redis.set(key("json"), doc);
    expect(await redis.get(key("json"))).toEqual(doc);
    await redis.set(key("numeric"), "123");
    expect(await redis.get(key("numeric"))).toBe(123);
    await redis.set(key("notjson"), "{not json");
    expect(await redis.get(key("notjson"))).toBe("{not json");
  });

  it("counts and expires", async () => {
    expect(await redis.incr(key("n"))).toBe(1);
    expect(await redis.incrby(key("n"), 5)).toBe(6);
    expect(await redis.decr(key("n"))).toBe(5);
    expect(await redis.incrbyfloat(key("n"), 0.5)).toBe(5.5);
    expect(await redis.expire(key("n"), 100)).toBe(1);
    const ttl = await redis.ttl(key("n"));
    expect(ttl).toBeGreaterThanOrEqual(99);
    expect(ttl).toBeLessThanOrEqual(100);
    expect(await redis.persist(key("n"))).toBe(1);
    expect(await redis.ttl(key("n"))).toBe(-1);
    expect(await redis.ttl(key("missing"))).toBe(-2);
    expect(await redis.set(key("ex"), "v", { ex: 50 })).toBe("OK");
    expect(await redis.pttl(key("ex"))).toBeGreaterThan(49_000);
    expect(await redis.exists(key("n"), key("ex"), key("missing"))).toBe(2);
    expect(await redis.type(key("n"))).toBe("string");
  });

  it("handles hashes", async () => {
    expect(await redis.hset(key("h"), { f1: "v1", f2: 2, f3: { x: 1 } })).toBe(3);
    expect(await redis.hget(key("h"), "f1")).toBe("v1");
    expect(await redis.hget(key("h"), "f2")).toBe(2);
    expect(await redis.hgetall(key("h"))).toEqual({ f1: "v1", f2: 2, f3: { x: 1 } });
    expect(await redis.hincrby(key("h"), "f2", 3)).toBe(5);
    expect(await redis.hlen(key("h"))).toBe(3);
    expect((await redis.hkeys(key("h"))).sort()).toEqual(["f1", "f2", "f3"]);
    expect(await redis.hdel(key("h"), "f1", "nope")).toBe(1);
    expect(await redis.hmget(key("h"), "f1", "f2")).toEqual({ f1: null, f2: 5 });
    expect(await redis.hgetall(key("missing"))).toBeNull();
  });

  it("handles sorted sets", async () => {
    expect(await redis.zadd(key("z"), { score: 1, member: "a" }, { score: 2.5, member: "b" }, { score: -1, member: "c" })).toBe(3);
    expect(await redis.zrange(key("z"), 0, -1)).toEqual(["c", "a", "b"]);
    expect(await redis.zrange(key("z"), 0, -1, { withScores: true })).toEqual(["c", -1, "a", 1, "b", 2.5]);
    expect(await redis.zrange(key("z"), 0, 1, { byScore: true })).toEqual(["a"]);
    expect(await redis.zscore(key("z"), "b")).toBe(2.5);
    expect(await redis.zincrby(key("z"), 2, "a")).toBe(3);
    expect(await redis.zrank(key("z"), "a")).toBe(2);
    expect(await redis.zcard(key("z"))).toBe(3);
    expect(await redis.zrem(key("z"), "c")).toBe(1);
    expect(await redis.zrange(key("z"), 0, -1, { rev: true, withScores: true })).toEqual(["a", 3, "b", 2.5]);
  });

  it("handles lists", async () => {
    expect(await redis.rpush(key("l"), "a", "b", "c")).toBe(3);
    expect(await redis.lpush(key("l"), "z")).toBe(4);
    expect(await redis.lrange(key("l"), 0, -1)).toEqual(["z", "a", "b", "c"]);
    expect(await redis.lindex(key("l"), 2)).toBe("b");
    expect(await redis.llen(key("l"))).toBe(4);
    expect(await redis.lpop(key("l"))).toBe("z");
    expect(await redis.rpop(key("l"))).toBe("c");
    expect(await redis.lpop(key("l"), 5)).toEqual(["a", "b"]);
    expect(await redis.lpop(key("l"))).toBeNull();
  });

  it("handles sets", async () => {
    expect(await redis.sadd(key("set"), "x", "y", "z")).toBe(3);
    expect(await redis.sadd(key("set"), "x")).toBe(0);
    expect((await redis.smembers(key("set"))).sort()).toEqual(["x", "y", "z"]);
    expect(await redis.sismember(key("set"), "y")).toBe(1);
    expect(await redis.sismember(key("set"), "w")).toBe(0);
    expect(await redis.scard(key("set"))).toBe(3);
    expect(await redis.srem(key("set"), "y", "w")).toBe(1);
  });

  it("scans by pattern", async () => {
    const names = ["a", "b", "c", "d", "e"].map((k) => key(`scan:${k}`));
    for (const n of names) await redis.set(n, 1);
    const seen = new Set<string>();
    let cursor: string | number = "0";
    do {
      const [next, keys]: [string | number, string[]] = await redis.scan(cursor, { match: key("scan:*"), count: 2 });
      for (const k of keys) seen.add(k);
      cursor = next;
    } while (String(cursor) !== "0");
    expect([...seen].sort()).toEqual(names);
  });

  it("runs pipelines with an inline error in the middle", async () => {
    const p = redis.pipeline();
    p.set(key("p"), "text");
    p.incr(key("p"));
    p.get(key("p"));
    p.lpush(key("p"), "x");
    p.del(key("p"));
    const results = await p.exec({ keepErrors: true });
    expect(results.map((r) => r.result)).toEqual(["OK", undefined, "text", undefined, 1]);
    expect(results[1]?.error).toBe("ERR value is not an integer or out of range");
    expect(results[3]?.error).toBe("WRONGTYPE Operation against a key holding the wrong kind of value");
    const failing = redis.pipeline().set(key("p2"), "text").incr(key("p2"));
    await expect(failing.exec()).rejects.toThrow("Command 2 [ incr ] failed: ERR value is not an integer");
    await expect(redis.incr(key("p2"))).rejects.toThrow("ERR value is not an integer or out of range");
  });

  it("runs multi() transactions with inline errors", async () => {
    const tx = redis.multi();
    tx.set(key("m"), "a");
    tx.incr(key("m"));
    tx.append(key("m"), "b");
    tx.get(key("m"));
    const results = await tx.exec({ keepErrors: true });
    expect(results.map((r) => r.result)).toEqual(["OK", undefined, 2, "ab"]);
    expect(results[1]?.error).toBe("ERR value is not an integer or out of range");
  });

  it("runs Lua scripts with nested arrays, integers and nil, with Upstash-only shebang flags", async () => {
    const script = `#!lua flags=allow-key-locking
return {1, {2, ARGV[1], {KEYS[1]}}, false, 3.9, redis.call('SET', KEYS[1], ARGV[1]), 'OK'}`;
    const expected = [1, [2, "hello", [key("lua")]], null, 3, "OK", "OK"];
    expect(await redis.eval(script, [key("lua")], ["hello"])).toEqual(expected);
    const sha = await redis.scriptLoad(script);
    expect(sha).toBe(sha1(script));
    expect(await redis.evalsha(sha, [key("lua")], ["hello"])).toEqual(expected);
    expect(await redis.scriptExists(sha, "0".repeat(40))).toEqual([1, 0]);
    await expect(redis.evalsha("0".repeat(40), [], [])).rejects.toThrow("NOSCRIPT No matching script. Please use EVAL.");
    const readOnly = "#!lua flags=no-writes,allow-key-locking\nreturn redis.call('GET', KEYS[1])";
    expect(await redis.evalRo(readOnly, [key("lua")], [])).toBe("hello");
    expect(await redis.evalshaRo(sha1(readOnly), [key("lua")], [])).toBe("hello");
    expect(await redis.eval("return redis.call('INCRBY', KEYS[1], ARGV[1])", [key("lua-n")], [41])).toBe(41);
  });
});

describe("wire protocol", () => {
  const key = (k: string) => `${prefix}wire:${k}`;

  it("rejects a missing or wrong token with 401", async () => {
    for (const headers of [{}, { authorization: "Bearer nope" }, { authorization: token }] as Record<string, string>[]) {
      const res = await fetch(rest.url, { method: "POST", headers, body: JSON.stringify(["PING"]) });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: "Unauthorized" });
    }
    const viaPipeline = await fetch(`${rest.url}/pipeline`, { method: "POST", body: "[]" });
    expect(viaPipeline.status).toBe(401);
    await expect(client({ token: "wrong" }).get(key("x"))).rejects.toThrow("Unauthorized");
  });

  it("encodes results as base64 except a top-level OK, recursively, keeping numbers and nil", async () => {
    const base64 = { headers: { "upstash-encoding": "base64" } };
    expect(await raw("/", ["SET", key("b"), "héllo"], base64)).toEqual({ status: 200, json: { result: "OK" } });
    expect(await raw("/", ["GET", key("b")], base64)).toEqual({ status: 200, json: { result: b64("héllo") } });
    expect(await raw("/", ["GET", key("b")])).toEqual({ status: 200, json: { result: "héllo" } });
    expect(await raw("/", ["STRLEN", key("b")], base64)).toEqual({ status: 200, json: { result: 6 } });
    expect(await raw("/", ["GET", key("none")], base64)).toEqual({ status: 200, json: { result: null } });
    const script = "return {1, {'OK', 'x', false}, redis.status_reply('OK'), 'OK'}";
    expect(await raw("/", ["EVAL", script, 0], base64)).toEqual({
      status: 200,
      json: { result: [1, [b64("OK"), b64("x"), null], b64("OK"), b64("OK")] },
    });
    expect(await raw("/", ["EVAL", script, 0])).toEqual({ status: 200, json: { result: [1, ["OK", "x", null], "OK", "OK"] } });
    const nestedError = "return {1, redis.error_reply('boom')}";
    expect(await raw("/", ["EVAL", nestedError, 0], base64)).toEqual({ status: 200, json: { result: [1, b64("ERR boom")] } });
    expect(await raw("/", ["EVAL", "return redis.error_reply('boom')", 0], base64)).toEqual({
      status: 400,
      json: { error: expect.stringMatching(/^ERR boom/) },
    });
  });

  it("keeps binary values byte-exact", async () => {
    const bytes = new Uint8Array([0, 1, 2, 0x7f, 0x80, 0xc3, 0x28, 0xfe, 0xff, 0x0d, 0x0a]);
    const set = await fetch(`${rest.url}/set/${encodeURIComponent(key("bin"))}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
      body: bytes,
    });
    expect(await set.json()).toEqual({ result: "OK" });
    const got = await raw("/", ["GET", key("bin")], { headers: { "upstash-encoding": "base64" } });
    expect(Buffer.from((got.json as { result: string }).result, "base64").equals(Buffer.from(bytes))).toBe(true);
    expect(await raw("/", ["STRLEN", key("bin")])).toEqual({ status: 200, json: { result: bytes.length } });
  });

  it("answers Redis errors with 400 and malformed requests with 400/405/413", async () => {
    await raw("/", ["SET", key("e"), "text"]);
    expect(await raw("/", ["INCR", key("e")])).toEqual({
      status: 400,
      json: { error: "ERR value is not an integer or out of range" },
    });
    const malformed = await raw("/", undefined, { rawBody: "{not json" });
    expect(malformed.status).toBe(400);
    expect((malformed.json as { error: string }).error).toMatch(/^ERR failed to parse JSON body/);
    expect((await raw("/", [])).status).toBe(400);
    expect((await raw("/", [["GET", "x"]])).status).toBe(400);
    expect((await raw("/", ["GET", { a: 1 }])).status).toBe(400);
    expect((await raw("/pipeline", [])).status).toBe(400);
    expect((await raw("/pipeline", ["GET", "x"])).status).toBe(400);
    expect((await raw("/", undefined, { method: "GET" })).status).toBe(405);
    const big = await raw("/", undefined, { rawBody: JSON.stringify(["SET", key("big"), "x".repeat(10 * 1024 * 1024)]) });
    expect(big.status).toBe(413);
    expect((big.json as { error: string }).error).toMatch(/exceeds/);
    const almost = "x".repeat(10 * 1024 * 1024 - 200);
    expect(await raw("/", ["SET", key("big"), almost])).toEqual({ status: 200, json: { result: "OK" } });
    expect(await raw("/", ["STRLEN", key("big")])).toEqual({ status: 200, json: { result: almost.length } });
  });

  it("answers pipelines and multi-exec with per-command results", async () => {
    const cmds = [["SET", key("pl"), 5], ["INCR", key("pl")], ["HGET", key("pl"), "f"], ["GET", key("pl")], ["PING"]];
    expect(await raw("/pipeline", cmds)).toEqual({
      status: 200,
      json: [
        { result: "OK" },
        { result: 6 },
        { error: "WRONGTYPE Operation against a key holding the wrong kind of value" },
        { result: "6" },
        { result: "PONG" },
      ],
    });
    expect(await raw("/multi-exec", cmds, { headers: { "upstash-encoding": "base64" } })).toEqual({
      status: 200,
      json: [
        { result: "OK" },
        { result: 6 },
        { error: "WRONGTYPE Operation against a key holding the wrong kind of value" },
        { result: b64("6") },
        { result: b64("PONG") },
      ],
    });
    const aborted = await raw("/multi-exec", [["SET", key("pl"), 1], ["NOSUCHCOMMAND"]]);
    expect(aborted.status).toBe(400);
    expect((aborted.json as { error: string }).error).toMatch(/^EXECABORT .*unknown command 'NOSUCHCOMMAND'/);
    expect(await raw("/", ["GET", key("pl")])).toEqual({ status: 200, json: { result: "6" } });
  });

  it("supports path-style commands with query arguments", async () => {
    const get = (path: string) => raw(path, undefined, { method: "GET" });
    expect(await get(`/set/${encodeURIComponent(key("path"))}/a%20b?EX=100`)).toEqual({ status: 200, json: { result: "OK" } });
    expect(await get(`/get/${encodeURIComponent(key("path"))}`)).toEqual({ status: 200, json: { result: "a b" } });
    expect(await get(`/ttl/${encodeURIComponent(key("path"))}`)).toEqual({ status: 200, json: { result: 100 } });
  });

  it("refuses commands that would change the shared connection's state", async () => {
    for (const cmd of [["SELECT", 1], ["SUBSCRIBE", "ch"], ["MULTI"], ["WATCH", "k"], ["CLIENT", "REPLY", "OFF"]]) {
      const res = await raw("/", cmd);
      expect(res.status).toBe(400);
      expect((res.json as { error: string }).error).toMatch(/^ERR Command is not available/);
    }
    const pipeline = await raw("/pipeline", [["SELECT", 1], ["PING"]]);
    expect(pipeline.json).toEqual([{ error: expect.stringMatching(/not available: 'SELECT'/) }, { result: "PONG" }]);
    expect((await raw("/multi-exec", [["PING"], ["SELECT", 1]])).status).toBe(400);
    expect(await raw("/", ["CLIENT", "GETNAME"])).toEqual({ status: 200, json: { result: "edgeway-redis-rest" } });
  });

  it("runs blocking commands on their own connection without stalling others", async () => {
    const list = key("blocking");
    const started = Date.now();
    const waiting = raw("/", ["BLPOP", list, 5]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await raw("/", ["PING"])).toEqual({ status: 200, json: { result: "PONG" } });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await raw("/pipeline", [["RPUSH", list, "v"]])).toEqual({ status: 200, json: [{ result: 1 }] });
    expect(await waiting).toEqual({ status: 200, json: { result: [list, "v"] } });
    expect(await raw("/pipeline", [["BLPOP", list, 0.1], ["PING"]])).toEqual({
      status: 200,
      json: [{ result: null }, { result: "PONG" }],
    });
  });

  it("counts requests, commands, pipelines, multi-exec, errors and unauthorized calls", async () => {
    const single = client({ enableAutoPipelining: false });
    const auto = client();
    const del = await fetch(rest.statsUrl, { method: "DELETE" });
    expect(await del.json()).toEqual({ requests: 0, commands: 0, pipelines: 0, multiExec: 0, errors: 0, unauthorized: 0 });
    await single.set(key("st"), "x");
    await single.get(key("st"));
    await single.pipeline().get(key("st")).get(key("st")).strlen(key("st")).exec();
    await single.multi().incr(key("st-n")).incr(key("st-n")).exec();
    await expect(single.incr(key("st"))).rejects.toThrow();
    await Promise.all([auto.get(key("st")), auto.get(key("st")), auto.exists(key("st"))]);
    await fetch(rest.url, { method: "POST", body: '["PING"]' });
    const expected = { requests: 7, commands: 11, pipelines: 2, multiExec: 1, errors: 1, unauthorized: 1 };
    expect(await (await fetch(rest.statsUrl)).json()).toEqual(expected);
    expect(rest.stats()).toEqual(expected);
    rest.resetStats();
    expect(rest.stats().requests).toBe(0);
  });

  it("keeps multi-exec atomic under concurrent requests on the shared connection", async () => {
    const single = client({ enableAutoPipelining: false });
    const counter = key("atomic");
    const txs = Array.from({ length: 40 }, () => single.multi().incr(counter).incr(counter).incr(counter).exec());
    const noise = Array.from({ length: 40 }, () => single.pipeline().incr(counter).incr(counter).exec());
    const results = (await Promise.all([...txs, ...noise])).slice(0, 40) as number[][];
    for (const [a, b, c] of results) expect([b, c]).toEqual([(a as number) + 1, (a as number) + 2]);
    expect(await single.get(counter)).toBe(40 * 3 + 40 * 2);
  });
});

const algorithms = [
  { name: "slidingWindow", make: (n: number) => Ratelimit.slidingWindow(n, "1000 d") },
  { name: "fixedWindow", make: (n: number) => Ratelimit.fixedWindow(n, "1000 d") },
  { name: "tokenBucket", make: (n: number) => Ratelimit.tokenBucket(n, "1000 d", n) },
];

describe.each(algorithms)("@upstash/ratelimit $name", ({ name, make }) => {
  const limiter = (limit: number, redis: Redis) =>
    new Ratelimit({ redis, limiter: make(limit), prefix: `${prefix}rl:${name}`, ephemeralCache: false });

  it.each(variants.slice(0, 3))("admits exactly the limit sequentially ($name)", async ({ name: variant, opts }) => {
    const rl = limiter(5, client(opts));
    const id = `seq-${variant}`;
    const results = [];
    for (let i = 0; i < 8; i++) results.push(await rl.limit(id));
    expect(results.map((r) => r.success)).toEqual([true, true, true, true, true, false, false, false]);
    expect(results.map((r) => r.remaining)).toEqual([4, 3, 2, 1, 0, 0, 0, 0]);
    expect(results.map((r) => r.limit)).toEqual(Array(8).fill(5));
    for (const r of results) expect(r.reason).not.toBe("timeout");
    expect((await rl.getRemaining(id)).remaining).toBe(0);
    await rl.resetUsedTokens(id);
    expect((await rl.getRemaining(id)).remaining).toBe(5);
    const again = await rl.limit(id);
    expect([again.success, again.remaining]).toEqual([true, 4]);
  });

  it.each(variants.slice(0, 2))("admits exactly the limit under concurrency ($name)", async ({ name: variant, opts }) => {
    const rl = limiter(10, client(opts));
    const results = await Promise.all(Array.from({ length: 30 }, () => rl.limit(`conc-${variant}`)));
    expect(results.filter((r) => r.success)).toHaveLength(10);
    for (const r of results) expect(r.reason).not.toBe("timeout");
    expect((await rl.getRemaining(`conc-${variant}`)).remaining).toBe(0);
  });
});

describe("EVALSHA fallback on a fresh stand-in", () => {
  it("answers NOSCRIPT first, then serves EVALSHA of the original sha after one EVAL", async () => {
    const fresh = await startRedisRest({ redisUrl: found.url, token, port: 0 });
    try {
      const rl = new Ratelimit({
        redis: client({ enableAutoPipelining: false }, fresh.url),
        limiter: Ratelimit.fixedWindow(3, "1000 d"),
        prefix: `${prefix}rl:fresh`,
        ephemeralCache: false,
      });
      expect((await rl.limit("a")).success).toBe(true);
      expect(fresh.stats()).toMatchObject({ requests: 2, commands: 2, errors: 1 });
      expect((await rl.limit("a")).remaining).toBe(1);
      expect(fresh.stats()).toMatchObject({ requests: 3, commands: 3, errors: 1 });
    } finally {
      await fresh.close();
    }
  });
});

describe("finding Redis", () => {
  it("uses an explicit url or REDIS_URL as given", async () => {
    expect(await findRedis({ url: "redis://127.0.0.1:1" })).toEqual({ url: "redis://127.0.0.1:1" });
    const saved = process.env.REDIS_URL;
    process.env.REDIS_URL = "redis://127.0.0.1:2";
    try {
      expect(await findRedis()).toEqual({ url: "redis://127.0.0.1:2" });
    } finally {
      if (saved === undefined) delete process.env.REDIS_URL;
      else process.env.REDIS_URL = saved;
    }
  });

  it("fails fast when Redis does not answer", async () => {
    const started = Date.now();
    await expect(startRedisRest({ redisUrl: "redis://127.0.0.1:1", token })).rejects.toThrow(
      "redisRest: cannot connect to Redis at redis://127.0.0.1:1: connect ECONNREFUSED",
    );
    expect(Date.now() - started).toBeLessThan(2000);
  });

  const hasRedisServer = spawnSync("redis-server", ["--version"]).status === 0;
  it.skipIf(!hasRedisServer)("spawns redis-server on a free port and stops it on close", async () => {
    const spawned = await spawnRedisServer();
    try {
      expect(await pingRedis("127.0.0.1", spawned.port, 500)).toBe(true);
    } finally {
      await spawned.close();
    }
    expect(await pingRedis("127.0.0.1", spawned.port, 500)).toBe(false);
  });

  it("reports a missing redis-server as ENOENT", async () => {
    const saved = process.env.PATH;
    process.env.PATH = "/nonexistent";
    try {
      await expect(spawnRedisServer()).rejects.toMatchObject({ code: "ENOENT" });
    } finally {
      process.env.PATH = saved;
    }
  });
});
