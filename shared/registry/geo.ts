import type { Deployment } from "../../schema";

/** Where a request comes from, as far as the edge knows (Cloudflare's `request.cf`). */
export type Geo = { country?: string; continent?: string; lat?: number; lon?: number };

const EARTH_RADIUS_KM = 6371.0088;

const coordinate = (value: unknown, limit: number): number | undefined => {
  const n = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : Number.NaN;
  return Number.isFinite(n) && Math.abs(n) <= limit ? n : undefined;
};

const code = (value: unknown): string | undefined =>
  typeof value === "string" && /^[A-Za-z0-9]{2}$/.test(value) ? value.toUpperCase() : undefined;

function geo(parts: { country?: unknown; continent?: unknown; lat?: unknown; lon?: unknown }): Geo {
  const out: Geo = {};
  const [country, continent] = [code(parts.country), code(parts.continent)];
  const [lat, lon] = [coordinate(parts.lat, 90), coordinate(parts.lon, 180)];
  if (country) out.country = country;
  if (continent) out.continent = continent;
  // A point needs both halves: one coordinate alone would place the client on a meridian or parallel.
  if (lat !== undefined && lon !== undefined) {
    out.lat = lat;
    out.lon = lon;
  }
  return out;
}

/**
 * The request's geo from Cloudflare's `request.cf` (`country`, `continent`, and `latitude` /
 * `longitude`, which Cloudflare sends as strings). Missing or malformed fields are left out.
 * @example const where = geoFromCf(c.req.raw.cf);
 */
export function geoFromCf(cf: unknown): Geo {
  if (typeof cf !== "object" || cf === null) return {};
  const o = cf as Record<string, unknown>;
  return geo({ country: o.country, continent: o.continent, lat: o.latitude, lon: o.longitude });
}

/**
 * Parses the development-only stand-in for `request.cf`: `country=DE;continent=EU;lat=52.5;lon=13.4`
 * (any subset, any order; unknown or malformed parts ignored). Undefined when nothing usable is in
 * it. The caller honours it only when `ENVIRONMENT=development` (CONTRACT.md).
 * @example devGeoHeader(c.req.header("x-edgeway-debug-geo"))
 */
export function devGeoHeader(value: string | null | undefined): Geo | undefined {
  if (!value) return undefined;
  const parts: Record<string, string> = {};
  for (const pair of value.split(";")) {
    const eq = pair.indexOf("=");
    if (eq > 0) parts[pair.slice(0, eq).trim().toLowerCase()] = pair.slice(eq + 1).trim();
  }
  const out = geo(parts);
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * Great-circle distance in km between two points (haversine, mean Earth radius).
 * @example haversineKm({ lat: 52.52, lon: 13.405 }, { lat: 48.8566, lon: 2.3522 }) // ≈ 878
 */
export function haversineKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Distance from the client to a deployment, or null when either has no coordinates. */
export function distanceKm(from: Geo, to: Pick<Deployment, "lat" | "lon">): number | null {
  if (from.lat === undefined || from.lon === undefined || to.lat == null || to.lon == null) return null;
  return haversineKm({ lat: from.lat, lon: from.lon }, { lat: to.lat, lon: to.lon });
}

/**
 * True when a deployment's region lies inside a residency pin. A residency is a region prefix
 * matched on whole `-`-separated segments, case-insensitively: `eu` holds `eu`, `eu-west` and
 * `eu-west-1`, but not `europe-1`; `eu-west` holds `eu-west-1` but not `eu-central`. No residency
 * (undefined or empty) holds every region.
 * @example inResidency({ region: "eu-west" }, "eu") // true
 */
export function inResidency(deployment: Pick<Deployment, "region">, residency: string | null | undefined): boolean {
  if (!residency) return true;
  const region = deployment.region.toLowerCase();
  const pin = residency.toLowerCase();
  return region === pin || region.startsWith(`${pin}-`);
}

/**
 * Region prefixes that lie on each Cloudflare continent code, for requests that carry a continent
 * but no coordinates (the dev header, some clients) or deployments without coordinates.
 */
const CONTINENT_REGIONS: Record<string, readonly string[]> = {
  EU: ["eu"],
  NA: ["us", "na", "ca"],
  SA: ["sa"],
  AS: ["ap", "as", "me"],
  OC: ["ap", "au", "oc"],
  AF: ["af"],
};

/** True when the deployment's region is on the client's continent (by region prefix, see CONTINENT_REGIONS). */
export function onContinent(deployment: Pick<Deployment, "region">, continent: string | undefined): boolean {
  const prefixes = continent ? CONTINENT_REGIONS[continent.toUpperCase()] : undefined;
  return prefixes?.some((p) => inResidency(deployment, p)) ?? false;
}
