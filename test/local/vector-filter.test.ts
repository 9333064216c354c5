import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Index } from "@upstash/vector";
import { beforeAll, describe, expect, it } from "vitest";
import type { StandIn } from "../../local/stand-in";
import { matchesFilter, parseFilter } from "../../local/vector/filter";
import { globToRegExp } from "../../local/vector/glob";
import { startVectorRest } from "../../local/vector/server";

const TOKEN = "filter-token";

const CITIES: Record<string, Record<string, unknown> | undefined> = {
  istanbul: {
    city: "Istanbul",
    country: "Turkey",
    is_capital: false,
    population: 15460000,
    geography: { continent: "Asia", coordinates: { latitude: 41.0082, longitude: 28.9784 } },
    economy: { currency: "TRY", major_industries: ["Tourism", "Textiles", "Finance"] },
  },
  ankara: {
    city: "Ankara",
    country: "Turkey",
    is_capital: true,
    population: 5663000,
    geography: { continent: "Asia", coordinates: { latitude: 39.93, longitude: 32.86 } },
    economy: { currency: "TRY", major_industries: ["Government", "Defense"] },
  },
  berlin: {
    city: "Berlin",
    country: "Germany",
    is_capital: true,
    population: 3645000,
    geography: { continent: "Europe", coordinates: { latitude: 52.52, longitude: 13.405 } },
    economy: { currency: "EUR", major_industries: ["Technology", "Tourism", "Finance"] },
  },
  paris: {
    city: "Paris",
    country: "France",
    is_capital: true,
    population: 2161000,
    geography: { continent: "Europe" },
    economy: { currency: "EUR", major_industries: ["Tourism", "Fashion"] },
    note: 'it\'s "quoted"',
  },
  tokyo: {
    city: "Tokyo",
    country: "Japan",
    is_capital: true,
    population: 13960000,
    geography: { continent: "Asia", coordinates: { latitude: 35.68, longitude: 139.69 } },
    economy: { currency: "JPY", major_industries: [] },
  },
  nometa: undefined,
};

const MATCHES: [string, string[]][] = [
  ["country = 'Turkey'", ["ankara", "istanbul"]],
  ['country = "Germany"', ["berlin"]],
  ["population = 15460000", ["istanbul"]],
  ["is_capital = false", ["istanbul"]],
  ["is_capital = TRUE", ["ankara", "berlin", "paris", "tokyo"]],
  ["is_capital = 1", ["ankara", "berlin", "paris", "tokyo"]],
  ["is_capital = 0", ["istanbul"]],
  ["country != 'Turkey'", ["berlin", "paris", "tokyo"]],
  ["population != 15460000", ["ankara", "berlin", "paris", "tokyo"]],
  ["is_capital != true", ["istanbul"]],
  ["population < 3000000", ["paris"]],
  ["population <= 3645000", ["berlin", "paris"]],
  ["population > 13960000", ["istanbul"]],
  ["population >= 13960000", ["istanbul", "tokyo"]],
  ["geography.coordinates.longitude < 30.0", ["berlin", "istanbul"]],
  ["geography.coordinates.longitude > -1", ["ankara", "berlin", "istanbul", "tokyo"]],
  ["geography.coordinates.latitude >= 4e1", ["berlin", "istanbul"]],
  ["geography.continent = 'Europe'", ["berlin", "paris"]],
  ["city GLOB 'I*'", ["istanbul"]],
  ["city GLOB '?[sz]*[^m-z]'", ["istanbul"]],
  ["city GLOB '*o'", ["tokyo"]],
  ["city GLOB 'Par??'", ["paris"]],
  ["city GLOB '[AB]*'", ["ankara", "berlin"]],
  ["city GLOB '[a-c]*'", []],
  ["city GLOB 'paris'", []],
  ["city GLOB '*'", ["ankara", "berlin", "istanbul", "paris", "tokyo"]],
  ["city NOT GLOB 'A*'", ["berlin", "istanbul", "paris", "tokyo"]],
  ["city not glob '[!T]*'", ["tokyo"]],
  ["country IN ('Germany', 'France')", ["berlin", "paris"]],
  ["population IN (2161000, 1)", ["paris"]],
  ["is_capital IN (false)", ["istanbul"]],
  ["economy.currency NOT IN ('USD', 'EUR')", ["ankara", "istanbul", "tokyo"]],
  ["economy.major_industries CONTAINS 'Tourism'", ["berlin", "istanbul", "paris"]],
  ["economy.major_industries NOT CONTAINS 'Tourism'", ["ankara", "tokyo"]],
  ["economy.currency CONTAINS 'EUR'", []],
  ["HAS FIELD geography.coordinates", ["ankara", "berlin", "istanbul", "tokyo"]],
  ["HAS NOT FIELD geography.coordinates.longitude", ["nometa", "paris"]],
  ["has field note", ["paris"]],
  ["HAS FIELD economy.major_industries[2]", ["berlin", "istanbul"]],
  ["economy.major_industries[0] = 'Tourism'", ["istanbul", "paris"]],
  ["economy.major_industries[1] = 'Tourism'", ["berlin"]],
  ["economy.major_industries[#-1] = 'Finance'", ["berlin", "istanbul"]],
  ["economy.major_industries[#-2] = 'Textiles'", ["istanbul"]],
  ["economy.major_industries[5] = 'Tourism'", []],
  ["country = 'Turkey' AND population > 10000000", ["istanbul"]],
  ["country = 'Germany' OR country = 'Japan'", ["berlin", "tokyo"]],
  ["country = 'France' OR country = 'Germany' AND population > 3000000", ["berlin", "paris"]],
  ["(country = 'France' OR country = 'Germany') AND population > 3000000", ["berlin"]],
  ["country = 'Turkey' AND (population > 10000000 OR is_capital = true)", ["ankara", "istanbul"]],
  ["((city = 'Paris'))", ["paris"]],
  ["country = 'Turkey' and population > 10000000 or city glob 'T*'", ["istanbul", "tokyo"]],
  ["note = 'it\\'s \"quoted\"'", ["paris"]],
  ['note = "it\'s \\"quoted\\""', ["paris"]],
  ["population = '15460000'", []],
  ["city = 5", []],
  ["geography = 'Asia'", []],
  ["  country   =   'Japan'  ", ["tokyo"]],
];

const INVALID: [string, RegExp][] = [
  ["country =", /^Invalid filter\. At line 1:9 mismatched input <EOF>/],
  ["country 'Turkey'", /^Invalid filter\. At line 1:8 mismatched input/],
  ["= 'x'", /^Invalid filter\. At line 1:0 mismatched input '='/],
  ["country = 'Turkey' AND", /^Invalid filter\. At line 1:22/],
  ["(country = 'Turkey'", /expecting '\)'/],
  ["country = 'Turkey')", /^Invalid filter\. At line 1:18 extraneous input '\)'/],
  ["country == 'x'", /^Invalid filter\. At line 1:9 mismatched input '='/],
  ["population > 'big'", /operator '>' needs a number literal/],
  ["city GLOB 5", /GLOB needs a string pattern/],
  ["country IN 'a'", /expecting '\('/],
  ["country IN ()", /expecting a string, number or boolean literal/],
  ["city = 'unterminated", /^Invalid filter\. At line 1:7 token recognition error/],
  ["HAS FIELD", /expecting a field name/],
  ['user_id = "u" AND age = [object Object]', /^Invalid filter\. At line 1:24 token recognition error at: '\['$/],
  ["a..b = 1", /invalid field path 'a\.\.b'/],
  ["arr[x] = 1", /invalid field path/],
  ["country = 'x' OR OR city = 'y'", /^Invalid filter\. At line 1:17/],
  ["country = @", /token recognition error at: '@'/],
  ["country ! = 'x'", /token recognition error at: '!'/],
  ["city GLOB '[z-a]'", /invalid GLOB pattern/],
];

describe("vectorRest metadata filters", () => {
  let server: StandIn;
  let index: Index;

  beforeAll(async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "edgeway-vector-filter-"));
    server = await startVectorRest({ token: TOKEN, dataDir, port: 0, dimension: 2 });
    index = new Index({ url: server.url, token: TOKEN });
    await index.upsert(
      Object.entries(CITIES).map(([id, metadata], i) => (metadata ? { id, vector: [1, i], metadata } : { id, vector: [1, i] })),
    );
    return async () => {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    };
  });

  it.each(MATCHES)("%s", async (filter, expected) => {
    const res = await index.query({ vector: [1, 0], topK: 100, filter });
    expect(res.map((r) => String(r.id)).sort()).toEqual(expected);
  });

  it.each(INVALID)("rejects %s", async (filter, message) => {
    await expect(index.query({ vector: [1, 0], topK: 1, filter })).rejects.toThrow(message);
  });

  it("answers an invalid filter with HTTP 400 and {error}", async () => {
    const res = await fetch(`${server.url}/query`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ vector: [1, 0], topK: 1, filter: "city GLOB" }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: "Invalid filter. At line 1:9 GLOB needs a string pattern, got <EOF>", status: 400 });
  });

  it("treats an empty filter as no filter", async () => {
    expect(await index.query({ vector: [1, 0], topK: 100, filter: "" })).toHaveLength(6);
  });
});

describe("filter internals", () => {
  it.each([
    ["a*c", "abbbc", true],
    ["a*c", "abd", false],
    ["a?c", "abc", true],
    ["a?c", "ac", false],
    ["[abc]x", "bx", true],
    ["[^abc]x", "bx", false],
    ["[^abc]x", "dx", true],
    ["[a-c]", "b", true],
    ["[a-c]", "d", false],
    ["a.b", "a.b", true],
    ["a.b", "axb", false],
    ["(x)+", "(x)+", true],
    ["[]]", "]", true],
    ["[unclosed", "[unclosed", true],
    ["é*", "été", true],
  ])("glob %s on %s → %s", (pattern, value, expected) => {
    expect(globToRegExp(pattern).test(value)).toBe(expected);
  });

  it("binds AND tighter than OR", () => {
    const node = parseFilter("a = 1 OR b = 1 AND c = 1");
    expect(node.type).toBe("or");
    expect(matchesFilter(node, { a: 1 })).toBe(true);
    expect(matchesFilter(node, { b: 1 })).toBe(false);
    expect(matchesFilter(node, { b: 1, c: 1 })).toBe(true);
  });

  it("indexes nested arrays and objects inside arrays", () => {
    const meta = {
      m: [
        [1, 2],
        [3, 4],
      ],
      items: [{ name: "x" }, { name: "y" }],
    };
    expect(matchesFilter(parseFilter("m[1][0] = 3"), meta)).toBe(true);
    expect(matchesFilter(parseFilter("m[#-1][#-1] = 4"), meta)).toBe(true);
    expect(matchesFilter(parseFilter("items[#-1].name = 'y'"), meta)).toBe(true);
    expect(matchesFilter(parseFilter("items[0].name = 'y'"), meta)).toBe(false);
  });

  it("accepts identifiers with dashes and digits", () => {
    expect(matchesFilter(parseFilter("my-key_2 = 'v'"), { "my-key_2": "v" })).toBe(true);
  });
});
