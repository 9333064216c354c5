import { describe, expect, it } from "vitest";
import type { Deployment } from "../../../schema";
import type { Env } from "../../../shared/config/env";
import type { ChatCompletionRequest } from "../../../shared/openai/chat-request";
import { type ProbeSend, probeBody, probeVersion } from "../../../shared/registry/probe";
import { deploymentTarget, isBaseUrlTemplate, resolveBaseUrl } from "../../../shared/registry/target";
import { deploymentRow } from "../../helpers/workers/registry";

const deployment = deploymentRow;
const map = (...ds: Deployment[]) => new Map(ds.map((d) => [d.id, d]));

describe("probeVersion", () => {
  it("sends one tiny request per active target and passes when all answer 2xx", async () => {
    const sent: [string, ChatCompletionRequest][] = [];
    const send: ProbeSend = async (d, body) => {
      sent.push([d.id, body]);
      return { ok: true, status: 200 };
    };
    const version = {
      targets: [{ deploymentId: "a" }, { deploymentId: "b" }, { deploymentId: "off" }],
      params: { temperature: 0, stream: true },
    };
    const result = await probeVersion(version, map(deployment("a"), deployment("b"), deployment("off", { status: "disabled" })), send);
    expect(result.ok).toBe(true);
    expect(result.results.map((r) => [r.deploymentId, r.ok, r.status, r.skipped])).toEqual([
      ["a", true, 200, undefined],
      ["b", true, 200, undefined],
      ["off", true, 0, "disabled"],
    ]);
    expect(sent).toEqual([
      ["a", { temperature: 0, model: "up-a", messages: [{ role: "user", content: "ping" }], max_tokens: 1 }],
      ["b", { temperature: 0, model: "up-b", messages: [{ role: "user", content: "ping" }], max_tokens: 1 }],
    ]);
  });

  it("fails when one target fails, throws, or does not exist", async () => {
    const send: ProbeSend = async (d) => {
      if (d.id === "bad") return { ok: false, status: 404, error: "model_not_found" };
      if (d.id === "boom") throw new Error("socket hang up");
      return { ok: true, status: 200 };
    };
    const version = (ids: string[]) => ({ targets: ids.map((deploymentId) => ({ deploymentId })), params: {} });
    const deployments = map(deployment("a"), deployment("bad"), deployment("boom"));
    expect((await probeVersion(version(["a", "bad"]), deployments, send)).results[1]).toMatchObject({ ok: false, status: 404 });
    expect((await probeVersion(version(["a", "bad"]), deployments, send)).ok).toBe(false);
    expect((await probeVersion(version(["boom"]), deployments, send)).results[0]).toMatchObject({ ok: false, error: "socket hang up" });
    expect((await probeVersion(version(["a", "gone"]), deployments, send)).ok).toBe(false);
  });

  it("fails when no target is active (nothing would serve the version)", async () => {
    const send: ProbeSend = async () => ({ ok: true, status: 200 });
    const result = await probeVersion(
      { targets: [{ deploymentId: "off" }], params: {} },
      map(deployment("off", { status: "disabled" })),
      send,
    );
    expect(result.ok).toBe(false);
  });

  it("the probe body cannot be made to stream or to ask for more than one token", () => {
    expect(
      probeBody({ params: { max_tokens: 500, stream: true, stream_options: { include_usage: true } } }, { upstreamModel: "m" }),
    ).toEqual({
      model: "m",
      messages: [{ role: "user", content: "ping" }],
      max_tokens: 1,
    });
  });
});

describe("resolveBaseUrl", () => {
  it("fills {env:NAME} placeholders from the env", () => {
    expect(resolveBaseUrl("{env:MOCK_URL}/d/eu-west/v1", { MOCK_URL: "http://127.0.0.1:9000/" })).toBe(
      "http://127.0.0.1:9000/d/eu-west/v1",
    );
    expect(resolveBaseUrl("https://{env:HOST}/v1/", { HOST: "eu.example.com" })).toBe("https://eu.example.com/v1");
    expect(resolveBaseUrl("https://api.example.com/v1", {})).toBe("https://api.example.com/v1");
  });

  it("is undefined when a variable is unset or empty", () => {
    expect(resolveBaseUrl("{env:MOCK_URL}/v1", {})).toBeUndefined();
    expect(resolveBaseUrl("{env:MOCK_URL}/v1", { MOCK_URL: "" })).toBeUndefined();
  });

  it("accepts only http(s) URL templates", () => {
    expect(isBaseUrlTemplate("{env:MOCK_URL}/d/eu-west/v1")).toBe(true);
    expect(isBaseUrlTemplate("https://{env:HOST}/v1")).toBe(true);
    expect(isBaseUrlTemplate("https://api.example.com")).toBe(true);
    expect(isBaseUrlTemplate("ftp://x")).toBe(false);
    expect(isBaseUrlTemplate("/relative")).toBe(false);
    expect(isBaseUrlTemplate("{env:lower}/v1")).toBe(false);
  });
});

describe("deploymentTarget", () => {
  const env = { MOCK_BASE_URL: "http://mock.test/v1", MOCK_URL: "http://mock.test" } as unknown as Env;

  it("uses the deployment's base URL over the provider's, with the gateway's credentials", () => {
    const t = deploymentTarget(env, deployment("a", { baseUrl: "{env:MOCK_URL}/d/eu-west/v1", options: { apiVersion: "1" } }));
    expect(t).toMatchObject({
      ok: true,
      target: { baseUrl: "http://mock.test/d/eu-west/v1", apiKey: "mock-key", model: "up-a", options: { apiVersion: "1" } },
    });
    expect(deploymentTarget(env, deployment("b"))).toMatchObject({ ok: true, target: { baseUrl: "http://mock.test/v1" } });
  });

  it("connects a provider without a default URL through the deployment's", () => {
    const t = deploymentTarget({} as Env, deployment("a", { baseUrl: "http://vllm.internal:8000/v1", provider: "vllm" }));
    expect(t).toMatchObject({ ok: true, target: { baseUrl: "http://vllm.internal:8000/v1" } });
  });

  it("says why a deployment cannot be called", () => {
    expect(deploymentTarget(env, deployment("a", { provider: "nope" }))).toMatchObject({ ok: false });
    expect(deploymentTarget(env, deployment("a", { baseUrl: "{env:UNSET}/v1" }))).toMatchObject({ ok: false });
    expect(deploymentTarget({} as Env, deployment("a"))).toMatchObject({ ok: false });
  });
});
