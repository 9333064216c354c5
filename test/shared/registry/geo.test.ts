import { describe, expect, it } from "vitest";
import { devGeoHeader, distanceKm, geoFromCf, haversineKm, inResidency, onContinent } from "../../../shared/registry/geo";

const BERLIN = { lat: 52.52, lon: 13.405 };
const PARIS = { lat: 48.8566, lon: 2.3522 };
const LONDON = { lat: 51.5074, lon: -0.1278 };
const NEW_YORK = { lat: 40.7128, lon: -74.006 };
const SYDNEY = { lat: -33.8688, lon: 151.2093 };

describe("haversineKm", () => {
  it.each([
    ["Berlin–Paris", BERLIN, PARIS, 878],
    ["London–New York", LONDON, NEW_YORK, 5570],
    ["London–Sydney", LONDON, SYDNEY, 16994],
    ["equator to pole", { lat: 0, lon: 0 }, { lat: 90, lon: 0 }, 10008],
    ["antipodes", { lat: 0, lon: 0 }, { lat: 0, lon: 180 }, 20015],
  ])("%s", (_name, a, b, km) => {
    expect(haversineKm(a, b)).toBeGreaterThan(km * 0.995);
    expect(haversineKm(a, b)).toBeLessThan(km * 1.005);
    expect(haversineKm(b, a)).toBeCloseTo(haversineKm(a, b), 9);
  });

  it("is 0 for the same point, and null without coordinates", () => {
    expect(haversineKm(BERLIN, BERLIN)).toBe(0);
    expect(distanceKm({ ...BERLIN }, { lat: null, lon: null })).toBeNull();
    expect(distanceKm({ country: "DE" }, PARIS)).toBeNull();
  });
});

describe("geoFromCf", () => {
  it("reads Cloudflare's fields (coordinates arrive as strings)", () => {
    expect(geoFromCf({ country: "DE", continent: "EU", latitude: "52.52000", longitude: "13.40500", colo: "FRA" })).toEqual({
      country: "DE",
      continent: "EU",
      lat: 52.52,
      lon: 13.405,
    });
  });

  it("drops what is missing or malformed, and a lone coordinate", () => {
    expect(geoFromCf(undefined)).toEqual({});
    expect(geoFromCf({ country: "Germany", latitude: "91", longitude: "10" })).toEqual({});
    expect(geoFromCf({ continent: "eu", latitude: "52.5" })).toEqual({ continent: "EU" });
  });
});

describe("devGeoHeader", () => {
  it("parses the CONTRACT.md example", () => {
    expect(devGeoHeader("country=DE;continent=EU;lat=52.5;lon=13.4")).toEqual({ country: "DE", continent: "EU", lat: 52.5, lon: 13.4 });
  });

  it("takes any subset in any order, with spaces", () => {
    expect(devGeoHeader(" lon = -74.0 ; lat=40.7 ")).toEqual({ lat: 40.7, lon: -74 });
    expect(devGeoHeader("continent=na")).toEqual({ continent: "NA" });
  });

  it("ignores junk and is undefined when nothing is usable", () => {
    expect(devGeoHeader("country=DE;lat=abc;lon=13;evil")).toEqual({ country: "DE" });
    expect(devGeoHeader("lat=200;lon=0")).toBeUndefined();
    expect(devGeoHeader("")).toBeUndefined();
    expect(devGeoHeader(null)).toBeUndefined();
  });
});

describe("inResidency", () => {
  it.each([
    ["eu-west", "eu", true],
    ["eu", "eu", true],
    ["eu-west-1", "eu-west", true],
    ["EU-West", "eu", true],
    ["eu-central", "eu-west", false],
    ["europe-1", "eu", false],
    ["us-east", "eu", false],
    ["us-east", undefined, true],
    ["us-east", "", true],
  ])("%s in %j: %s", (region, residency, inside) => {
    expect(inResidency({ region }, residency)).toBe(inside);
  });

  it("maps continents to region prefixes", () => {
    expect(onContinent({ region: "eu-west" }, "EU")).toBe(true);
    expect(onContinent({ region: "us-east" }, "NA")).toBe(true);
    expect(onContinent({ region: "us-east" }, "EU")).toBe(false);
    expect(onContinent({ region: "us-east" }, undefined)).toBe(false);
  });
});
