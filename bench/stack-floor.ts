/**
 * The stack floor: the least a gateway on Edgeway's fixed stack (Hono, @upstash/redis, workerd)
 * does for the full hot path of issue #8, with none of the logic. It routes with Hono, reads and
 * parses the request, hashes the API key (keys are stored as hashes) and the request (an exact
 * cache key), makes one Upstash script call before the upstream call (the preflight: limits,
 * budget and cache in one round trip), sends the parsed request on, and parses the answer (usage is
 * what metering bills) before it answers. No postflight: under load those ride along the next
 * preflight. A stream is passed through unread. Whatever Edgeway costs above this is its own logic;
 * a target below this is out of reach for any gateway built on the stack.
 * Bundled by the bench (setup.ts) like the Worker; bindings: UPSTREAM, UPSTREAM_KEY,
 * UPSTASH_REDIS_REST_URL, UPSTASH_REDIS_REST_TOKEN, REDIS_KEY.
 */
import { Redis } from "@upstash/redis/cloudflare";
import { Hono } from "hono";

type Bindings = {
  UPSTREAM: string;
  UPSTREAM_KEY: string;
  UPSTASH_REDIS_REST_URL: string;
  UPSTASH_REDIS_REST_TOKEN: string;
  REDIS_KEY: string;
};

const encoder = new TextEncoder();
// Uint8Array's TC39 hex method: native in workerd's V8, not declared by TypeScript's lib yet
const sha256 = async (text: string) =>
  (new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text))) as Uint8Array & { toHex(): string }).toHex();

let script: ReturnType<Redis["createScript"]> | undefined;
// The client options Edgeway's own client uses (shared/storage/redis.ts, raw like the scripts').
const preflightScript = (env: Bindings) => {
  script ??= new Redis({
    url: env.UPSTASH_REDIS_REST_URL,
    token: env.UPSTASH_REDIS_REST_TOKEN,
    retry: { retries: 1, backoff: () => 20 },
    enableAutoPipelining: false,
    responseEncoding: false,
    enableTelemetry: false,
    automaticDeserialization: false,
  }).createScript("return 1");
  return script;
};

const app = new Hono<{ Bindings: Bindings }>();

app.post("/v1/chat/completions", async (c) => {
  const text = await c.req.text();
  const request = JSON.parse(text) as { stream?: boolean };
  const [keyHash, cacheKey] = await Promise.all([sha256(c.req.header("authorization") ?? ""), sha256(text)]);
  await preflightScript(c.env).exec([`${c.env.REDIS_KEY}:${cacheKey}`], [keyHash]);
  const upstream = await fetch(`${c.env.UPSTREAM}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${c.env.UPSTREAM_KEY}` },
    body: JSON.stringify(request),
  });
  if (request.stream) return new Response(upstream.body, upstream);
  return c.json(await upstream.json(), upstream.status as 200);
});

export default app;
