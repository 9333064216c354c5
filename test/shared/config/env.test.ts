import { describe, expect, it } from "vitest";
import { ConfigError, parseEnv } from "../../../shared/config/env";

const valid = {
  ADMIN_TOKEN: "admin-token-0123456789",
  DATABASE_URL: "postgres://u:secret-pw@db.example/edgeway",
  UPSTASH_REDIS_REST_URL: "https://redis.example",
  UPSTASH_REDIS_REST_TOKEN: "redis-token",
  UPSTASH_VECTOR_REST_URL: "https://vector.example",
  UPSTASH_VECTOR_REST_TOKEN: "vector-token",
};

describe("parseEnv", () => {
  it("applies defaults and coerces numbers from wrangler's string vars", () => {
    const env = parseEnv({ ...valid, MAX_BODY_BYTES: "1024" });
    expect(env).toMatchObject({ ENVIRONMENT: "production", REDIS_KEY_PREFIX: "ew:", MAX_BODY_BYTES: 1024 });
  });

  it("names every bad key and never echoes a value", () => {
    const raw = { ...valid, ADMIN_TOKEN: "short", UPSTASH_REDIS_REST_URL: "not a url with secret-pw" };
    let error: unknown;
    try {
      parseEnv(raw);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).keys.map((k) => k.split(" ")[0])).toEqual(["ADMIN_TOKEN", "UPSTASH_REDIS_REST_URL"]);
    expect((error as Error).message).not.toContain("secret-pw");
    expect((error as Error).message).not.toContain("short");
  });

  it("parses once per env object", () => {
    const raw = { ...valid };
    expect(parseEnv(raw)).toBe(parseEnv(raw));
  });
});
