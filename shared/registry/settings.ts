import { z } from "zod";
import { DEFAULT_MAX_CHARS, DEFAULT_MAX_TURNS } from "./complexity";

/** A residency pin: a region prefix such as `eu` or `eu-west` (see `inResidency`). */
export const Residency = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z]{2,}(-[a-z0-9]+)*$/, "a region prefix such as `eu` or `eu-west`");

/** The complexity router's rules for a tenant (see `routeByComplexity`). */
export const ComplexitySettings = z.strictObject({
  /** The cheaper model simple prompts go to. */
  simpleModel: z.string().trim().min(1).max(200),
  /** Most characters of message text a simple prompt has. @default 400 */
  maxChars: z.number().int().positive().max(1_000_000).optional().describe(`default ${DEFAULT_MAX_CHARS}`),
  /** Most user/assistant messages a simple conversation has. @default 4 */
  maxTurns: z.number().int().positive().max(1_000).optional().describe(`default ${DEFAULT_MAX_TURNS}`),
});
export type ComplexitySettings = z.infer<typeof ComplexitySettings>;

/**
 * A tenant's routing settings, for `tenants.settings.routing` (mount it in `TenantSettings`).
 * `residency` is hard: the tenant's requests are only ever sent to deployments whose region lies
 * inside it (503 when none is healthy). `complexity` turns the complexity router on.
 * @example RoutingSettings.parse({ residency: "eu", complexity: { simpleModel: "mock-small" } })
 */
export const RoutingSettings = z.strictObject({
  residency: Residency.optional(),
  complexity: ComplexitySettings.optional(),
  /** Send a second request to the next deployment when the first has not answered after this long. */
  hedgeAfterMs: z.number().int().min(10).max(60_000).optional(),
});
export type RoutingSettings = z.infer<typeof RoutingSettings>;
