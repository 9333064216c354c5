import type { Deployment } from "../../schema";
import type { Env } from "../config/env";
import { connect } from "../providers/connection";
import { PROVIDERS, type Provider } from "../providers/registry";
import type { Target } from "../providers/types";

const PLACEHOLDER = /\{env:([A-Z][A-Z0-9_]*)\}/g;

/**
 * A deployment's base URL with its `{env:NAME}` placeholders replaced by the Worker's env values
 * (trailing slashes of each value and of the result dropped), so a seeded deployment can say
 * `{env:MOCK_URL}/d/eu-west/v1`. Undefined when a named variable is unset or empty.
 * @example resolveBaseUrl("{env:MOCK_URL}/d/eu-west/v1", { MOCK_URL: "http://127.0.0.1:8787" })
 */
export function resolveBaseUrl(template: string, env: Readonly<Record<string, unknown>>): string | undefined {
  let missing = false;
  const out = template.replace(PLACEHOLDER, (_m, name: string) => {
    const value = env[name];
    if (typeof value !== "string" || value === "") missing = true;
    return typeof value === "string" ? value.replace(/\/+$/, "") : "";
  });
  return missing ? undefined : out.replace(/\/+$/, "");
}

/**
 * True when a base URL (template) is an absolute http(s) URL once placeholders are filled in; a
 * placeholder may stand for the scheme and host (`{env:MOCK_URL}/d/eu-west/v1`).
 */
export function isBaseUrlTemplate(template: string): boolean {
  const sample = template.replace(PLACEHOLDER, (_m, _name, offset: number) => (offset === 0 ? "http://env.invalid" : "env"));
  if (sample.includes("{") || sample.includes("}")) return false;
  try {
    const url = new URL(sample);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

/** How to call a deployment, or why it cannot be called on this gateway. */
export type DeploymentTarget = { ok: true; provider: Provider; target: Target } | { ok: false; reason: string };

/**
 * The provider and call target of a deployment: its upstream model and options, the gateway's
 * credentials for the provider, and the deployment's base URL (placeholders resolved) instead of
 * the provider's (which `<ID>_BASE_URL` would otherwise set).
 * @example const t = deploymentTarget(env, deployment); if (t.ok) provider.adapter.chatRequest(body, t.target);
 */
export function deploymentTarget(env: Env, d: Pick<Deployment, "provider" | "upstreamModel" | "baseUrl" | "options">): DeploymentTarget {
  const provider = PROVIDERS.get(d.provider);
  if (!provider) return { ok: false, reason: `Provider ${d.provider} is not known to this gateway` };
  const baseUrl = d.baseUrl ? resolveBaseUrl(d.baseUrl, env) : undefined;
  if (d.baseUrl && !baseUrl) return { ok: false, reason: `The deployment's base URL names an unset env variable` };
  // The deployment's URL stands in as the connection default so a provider without one still connects.
  const credentials = connect(d.provider, baseUrl ? { ...provider.connection, baseUrl } : provider.connection, env);
  if (!credentials) return { ok: false, reason: `Provider ${d.provider} is not configured on this gateway` };
  const options = Object.keys(d.options ?? {}).length > 0 ? { options: d.options } : {};
  return { ok: true, provider, target: { ...credentials, baseUrl: baseUrl ?? credentials.baseUrl, model: d.upstreamModel, ...options } };
}
