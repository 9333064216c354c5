import type { Context } from "hono";
import { type ChatResult, completeChat } from "../shared/chat/complete";
import type { StreamEncoder } from "../shared/chat/stream-encoder";
import { GatewayError } from "../shared/errors/gateway-error";
import type { LostAttempt } from "../shared/metering/attempt-events";
import type { ChatCompletionRequest } from "../shared/openai/chat-request";
import type { ChatCompletionChunk } from "../shared/openai/types";
import { runAttempts } from "../shared/resilience/attempts";
import {
  type BreakerScripts,
  breakerOutcome,
  breakerScripts,
  type DeploymentHealth,
  deploymentKey,
  isSelectable,
  recordArgs,
} from "../shared/resilience/breaker";
import { type Candidate, servedByOf } from "../shared/routing/candidates";
import { toGatewayError } from "./app";
import type { HonoEnv } from "./env";

// Isolate-scoped on purpose: stateless script wrappers over a client built once.
const scriptsFor = new WeakMap<object, BreakerScripts>();
function breakers(c: Context<HonoEnv>): BreakerScripts {
  const { env } = c.get("services");
  let scripts = scriptsFor.get(env);
  if (!scripts) {
    scripts = breakerScripts(env);
    scriptsFor.set(env, scripts);
  }
  return scripts;
}

export type AttemptChatOptions = {
  candidates: Candidate[];
  health: Readonly<Record<string, DeploymentHealth>>;
  body: ChatCompletionRequest;
  encoder?: StreamEncoder;
  onChunk?: (chunk: ChatCompletionChunk) => void;
  hedgeAfterMs?: number;
  /** Count in-flight attempts per deployment (for the least-inflight strategy): one HINCRBY more per attempt. */
  trackInflight?: boolean;
};

/**
 * Calls the candidates in order until one answers (retries with backoff, fallbacks, optional
 * hedging, all bounded: see shared/resilience/attempts.ts), before the first byte reaches the
 * client. A half-open deployment is tried only by the one request that wins its probe lease.
 * Every attempt's outcome feeds its deployment's breaker (after the response), and the attempts
 * that did not answer are returned for metering.
 */
export async function attemptChat(
  c: Context<HonoEnv>,
  o: AttemptChatOptions,
): Promise<{ result: ChatResult; winner: Candidate; attempts: number; lost: LostAttempt[]; breaker?: { key: string; args: string[] } }> {
  const { env, redis } = c.get("services");
  const prefix = env.REDIS_KEY_PREFIX;
  const scripts = breakers(c);
  const lost: LostAttempt[] = [];
  let breaker: { key: string; args: string[] } | undefined;
  const now = Date.now();
  const run = await runAttempts<Candidate, ChatResult>({
    candidates: o.candidates,
    policy: o.hedgeAfterMs ? { hedgeAfterMs: o.hedgeAfterMs } : {},
    signal: c.req.raw.signal,
    attempt: async (cand, ctx) => {
      const health = o.health[cand.id];
      if (health && isSelectable(health, now) === "probe" && !(await scripts.probe(deploymentKey(prefix, cand.id), now))) {
        throw new GatewayError("upstream_unavailable", `Deployment ${cand.id} is recovering; another request is probing it`);
      }
      if (o.trackInflight) await redis.hincrby(deploymentKey(prefix, cand.id), "inflight", 1).catch(() => 0);
      return completeChat({
        provider: cand.provider,
        target: cand.target,
        body: o.body,
        meta: { id: `chatcmpl-${c.get("requestId")}`, created: Math.floor(Date.now() / 1000), model: cand.target.model },
        bindings: c.env,
        // ctx.signal already follows the client (runAttempts ties every attempt to it)
        signal: ctx.signal,
        ...(o.encoder ? { encoder: o.encoder } : {}),
        ...(o.onChunk ? { onChunk: o.onChunk } : {}),
      });
    },
    onAttempt: (r) => {
      const key = deploymentKey(prefix, r.candidate.id);
      const release = o.trackInflight === true;
      if (r.ok) {
        // The answer's record rides in the request's postflight script: no command of its own.
        breaker = { key, args: recordArgs("ok", r.latencyMs, { release }) };
        return;
      }
      c.executionCtx.waitUntil(scripts.record(key, breakerOutcome(r.failure), r.latencyMs, { release }).catch(() => {}));
      const err = r.failure === "aborted" ? undefined : toGatewayError(r.error);
      lost.push({
        index: r.index,
        kind: r.kind,
        ...servedByOf(r.candidate),
        deploymentId: r.candidate.id,
        region: r.candidate.region,
        status: err?.status ?? 499,
        errorCode: err?.code ?? "aborted",
        latencyMs: Math.round(r.latencyMs),
      });
    },
  });
  // The winner stays tied to the client until its answer is delivered: a JSON body is already read.
  if (run.value.kind === "json") run.release();
  else run.value.outcome.finally(run.release);
  return { result: run.value, winner: run.winner.candidate, attempts: run.attempts, lost, ...(breaker ? { breaker } : {}) };
}
