import { describe, expect, it } from "vitest";
import {
  asStrategy,
  type DeploymentHealth,
  deploymentPrices,
  type OrderOptions,
  orderDeployments,
  type SelectableDeployment,
} from "../../../shared/registry/select";

const dep = (id: string, region: string, extra: Partial<SelectableDeployment> = {}): SelectableDeployment => ({
  id,
  region,
  lat: null,
  lon: null,
  weight: 1,
  ...extra,
});

// Frankfurt, Dublin, Virginia, Singapore
const FRA = dep("fra", "eu-central", { lat: 50.11, lon: 8.68 });
const DUB = dep("dub", "eu-west", { lat: 53.35, lon: -6.26 });
const IAD = dep("iad", "us-east", { lat: 38.95, lon: -77.45 });
const SIN = dep("sin", "ap-southeast", { lat: 1.35, lon: 103.82 });
const ALL = [FRA, DUB, IAD, SIN];

const health = (entries: Record<string, Partial<DeploymentHealth>>): Record<string, DeploymentHealth> =>
  Object.fromEntries(Object.entries(entries).map(([id, h]) => [id, { state: "closed", inflight: 0, ewmaMs: null, ...h }]));

const order = (deployments: SelectableDeployment[], opts: Partial<OrderOptions> = {}) =>
  orderDeployments(deployments, { strategy: "weighted", health: {}, seed: 1, ...opts });
const ids = (deployments: SelectableDeployment[], opts: Partial<OrderOptions> = {}) => order(deployments, opts).ordered.map((d) => d.id);

describe("orderDeployments: residency", () => {
  it("never returns a deployment outside the pin, for any strategy or seed", () => {
    for (const strategy of ["weighted", "round-robin", "least-inflight", "latency", "cost"] as const) {
      for (let seed = 0; seed < 50; seed++) {
        const { ordered, excluded } = order(ALL, { strategy, seed, residency: "eu", geo: { lat: 40.7, lon: -74 } });
        expect(ordered.map((d) => d.region).every((r) => r.startsWith("eu-"))).toBe(true);
        expect(excluded).toEqual([
          { id: "iad", reason: "residency" },
          { id: "sin", reason: "residency" },
        ]);
      }
    }
  });

  it("returns nothing (never a fallback abroad) when every in-region deployment is open", () => {
    const { ordered, excluded } = order(ALL, { residency: "eu", health: health({ fra: { state: "open" }, dub: { state: "open" } }) });
    expect(ordered).toEqual([]);
    expect(excluded).toEqual([
      { id: "fra", reason: "open" },
      { id: "dub", reason: "open" },
      { id: "iad", reason: "residency" },
      { id: "sin", reason: "residency" },
    ]);
  });

  it("keeps a half-open in-region deployment as the only candidate", () => {
    expect(ids(ALL, { residency: "eu-west", health: health({ dub: { state: "half-open" } }) })).toEqual(["dub"]);
  });
});

describe("orderDeployments: health", () => {
  it("drops open breakers and puts half-open ones last", () => {
    const { ordered, excluded } = order(ALL, {
      strategy: "round-robin",
      seed: 0,
      health: health({ fra: { state: "half-open" }, iad: { state: "open" } }),
    });
    expect(ordered.map((d) => d.id)).toEqual(["dub", "sin", "fra"]);
    expect(excluded).toEqual([{ id: "iad", reason: "open" }]);
  });
});

describe("orderDeployments: geo", () => {
  it("prefers the nearest 1000 km band, then the strategy within it", () => {
    // From Berlin: Frankfurt ~420 km and Dublin ~1320 km are in different bands.
    const berlin = { lat: 52.52, lon: 13.4 };
    for (let seed = 0; seed < 20; seed++) expect(ids(ALL, { geo: berlin, seed })).toEqual(["fra", "dub", "iad", "sin"]);
    // From New York: Virginia first, then Dublin (~5100 km) before Frankfurt (~6200 km), Singapore last.
    expect(ids(ALL, { geo: { lat: 40.7, lon: -74 } })).toEqual(["iad", "dub", "fra", "sin"]);
    expect(ids(ALL, { geo: { lat: 1.3, lon: 103.8 } })[0]).toBe("sin");
  });

  it("applies the strategy among deployments of the same band", () => {
    // From Brussels both Frankfurt (~320 km) and Dublin (~780 km) are in band 0.
    const brussels = { lat: 50.85, lon: 4.35 };
    const firsts = new Set<string>();
    for (let seed = 0; seed < 4; seed++) firsts.add(ids(ALL, { geo: brussels, strategy: "round-robin", seed })[0] as string);
    expect(firsts).toEqual(new Set(["fra", "dub"]));
    expect(ids(ALL, { geo: brussels, strategy: "round-robin", seed: 0 }).slice(2)).toEqual(["iad", "sin"]);
  });

  it("uses the continent when the client has no coordinates", () => {
    expect(ids(ALL, { geo: { continent: "NA" } })[0]).toBe("iad");
    expect(new Set(ids(ALL, { geo: { continent: "EU" } }).slice(0, 2))).toEqual(new Set(["fra", "dub"]));
  });

  it("ranks deployments without coordinates after located ones", () => {
    const unlocated = dep("nowhere", "eu-north");
    expect(ids([unlocated, IAD, FRA], { geo: { lat: 52.52, lon: 13.4, continent: "EU" } })).toEqual(["fra", "iad", "nowhere"]);
  });

  it("has no preference when the geo is unknown", () => {
    expect(ids(ALL, { geo: {}, strategy: "round-robin", seed: 0 })).toEqual(["fra", "dub", "iad", "sin"]);
  });
});

describe("orderDeployments: strategies", () => {
  it("weighted: splits first picks by weight over 10,000 seeds (±2%)", () => {
    const deployments = [dep("a", "eu", { weight: 70 }), dep("b", "eu", { weight: 20 }), dep("c", "eu", { weight: 10 })];
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let seed = 0; seed < 10_000; seed++) {
      const first = ids(deployments, { seed })[0] as string;
      counts[first] = (counts[first] ?? 0) + 1;
    }
    expect(Math.abs((counts.a ?? 0) / 10_000 - 0.7)).toBeLessThan(0.02);
    expect(Math.abs((counts.b ?? 0) / 10_000 - 0.2)).toBeLessThan(0.02);
    expect(Math.abs((counts.c ?? 0) / 10_000 - 0.1)).toBeLessThan(0.02);
  });

  it("weighted: the same seed gives the same order; weight 0 only as a fallback", () => {
    const deployments = [dep("a", "eu", { weight: 0 }), dep("b", "eu"), dep("c", "eu")];
    for (let seed = 0; seed < 200; seed++) {
      const first = ids(deployments, { seed });
      expect(ids(deployments, { seed })).toEqual(first);
      expect(first.at(-1)).toBe("a");
      expect(first).toHaveLength(3);
    }
  });

  it("weighted: a fractional seed (e.g. Math.random()) still spreads", () => {
    const deployments = [dep("a", "eu"), dep("b", "eu")];
    const firsts = new Set(Array.from({ length: 50 }, (_, i) => ids(deployments, { seed: i / 50 })[0]));
    expect(firsts).toEqual(new Set(["a", "b"]));
  });

  it("round-robin: cycles deterministically, the rest following in rotation", () => {
    const cycle = Array.from({ length: 7 }, (_, seed) => ids(ALL, { strategy: "round-robin", seed }));
    expect(cycle.map((o) => o[0])).toEqual(["fra", "dub", "iad", "sin", "fra", "dub", "iad"]);
    expect(cycle[1]).toEqual(["dub", "iad", "sin", "fra"]);
    expect(ids(ALL, { strategy: "round-robin", seed: -1 })[0]).toBe("sin");
  });

  it("round-robin: weights give slots", () => {
    const deployments = [dep("a", "eu", { weight: 2 }), dep("b", "eu", { weight: 1 })];
    expect(Array.from({ length: 6 }, (_, seed) => ids(deployments, { strategy: "round-robin", seed })[0])).toEqual([
      "a",
      "a",
      "b",
      "a",
      "a",
      "b",
    ]);
  });

  it("least-inflight: the fewest requests in flight first", () => {
    const h = health({ fra: { inflight: 9 }, dub: { inflight: 2 }, iad: { inflight: 5 }, sin: { inflight: 7 } });
    for (let seed = 0; seed < 20; seed++)
      expect(ids(ALL, { strategy: "least-inflight", health: h, seed })).toEqual(["dub", "iad", "sin", "fra"]);
  });

  it("latency: the smallest EWMA first, unmeasured ones before measured ones", () => {
    const h = health({ fra: { ewmaMs: 120 }, dub: { ewmaMs: 45 }, iad: { ewmaMs: 300 }, sin: { ewmaMs: 80 } });
    expect(ids(ALL, { strategy: "latency", health: h })).toEqual(["dub", "sin", "fra", "iad"]);
    expect(ids(ALL, { strategy: "latency", health: { ...h, sin: { state: "closed", inflight: 0, ewmaMs: null } } })[0]).toBe("sin");
  });

  it("cost: the cheapest first, unpriced last", () => {
    const prices = { fra: 300, dub: 150, iad: 100 };
    for (let seed = 0; seed < 20; seed++) expect(ids(ALL, { strategy: "cost", prices, seed })).toEqual(["iad", "dub", "fra", "sin"]);
  });

  it("breaks ties with the weighted draw, so equal deployments share the load", () => {
    const firsts = new Set(Array.from({ length: 40 }, (_, seed) => ids(ALL, { strategy: "least-inflight", seed })[0]));
    expect(firsts.size).toBe(4);
  });

  it("is pure: the input is not reordered and an empty list gives nothing", () => {
    const input = [...ALL];
    order(input, { strategy: "cost", prices: { sin: 1 } });
    expect(input).toEqual(ALL);
    expect(order([])).toEqual({ ordered: [], excluded: [] });
  });
});

describe("helpers", () => {
  it("narrows a stored strategy and derives prices from a deployment's own", () => {
    expect(asStrategy("latency")).toBe("latency");
    expect(asStrategy("random")).toBe("weighted");
    expect(
      deploymentPrices([
        { id: "a", inputMicroUsdPerMTok: 100, outputMicroUsdPerMTok: 400 },
        { id: "b", inputMicroUsdPerMTok: null, outputMicroUsdPerMTok: null },
        { id: "c", inputMicroUsdPerMTok: 50, outputMicroUsdPerMTok: null },
      ]),
    ).toEqual({ a: 500, c: 50 });
  });
});
