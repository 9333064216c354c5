import { describe, expect, it } from "vitest";
import type { ModelAlias, ModelVersion } from "../../../schema";
import { buildRegistry, logicalModels, resolveLogical } from "../../../shared/registry/resolve";
import { deploymentRow } from "../../helpers/workers/registry";

const at = new Date("2025-01-01T00:00:00Z");
const deployment = deploymentRow;
const version = (v: string, targets: ModelVersion["targets"]): ModelVersion => ({
  id: `support-bot@${v}`,
  model: "support-bot",
  version: v,
  targets,
  strategy: "weighted",
  fallbacks: [],
  params: {},
  systemPrompt: null,
  metadata: {},
  validatedAt: at,
  createdAt: at,
  updatedAt: at,
});
const alias = (name: string, v: string, previousVersion: string | null = null): ModelAlias => ({
  model: "support-bot",
  alias: name,
  version: v,
  previousVersion,
  createdAt: at,
  updatedAt: at,
});

const registry = buildRegistry({
  deployments: [deployment("eu", { weight: 3 }), deployment("us", { region: "us-east" }), deployment("off", { status: "disabled" })],
  versions: [
    version("1.3.0", [{ deploymentId: "us" }]),
    version("1.4.0", [{ deploymentId: "eu" }, { deploymentId: "us", weight: 5 }, { deploymentId: "off" }, { deploymentId: "gone" }]),
    version("2.0.0-rc.1", [{ deploymentId: "off" }]),
  ],
  aliases: [alias("stable", "1.4.0", "1.3.0"), alias("canary", "2.0.0-rc.1"), alias("broken", "9.9.9")],
});

describe("resolveLogical", () => {
  it("resolves a plain name through the stable alias", () => {
    const route = resolveLogical(registry, "support-bot");
    expect(route?.alias).toBe("stable");
    expect(route?.version.version).toBe("1.4.0");
  });

  it("keeps active deployments in target order, with the target's weight (else the deployment's)", () => {
    const route = resolveLogical(registry, "support-bot@stable");
    expect(route?.deployments.map((d) => [d.id, d.weight])).toEqual([
      ["eu", 3],
      ["us", 5],
    ]);
    expect(registry.deployments.get("us")?.weight).toBe(1);
  });

  it("resolves an exact version and another alias", () => {
    expect(resolveLogical(registry, "support-bot@1.3.0")).toMatchObject({ alias: null, version: { version: "1.3.0" } });
    expect(resolveLogical(registry, "support-bot@canary")).toMatchObject({ alias: "canary", deployments: [] });
  });

  it("is null for an unknown model, alias or version, a dangling alias, or a malformed name", () => {
    for (const name of ["other-bot", "support-bot@latest", "support-bot@1.5.0", "support-bot@broken", "support-bot@1.4", "a/b"]) {
      expect(resolveLogical(registry, name), name).toBeNull();
    }
  });

  it("lists the logical models with their aliases and versions", () => {
    expect(logicalModels(registry)).toEqual([
      { model: "support-bot", versions: ["1.3.0", "1.4.0", "2.0.0-rc.1"], aliases: ["stable", "canary", "broken"] },
    ]);
  });
});
