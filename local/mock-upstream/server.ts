/**
 * Mock LLM upstream: OpenAI, Anthropic and Gemini wire formats with latency and
 * fault injection, on node:http. Every route is served at the root (deployment
 * "default") and under `/d/<deployment>/...`; faults and stats are per deployment.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { StandIn } from "../stand-in";
import { anthropicAuth, anthropicErrorBody, countMessageTokens, messages } from "./anthropic";
import { azureAuth, azurePath, useDeploymentAsModel } from "./azure";
import { type Counter, handleControl, type LoggedRequest, RequestLog, Stats } from "./control";
import { type ControlState, FaultController } from "./faults";
import { countGeminiTokens, embedContent, geminiAuth, geminiErrorBody, generateContent, getGeminiModel, listGeminiModels } from "./gemini";
import { type Ctx, isObject, kill, type Provider, sendJson, wait } from "./http";
import { chatCompletions, embeddings, getModel, listModels, openaiAuth, openaiErrorBody } from "./openai";

export interface MockUpstreamOptions {
  /** 0 (default) = ephemeral. */
  port?: number;
  /** Seeds the failure PRNGs (content depends only on the request). Default 0. */
  seed?: number;
  /** Request log capacity (default 200). */
  requestLogSize?: number;
}

/** In-process mirror of the HTTP control API. */
export interface MockControl {
  /** GET /__control */
  get(): ControlState;
  /** PUT|POST /__control (or /d/<deployment>/__control): merge a patch; throws on invalid input. */
  set(patch: Record<string, unknown>, deployment?: string): ControlState;
  /** DELETE /__control: clear every deployment's config, reseed the PRNGs, clear the request log. */
  reset(): void;
  /** GET /__control/requests?limit=N: the last N requests, oldest first. */
  requests(limit?: number): LoggedRequest[];
  /** DELETE /__control/requests */
  clearRequests(): void;
}

export interface MockUpstream extends StandIn {
  /** `http://127.0.0.1:PORT/__control` */
  readonly controlUrl: string;
  readonly control: MockControl;
}

interface Route {
  provider: Provider;
  counter: Counter | null;
  auth: (ctx: Ctx) => boolean;
  run: (ctx: Ctx) => Promise<void>;
  streaming: (ctx: Ctx) => boolean;
}

const never = () => false;
const bodyStream = (ctx: Ctx) => isObject(ctx.body) && ctx.body.stream === true;
const GEMINI_ACTION = /^\/(v1beta|v1|v1alpha)\/models\/([^/:]+):([A-Za-z]+)$/;

function resolveRoute(method: string, path: string): Route | null {
  if (method === "POST") {
    switch (path) {
      case "/v1/chat/completions":
        return { provider: "openai", counter: "chat", auth: openaiAuth, run: chatCompletions, streaming: bodyStream };
      case "/v1/embeddings":
        return { provider: "openai", counter: "embeddings", auth: openaiAuth, run: embeddings, streaming: never };
      case "/v1/messages":
        return {
          provider: "anthropic",
          counter: "anthropic",
          auth: anthropicAuth,
          run: messages,
          streaming: bodyStream,
        };
      case "/v1/messages/count_tokens":
        return {
          provider: "anthropic",
          counter: "anthropic",
          auth: anthropicAuth,
          run: countMessageTokens,
          streaming: never,
        };
    }
    const az = azurePath(path);
    if (az !== null) {
      const openai = az.operation === "chat/completions" ? chatCompletions : embeddings;
      return {
        provider: "openai",
        counter: az.operation === "chat/completions" ? "chat" : "embeddings",
        auth: (ctx) => azureAuth(ctx, az.deployment !== undefined),
        run: (ctx) => {
          useDeploymentAsModel(ctx, az.deployment);
          return openai(ctx);
        },
        streaming: az.operation === "chat/completions" ? bodyStream : never,
      };
    }
    const g = GEMINI_ACTION.exec(path);
    if (g !== null) {
      const model = decodeURIComponent(g[2] as string);
      const base = { provider: "gemini" as const, counter: "gemini" as const, auth: geminiAuth, streaming: never };
      switch (g[3]) {
        case "generateContent":
          return { ...base, run: (ctx) => generateContent(ctx, model, false) };
        case "streamGenerateContent":
          return { ...base, run: (ctx) => generateContent(ctx, model, true), streaming: () => true };
        case "countTokens":
          return { ...base, run: (ctx) => countGeminiTokens(ctx, model) };
        case "embedContent":
          return { ...base, run: (ctx) => embedContent(ctx, model, false) };
        case "batchEmbedContents":
          return { ...base, run: (ctx) => embedContent(ctx, model, true) };
      }
    }
    return null;
  }
  if (method === "GET") {
    if (path === "/v1/models") return { provider: "openai", counter: null, auth: openaiAuth, run: listModels, streaming: never };
    if (path.startsWith("/v1/models/")) {
      const id = decodeURIComponent(path.slice("/v1/models/".length));
      return { provider: "openai", counter: null, auth: openaiAuth, run: (ctx) => getModel(ctx, id), streaming: never };
    }
    if (path === "/v1beta/models") return { provider: "gemini", counter: null, auth: geminiAuth, run: listGeminiModels, streaming: never };
    if (path.startsWith("/v1beta/models/")) {
      const id = decodeURIComponent(path.slice("/v1beta/models/".length));
      return {
        provider: "gemini",
        counter: null,
        auth: geminiAuth,
        run: (ctx) => getGeminiModel(ctx, id),
        streaming: never,
      };
    }
  }
  return null;
}

export function providerErrorBody(provider: Provider, status: number, message?: string): unknown {
  if (provider === "anthropic") return anthropicErrorBody(status, message);
  if (provider === "gemini") return geminiErrorBody(status, message);
  return openaiErrorBody(status, message);
}

function guessProvider(path: string): Provider {
  if (path.startsWith("/v1beta") || path.includes(":")) return "gemini";
  if (path.startsWith("/v1/messages")) return "anthropic";
  return "openai";
}

async function readText(req: IncomingMessage): Promise<string> {
  if (req.headers["content-length"] === "0") return "";
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return chunks.length === 1 ? (chunks[0] as Buffer).toString("utf8") : Buffer.concat(chunks).toString("utf8");
}

export async function startMockUpstream(opts: MockUpstreamOptions = {}): Promise<MockUpstream> {
  const faults = new FaultController(opts.seed ?? 0);
  const stats = new Stats();
  const log = new RequestLog(opts.requestLogSize ?? 200);
  const deps = { faults, stats, log };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    let path = q < 0 ? url : url.slice(0, q);
    const query = q < 0 ? "" : url.slice(q + 1);
    let deployment = "default";
    if (path.startsWith("/d/")) {
      const end = path.indexOf("/", 3);
      deployment = decodeURIComponent(end < 0 ? path.slice(3) : path.slice(3, end)) || "default";
      path = end < 0 ? "/" : path.slice(end);
    }
    const method = req.method ?? "GET";

    if (path.startsWith("/__")) {
      const text = await readText(req);
      return handleControl(deps, req, res, path, query, deployment, text);
    }
    if (path === "/" || path === "/health") {
      const text = JSON.stringify({ ok: true, name: "mockUpstream" });
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
      res.end(text);
      return;
    }

    const dep = stats.of(deployment);
    stats.begin(dep);
    const ctx: Ctx = {
      req,
      res,
      deployment,
      path,
      query,
      body: null,
      plan: { latencyMs: 0, ttftMs: 0, interChunkMs: 0, cachedTokenFraction: 0, fault: null },
      closed: false,
      killed: false,
      onClose: null,
    };
    res.on("close", () => {
      ctx.closed = true;
      stats.end(dep);
      if (ctx.killed || res.statusCode >= 400) stats.count(dep, "errors");
      else if (!res.writableFinished) stats.count(dep, "aborted");
      const cb = ctx.onClose;
      ctx.onClose = null;
      if (cb) cb();
    });

    let text: string;
    try {
      text = await readText(req);
    } catch {
      return;
    }
    let invalidJson = false;
    if (text) {
      try {
        ctx.body = JSON.parse(text);
      } catch {
        invalidJson = true;
        ctx.body = text.length > 65536 ? text.slice(0, 65536) : text;
      }
    }
    log.add(req, path, deployment, ctx.body);

    const route = resolveRoute(method, path);
    if (route === null) {
      const provider = guessProvider(path);
      return sendJson(ctx, 404, providerErrorBody(provider, 404, `Invalid URL (${method} ${path})`));
    }
    if (route.counter !== null) stats.count(dep, route.counter);
    if (route.streaming(ctx)) stats.count(dep, "streams");

    const plan = faults.plan(deployment, req.headers);
    ctx.plan = plan;
    if (!(await wait(ctx, plan.latencyMs))) return;
    const f = plan.fault;
    if (f !== null) {
      switch (f.kind) {
        case "status":
          return sendJson(
            ctx,
            f.status,
            providerErrorBody(route.provider, f.status),
            f.retryAfter !== undefined ? { "retry-after": String(f.retryAfter) } : undefined,
          );
        case "reset":
          return kill(ctx);
        case "hang":
          return;
        case "slow-first-byte":
          if (!(await wait(ctx, f.slowFirstByteMs))) return;
          break;
        case "midstream-cut":
          break;
      }
    }
    if (invalidJson) return sendJson(ctx, 400, providerErrorBody(route.provider, 400, "We could not parse the JSON body of your request."));
    if (!route.auth(ctx)) return;
    await route.run(ctx);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) res.destroy();
      else {
        const text = JSON.stringify(openaiErrorBody(500, `mock upstream bug: ${(err as Error)?.message ?? String(err)}`));
        res.writeHead(500, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
        res.end(text);
      }
    });
  });
  server.keepAliveTimeout = 65_000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;

  return {
    name: "mockUpstream",
    url,
    port,
    statsUrl: `${url}/__stats`,
    controlUrl: `${url}/__control`,
    stats: () => stats.snapshot(),
    resetStats: () => stats.reset(),
    control: {
      get: () => faults.get(),
      set: (patch, deployment = "default") => faults.set(patch, deployment),
      reset: () => {
        faults.reset();
        log.clear();
      },
      requests: (limit) => log.last(limit),
      clearRequests: () => log.clear(),
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
