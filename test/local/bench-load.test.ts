import { describe, expect, it } from "vitest";
import { attribute, neonStatements, type StoreCall } from "../../bench/census";
import { choice, luaString, materialize, parseWrk, segments, UNIQUE, WORDS, wrkScript } from "../../bench/load";
import { FULL_SETTINGS, isCacheHit, looksComplete, matrix, phaseId, requestBody, SEMANTIC_SETTINGS } from "../../bench/scenarios";
import { capnpString, parseWranglerToml, scanLog, workerdConfig } from "../../bench/workerd";

const WRK_OUTPUT = `Running 3s test @ http://127.0.0.1:41234
  1 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     4.37ms    6.12ms  98.02ms   95.12%
    Req/Sec     7.71k   512.20     8.40k    83.33%
  23034 requests in 3.00s, 14.11MB read
  Non-2xx or 3xx responses: 12
Requests/sec:   7674.55
Transfer/sec:      4.70MB
BENCH_JSON {"requests":23034,"sent":23066,"duration_us":3001346,"errors":{"connect":0,"read":1,"write":0,"status":12,"timeout":0},"latency_us":{"n":23034,"mean":4371.2,"p50":3402,"p90":5120,"p99":41800,"max":98020}}
`;

describe("wrk", () => {
  it("parses the summary our script's done() writes, in ms", () => {
    const r = parseWrk(WRK_OUTPUT);
    expect(r.tool).toBe("wrk");
    expect(r.requests).toBe(23034);
    expect(r.sent).toBe(23066);
    expect(r.durationMs).toBeCloseTo(3001.346, 3);
    expect(r.rps).toBeCloseTo(7674.6, 0);
    expect(r.latency).toEqual({ n: 23034, mean: 4.3712, p50: 3.402, p90: 5.12, p99: 41.8, max: 98.02 });
    expect(r.errors).toEqual({ connect: 0, read: 1, write: 0, status: 12, timeout: 0 });
  });

  it("says so when the summary is missing (a Lua error, say)", () => {
    expect(() => parseWrk("Running 1s test @ x\nscript.lua:4: unexpected symbol")).toThrow(/no summary/);
  });

  it("quotes Lua strings so their content cannot close them", () => {
    expect(luaString("a")).toBe("[[a]]");
    expect(luaString("x]]y")).toBe("[=[x]]y]=]");
    expect(luaString("]]]=]")).toBe("[==[]]]=]]==]");
  });

  it("writes table keys with spaces around long strings (`t[[[k]]]` is a Lua syntax error)", () => {
    const script = wrkScript({ url: "http://h", path: "/p", headers: { authorization: "Bearer k" }, body: "{}" }, "n");
    expect(script).toContain("wrk.headers[ [[authorization]] ] = [[Bearer k]]");
    expect(script).not.toMatch(/\[\[\[/);
    expect(script).toContain("fixed = fixed or wrk.format()"); // a fixed body is formatted once
    expect(script).toContain("BENCH_JSON");
    expect(script).toContain('sent = sent + (tonumber(t:get("counter")) or 0)');
  });

  it("builds a fresh body per request when the body holds markers", () => {
    const body = `{"a":"${UNIQUE}","b":"${choice(["x", "y z"])}","c":"${choice(["", "!"])}"}`;
    const script = wrkScript({ url: "http://h", path: "/p", headers: {}, body }, "n1");
    expect(script).toContain(
      `return wrk.format(nil, nil, nil, [[{"a":"]] .. unique() .. [[","b":"]] .. pick(1) .. [[","c":"]] .. pick(2) .. [["}]])`,
    );
    expect(script).toContain("local choices = {{[[x]], [[y z]]}, {[[]], [[!]]}}");
    expect(script).toContain("[[n1]]");
  });

  it("splits a template into text, UNIQUE and choices", () => {
    expect(segments(`a${UNIQUE}b${choice(["x", "y"])}`)).toEqual([{ text: "a" }, { unique: true }, { text: "b" }, { options: ["x", "y"] }]);
    expect(segments("plain")).toEqual([{ text: "plain" }]);
  });

  it("materialize replaces the markers like the script does", () => {
    const first = WORDS.split(" ")[0] as string;
    expect(materialize(`${UNIQUE}|${choice(["x", "y"])}`, "run", () => 0)).toMatch(new RegExp(`^run-s-\\d+( ${first}){6}\\|x$`));
    expect(materialize(choice(["x", "y"]), "run", () => 0.99)).toBe("y");
    expect(materialize(UNIQUE, "run")).not.toBe(materialize(UNIQUE, "run"));
  });
});

describe("scenarios", () => {
  it("the quick matrix is small and covers every target, both modes, c=1 and 32, and both cache hits", () => {
    const phases = matrix({ quick: true, peers: [] });
    expect(new Set(phases.map((p) => p.target))).toEqual(
      new Set(["direct", "floor", "io-floor", "stack-floor", "edgeway", "edgeway-proxy", "edgeway-semantic"]),
    );
    // the semantic cache is opt-in: only its own tenant's phases use it, the full hot path's do not
    expect(phases.filter((p) => p.target === "edgeway-semantic").map((p) => p.cache)).toEqual(["semantic-hit", "semantic-hit"]);
    expect(FULL_SETTINGS.cache.semantic.enabled).toBe(false);
    expect(SEMANTIC_SETTINGS.cache.semantic.enabled).toBe(true);
    expect(new Set(phases.map((p) => p.concurrency))).toEqual(new Set([1, 32]));
    expect(phases.filter((p) => p.cache !== "miss")).toHaveLength(4);
    expect(phases.length).toBeLessThanOrEqual(28);
    expect(new Set(phases.map(phaseId)).size).toBe(phases.length);
  });

  it("the full matrix has delays 0/20, c=1/32/128, and the peer when asked, after Edgeway's cache scenarios", () => {
    const phases = matrix({ quick: false, peers: ["portkey"] });
    expect(phases.filter((p) => p.target === "portkey" && p.cache === "miss")).toHaveLength(2 * 2 * 3);
    expect(new Set(phases.map((p) => p.delayMs))).toEqual(new Set([0, 20]));
    expect(new Set(phases.filter((p) => p.cache !== "miss").map((p) => p.concurrency))).toEqual(new Set([1, 32, 128]));
    const firstPeer = phases.findIndex((p) => p.target === "portkey");
    expect(phases.slice(firstPeer).every((p) => p.target === "portkey")).toBe(true);
    expect(phases.slice(0, firstPeer).filter((p) => p.cache !== "miss")).toHaveLength(6);
  });

  it("request bodies are valid JSON once materialized, and only exact hits repeat", () => {
    for (const cache of ["miss", "exact-hit", "semantic-hit"] as const)
      for (const mode of ["json", "stream"] as const) {
        const body = requestBody({ mode, cache }, "mock-small");
        const parsed = JSON.parse(materialize(body, "t")) as { model: string; stream: boolean };
        expect(parsed).toMatchObject({ model: "mock-small", stream: mode === "stream" });
        const [a, b] = [materialize(body, "t", () => 0), materialize(body, "t", () => 0.99)];
        expect(a === b).toBe(cache === "exact-hit");
      }
  });

  it("semantic variants differ only in stopwords and punctuation: no digits, no capitals", () => {
    const body = requestBody({ mode: "json", cache: "semantic-hit" }, "mock-small");
    const texts = new Set(
      Array.from(
        { length: 200 },
        () => (JSON.parse(materialize(body, "t")) as { messages: Array<{ content: string }> }).messages[0]?.content,
      ),
    );
    expect(texts.size).toBeGreaterThan(150);
    for (const t of texts) expect(t).toMatch(/^[a-z ,;!?.'-]+$/);
  });

  it("recognises hits and complete answers", () => {
    expect(isCacheHit({ "x-edgeway-cache": "hit" })).toBe(true);
    expect(isCacheHit({ "x-edgeway-cache": "semantic-hit" })).toBe(true);
    expect(isCacheHit({ "x-edgeway-cache": "hit" }, "semantic-hit")).toBe(false);
    expect(isCacheHit({ "x-edgeway-cache": "semantic-hit" }, "semantic-hit")).toBe(true);
    expect(isCacheHit({ "x-edgeway-cache": "miss" })).toBe(false);
    expect(isCacheHit({})).toBe(false);
    expect(looksComplete("stream", "data: {}\n\ndata: [DONE]\n\n")).toBe(true);
    expect(looksComplete("stream", "data: {}\n\nevent: error\n")).toBe(false);
    expect(looksComplete("json", '{"choices":[]}')).toBe(true);
  });
});

describe("census attribution", () => {
  const call = (store: StoreCall["store"], repliedMs: number, statements = 1): StoreCall => ({
    store,
    arrivedMs: repliedMs - 16,
    forwardedMs: repliedMs - 1,
    repliedMs,
    statements,
  });

  it("counts a call as synchronous when its reply went out before the first byte", () => {
    const a = attribute([call("redis", 20), call("redis", 120), call("postgres", 30, 2), call("postgres", 130), call("vector", 40)], 100);
    expect(a.redis).toEqual({ sync: 1, async: 1 });
    expect(a.postgres).toEqual({ sync: 1, async: 1 });
    expect(a.pgSyncStatements).toBe(2);
    expect(a.vector).toEqual({ sync: 1, async: 0 });
  });

  it("counts the statements of a Neon batch", () => {
    expect(neonStatements('{"query":"select 1","params":[]}')).toBe(1);
    expect(neonStatements('{"queries":[{"query":"a"},{"query":"b"}]}')).toBe(2);
    expect(neonStatements("not json")).toBe(1);
  });
});

describe("workerd config", () => {
  it("reads compatibility date, flags and [vars] from wrangler.toml", () => {
    const toml = `name = "edgeway"
main = "functions/index.ts"
compatibility_date = "2026-04-26"
# a comment
compatibility_flags = ["enable_request_signal"]   # trailing comment
[vars]
ENVIRONMENT = "production"
MAX_BODY_BYTES = "16777216"
[triggers]
crons = ["* * * * *"]
[observability]
enabled = true
`;
    expect(parseWranglerToml(toml)).toEqual({
      compatibilityDate: "2026-04-26",
      compatibilityFlags: ["enable_request_signal"],
      vars: { ENVIRONMENT: "production", MAX_BODY_BYTES: "16777216" },
    });
    expect(() => parseWranglerToml('name = "x"')).toThrow(/compatibility_date/);
  });

  it("escapes capnp strings and refuses control characters", () => {
    expect(capnpString('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(() => capnpString("a\nb")).toThrow(/control/);
  });

  it("declares the modules, text bindings, a loopback socket and an outbound network allowing local addresses", () => {
    const config = workerdConfig({
      modules: ["cron.js", "index.js"],
      compatibilityDate: "2026-04-26",
      compatibilityFlags: ["enable_request_signal"],
      bindings: { TOKEN: "t0k" },
      address: "127.0.0.1:0",
    });
    expect(config).toContain('(name = "cron.js", esModule = embed "cron.js")');
    expect(config).toContain('(name = "TOKEN", text = "t0k")');
    expect(config).toContain('address = "127.0.0.1:0"');
    expect(config).toContain('allow = ["public", "private", "local"]');
    expect(config).toContain('globalOutbound = "internet"');
    expect(config).toContain('compatibilityFlags = ["enable_request_signal"]');
    expect(config.indexOf("cron.js")).toBeLessThan(config.indexOf("index.js")); // the first module is the main one
  });
});

describe("the Worker's log", () => {
  it("counts errors and warnings, JSON or the runtime's own, and ranks their messages", () => {
    const log = [
      '{"level":"error","msg":"usage event not stored","redisError":"Error: Cannot perform I/O on behalf of a different request."}',
      '{"level":"error","msg":"usage event not stored","redisError":"Error: Cannot perform I/O on behalf of a different request."}',
      "workerd/server/server.c++:5492: error: Uncaught exception: workerd/io/io-context.c++:1424: failed: remote.jsg.Error: The Workers runtime canceled this request",
      "stack: /work/main/node_modules/@cloudflare/workerd-linux-64/bin/workerd@2f201f0",
      '{"level":"warn","msg":"limits unavailable; serving without them (fail open)","error":"Error: x"}',
      "Warning: A promise was resolved or rejected from a different request context than the one it was created in.",
      '{"level":"info","msg":"fine"}',
      "workerd/server/server.c++:5351: error: kj::getCaughtExceptionAsKj() = kj/async-io-unix.c++:186: disconnected: ::write(fd, buffer.begin(), buffer.size()): Connection reset by peer",
      "",
    ].join("\n");
    const scan = scanLog(log);
    expect(scan.errors).toBe(3);
    expect(scan.warnings).toBe(2);
    expect(scan.top[0]).toEqual({
      level: "error",
      count: 2,
      message: "usage event not stored (Error: Cannot perform I/O on behalf of a different request.)",
    });
    expect(scan.top[1]?.message).toBe("Error: The Workers runtime canceled this request");
    expect(scan.top.slice(2).every((t) => t.level === "warn")).toBe(true);
    expect(scanLog("")).toEqual({ errors: 0, warnings: 0, top: [] });
  });
});
