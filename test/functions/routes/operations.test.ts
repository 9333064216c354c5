import { describe, expect, it } from "vitest";
import { gateway } from "../../helpers/workers/gateway";

describe("GET /healthz", () => {
  it("answers without touching a dependency, with a request id", async () => {
    const res = await gateway("/healthz");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
    expect(res.headers.get("x-request-id")).toMatch(/^req_[0-9a-f]{32}$/);
  });

  it("keeps a well-formed client request id and replaces a malformed one", async () => {
    const kept = await gateway("/healthz", { headers: { "x-request-id": "client-trace-1234" } });
    expect(kept.headers.get("x-request-id")).toBe("client-trace-1234");
    const replaced = await gateway("/healthz", { headers: { "x-request-id": "bad id<script>" } });
    expect(replaced.headers.get("x-request-id")).toMatch(/^req_/);
  });
});

describe("GET /readyz", () => {
  it("is green with Redis, Postgres and Vector reached through the real clients", async () => {
    const res = await gateway("/readyz");
    const body = (await res.json()) as { status: string; checks: Record<string, { ok: boolean; ms: number }> };
    expect(res.status).toBe(200);
    expect(body.status).toBe("ok");
    expect(Object.keys(body.checks).sort()).toEqual(["postgres", "redis", "vector"]);
    for (const check of Object.values(body.checks)) expect(check).toEqual({ ok: true, ms: expect.any(Number) });
  });
});

describe("errors", () => {
  it("renders an unknown route as an OpenAI 404", async () => {
    const res = await gateway("/v2/nothing");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({
      error: { message: "No route for GET /v2/nothing", type: "invalid_request_error", param: null, code: "not_found" },
    });
  });
});
