import type { Deployment } from "../../../schema";

/**
 * A deployments row for registry tests: provider `mock`, upstream model `up-<id>`, eu-west, active.
 * @example deploymentRow("a", { region: "us-east" })
 */
export const deploymentRow = (id: string, extra: Partial<Deployment> = {}): Deployment => ({
  id,
  provider: "mock",
  upstreamModel: `up-${id}`,
  region: "eu-west",
  lat: null,
  lon: null,
  baseUrl: null,
  weight: 1,
  options: {},
  inputMicroUsdPerMTok: null,
  outputMicroUsdPerMTok: null,
  status: "active",
  createdAt: new Date(0),
  updatedAt: new Date(0),
  ...extra,
});
