import type { Deployment, ModelVersion } from "../../schema";
import type { Env } from "../config/env";
import { GatewayError } from "../errors/gateway-error";
import type { ChatCompletionRequest } from "../openai/chat-request";
import { send } from "../providers/send";
import { deploymentTarget } from "./target";

/** What one probe call answered: 2xx or not, the upstream status (0 when none answered), why it failed. */
export type ProbeAnswer = { ok: boolean; status: number; error?: string };

/** Sends one chat request to one deployment (the registry route builds it with `providerProbe`). */
export type ProbeSend = (deployment: Deployment, body: ChatCompletionRequest) => Promise<ProbeAnswer>;

/** One target's outcome; `skipped` targets (disabled deployments) were not called and do not count. */
export type ProbeTargetResult = ProbeAnswer & { deploymentId: string; ms: number; skipped?: "disabled" };

/** A version's probe: `ok` when at least one target was probed and every probed target answered 2xx. */
export type ProbeResult = { ok: boolean; results: ProbeTargetResult[] };

/** How long a probe waits for a deployment. */
export const PROBE_TIMEOUT_MS = 10_000;

/**
 * The probe request for a deployment: one `ping`, one token, under the version's default params
 * (so an upstream that rejects them fails validation) minus `stream`.
 */
export function probeBody(version: Pick<ModelVersion, "params">, deployment: Pick<Deployment, "upstreamModel">): ChatCompletionRequest {
  const { stream: _stream, stream_options: _options, ...params } = version.params;
  return { ...params, model: deployment.upstreamModel, messages: [{ role: "user", content: "ping" }], max_tokens: 1 };
}

/**
 * Live-probes a version: a tiny chat request to each of its active target deployments, in
 * parallel, through `send`. Disabled targets are skipped (they serve nothing); a target whose
 * deployment does not exist fails the probe.
 * @example const { ok, results } = await probeVersion(version, registry.deployments, providerProbe(env, c.env));
 */
export async function probeVersion(
  version: Pick<ModelVersion, "targets" | "params">,
  deployments: ReadonlyMap<string, Deployment>,
  probe: ProbeSend,
): Promise<ProbeResult> {
  const results = await Promise.all(
    version.targets.map(async ({ deploymentId }): Promise<ProbeTargetResult> => {
      const d = deployments.get(deploymentId);
      if (!d) return { deploymentId, ok: false, status: 0, ms: 0, error: "No such deployment" };
      if (d.status !== "active") return { deploymentId, ok: true, status: 0, ms: 0, skipped: "disabled" };
      const started = Date.now();
      const answer = await probe(d, probeBody(version, d)).catch(
        (err: unknown): ProbeAnswer => ({ ok: false, status: 0, error: err instanceof Error ? err.message : String(err) }),
      );
      return { deploymentId, ...answer, ms: Date.now() - started };
    }),
  );
  const probed = results.filter((r) => !r.skipped);
  return { ok: probed.length > 0 && probed.every((r) => r.ok), results };
}

/**
 * A ProbeSend over the provider adapters: the deployment's target (`deploymentTarget`), the
 * adapter's chat request, one `send` with a PROBE_TIMEOUT_MS deadline; the body is discarded.
 * @example providerProbe(services.env, c.env)
 */
export function providerProbe(env: Env, bindings: Record<string, unknown>, timeoutMs = PROBE_TIMEOUT_MS): ProbeSend {
  return async function providerProbeSend(deployment, body) {
    const t = deploymentTarget(env, deployment);
    if (!t.ok) return { ok: false, status: 0, error: t.reason };
    try {
      const request = t.provider.adapter.chatRequest(body, t.target);
      const res = await send({ provider: t.provider, request, bindings, signal: AbortSignal.timeout(timeoutMs) });
      await res.body?.cancel();
      return { ok: true, status: res.status };
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      return { ok: false, status: err.details.upstream?.status ?? 0, error: err.message };
    }
  };
}
