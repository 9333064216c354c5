/**
 * Azure OpenAI's URL and auth on top of the OpenAI handlers: `/openai/deployments/{deployment}/…`
 * (with `?api-version=`; the deployment names the model) and the v1 API `/openai/v1/…` (model in
 * the body), authenticated by an `api-key` header. Bodies and errors are OpenAI's.
 */
import { type Ctx, header, isObject, queryParam, sendJson } from "./http";
import { openaiErrorBody } from "./openai";

const DEPLOYMENT = /^\/openai\/deployments\/([^/]+)\/(chat\/completions|embeddings)$/;
const V1 = /^\/openai\/v1\/(chat\/completions|embeddings)$/;

/** The OpenAI path an Azure path stands for, and the deployment when the URL names one. */
export function azurePath(path: string): { operation: "chat/completions" | "embeddings"; deployment?: string } | null {
  const d = DEPLOYMENT.exec(path);
  if (d) return { operation: d[2] as "chat/completions" | "embeddings", deployment: decodeURIComponent(d[1] as string) };
  const v = V1.exec(path);
  return v ? { operation: v[1] as "chat/completions" | "embeddings" } : null;
}

/** `api-key` header (and `api-version` on deployment URLs), answering 401/404 like Azure when missing. */
export function azureAuth(ctx: Ctx, needsVersion: boolean): boolean {
  if (!header(ctx, "api-key")) {
    sendJson(ctx, 401, openaiErrorBody(401, "Access denied due to invalid subscription key or wrong API endpoint.", "401"));
    return false;
  }
  if (needsVersion && !queryParam(ctx, "api-version")) {
    sendJson(ctx, 404, openaiErrorBody(404, "Resource not found", "404"));
    return false;
  }
  return true;
}

/** Deployment URLs carry the model in the path: the OpenAI handler reads it from the body. */
export function useDeploymentAsModel(ctx: Ctx, deployment: string | undefined): void {
  if (deployment && isObject(ctx.body) && ctx.body.model === undefined) ctx.body.model = deployment;
}
