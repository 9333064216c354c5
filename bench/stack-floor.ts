/**
 * The stack floor: the least a gateway on Edgeway's fixed stack (Hono, @upstash/redis, workerd)
 * does for the full hot path of issue #8, with none of the logic. It routes with Hono, reads and
 * parses the request, hashes the API key (keys are stored as hashes) and the request (an exact
 * cache key), makes one Upstash script call before the upstream call (the preflight: limits,
 * budget and cache in one round trip), sends the parsed request on, and parses the answer (usage is
 * what metering bills) before it answers. No postflight: under load those ride along the next
 * preflight. A stream is passed through unread. Whatever Edgeway costs above this is its own logic;
 * a target below this is out of reach for any gateway built on the stack. It hashes and builds its
 * Upstash client with Edgeway's own helpers (`sha256Hex`, `createRedis`), so it follows them.
 * Bundled by the bench (setup.ts) like the Worker; bindings: UPSTREAM, UPSTREAM_KEY,
 * UPSTASH_REDIS_REST_URL, UPSTASH_REDIS_REST_TOKEN, REDIS_KEY.
 */
import { Hono } from "hono";
import { sha256Hex } from "../shared/crypto/digest";
import { createRedis } from "../shared/storage/redis";

type Bindings = {
  UPSTREAM: string;
  UPSTREAM_KEY: string;
  UPSTASH_REDIS_REST_URL: string;
  UPSTASH_REDIS_REST_TOKEN: string;
  REDIS_KEY: string;
};

let script: ReturnType<ReturnType<typeof createRedis>["createScript"]> | undefined;
// Edgeway's own client, with its options (raw replies, like the traffic scripts')
const preflightScript = (env: Bindings) => {
  script ??= createRedis(env, { raw: true }).createScript("return 1");
  return script;
};

const app = new Hono<{ Bindings: Bindings }>();

app.post("/v1/chat/completions", async (c) => {
  const text = await c.req.text();
  const request = JSON.parse(text) as { stream?: boolean };
  const [keyHash, cacheKey] = await Promise.all([sha256Hex(c.req.header("authorization") ?? ""), sha256Hex(text)]);
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
