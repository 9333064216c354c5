import { z } from "zod";
import { DEPLOYMENT_STATUSES } from "../../schema/tables/deployments";
import { PROVIDERS } from "../providers/registry";
import { isSemver, MODEL_NAME } from "./names";
import { STRATEGIES } from "./select";
import { isBaseUrlTemplate } from "./target";

const PROVIDER_IDS = [...PROVIDERS.keys()] as [string, ...string[]];

/** A deployment id: letters, digits, `.`, `_`, `-` (generated as `dep_…` when not given). */
export const DeploymentId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "letters, digits, `.`, `_`, `-` (≤ 64)");

/** A region such as `eu-west` or `us-east-1`; residency pins match it by prefix. */
export const Region = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z]{2,}(-[a-z0-9]+)*$/, "a region such as `eu-west` or `us-east-1`");

/** A base URL, possibly with `{env:NAME}` placeholders filled from the Worker env at call time. */
export const BaseUrl = z
  .string()
  .max(2048)
  .refine(isBaseUrlTemplate, "an absolute http(s) URL; `{env:NAME}` placeholders allowed, e.g. `{env:MOCK_URL}/d/eu-west/v1`");

export const ModelName = z.string().regex(MODEL_NAME, "letters, digits, `.`, `_`, `-` (≤ 100)");
export const Semver = z.string().refine(isSemver, "a semantic version such as 1.4.0");

const price = z.number().int().min(0).max(1e12);
const weight = z.number().int().min(0).max(1000);
const lat = z.number().min(-90).max(90);
const lon = z.number().min(-180).max(180);

export const NewDeploymentInput = z
  .strictObject({
    id: DeploymentId.optional(),
    provider: z.enum(PROVIDER_IDS),
    upstreamModel: z.string().trim().min(1).max(200),
    region: Region,
    lat: lat.optional(),
    lon: lon.optional(),
    baseUrl: BaseUrl.optional(),
    /** @default 1 */
    weight: weight.optional(),
    options: z.record(z.string(), z.string()).optional(),
    inputMicroUsdPerMTok: price.optional(),
    outputMicroUsdPerMTok: price.optional(),
  })
  .refine((d) => (d.lat === undefined) === (d.lon === undefined), { message: "lat and lon go together", path: ["lon"] });
export type NewDeploymentInput = z.infer<typeof NewDeploymentInput>;

/** Provider and upstream model are fixed (versions reference the deployment): create another deployment instead. */
export const DeploymentPatch = z.strictObject({
  status: z.enum(DEPLOYMENT_STATUSES).optional(),
  weight: weight.optional(),
  region: Region.optional(),
  lat: lat.nullable().optional(),
  lon: lon.nullable().optional(),
  baseUrl: BaseUrl.nullable().optional(),
  options: z.record(z.string(), z.string()).optional(),
  inputMicroUsdPerMTok: price.nullable().optional(),
  outputMicroUsdPerMTok: price.nullable().optional(),
});
export type DeploymentPatch = z.infer<typeof DeploymentPatch>;

const RESERVED_PARAMS = ["model", "messages", "stream", "stream_options"];

export const NewVersionInput = z.strictObject({
  version: Semver,
  targets: z
    .array(z.strictObject({ deploymentId: DeploymentId, weight: weight.optional() }))
    .min(1)
    .max(32)
    .refine((ts) => new Set(ts.map((t) => t.deploymentId)).size === ts.length, "each deployment at most once"),
  /** @default "weighted" */
  strategy: z.enum(STRATEGIES).optional(),
  /** Model names (as clients call them) tried in order when every target fails. */
  fallbacks: z.array(z.string().trim().min(1).max(200)).max(10).optional(),
  /** Default request parameters (the client's own win). */
  params: z
    .record(z.string(), z.unknown())
    .refine((p) => !RESERVED_PARAMS.some((k) => k in p), `may not set ${RESERVED_PARAMS.join(", ")}`)
    .optional(),
  systemPrompt: z.string().max(100_000).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});
export type NewVersionInput = z.infer<typeof NewVersionInput>;
