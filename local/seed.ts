import pg from "pg";
import { displayPrefix, hashApiKey, newApiKey } from "../shared/auth/keys";

/** What the dev seed creates; `apiKey` is the full key (only the hash goes to the database). */
export type Seed = { tenantId: string; keyId: string; apiKey: string };

type SeedModel = {
  name: string;
  provider: string;
  upstream: string;
  capabilities: string[];
  input: number;
  output: number;
  cachedInput?: number;
};

/** When the seeded prices take effect (a fixed date, so re-seeding updates the same price version). */
export const PRICES_FROM = "2025-01-01T00:00:00Z";

/**
 * The dev/test registry; prices in micro-USD per million tokens (written to `model_prices`). `mock-*` are the local mock's own
 * provider; the others are real providers' models, which the offline stack answers through the mock
 * (`<PROVIDER>_BASE_URL`) until a real key is configured.
 */
export const SEED_MODELS: readonly SeedModel[] = [
  {
    name: "mock-small",
    provider: "mock",
    upstream: "mock-small",
    capabilities: ["chat", "embeddings"],
    input: 150_000,
    output: 600_000,
    cachedInput: 75_000,
  },
  {
    name: "mock-large",
    provider: "mock",
    upstream: "mock-large",
    capabilities: ["chat", "embeddings"],
    input: 2_500_000,
    output: 10_000_000,
  },
  {
    name: "gpt-4o-mini",
    provider: "openai",
    upstream: "gpt-4o-mini",
    capabilities: ["chat"],
    input: 150_000,
    output: 600_000,
    cachedInput: 75_000,
  },
  {
    name: "text-embedding-3-small",
    provider: "openai",
    upstream: "text-embedding-3-small",
    capabilities: ["embeddings"],
    input: 20_000,
    output: 0,
  },
  {
    name: "claude-haiku-4-5",
    provider: "anthropic",
    upstream: "claude-haiku-4-5",
    capabilities: ["chat"],
    input: 1_000_000,
    output: 5_000_000,
  },
  { name: "gpt-4o-mini-azure", provider: "azure", upstream: "gpt-4o-mini", capabilities: ["chat"], input: 150_000, output: 600_000 },
  { name: "gemini-2.5-flash", provider: "gemini", upstream: "gemini-2.5-flash", capabilities: ["chat"], input: 300_000, output: 2_500_000 },
  {
    name: "gemini-embedding-001",
    provider: "gemini",
    upstream: "gemini-embedding-001",
    capabilities: ["embeddings"],
    input: 150_000,
    output: 0,
  },
];

type TenantSeed = Seed & { name: string; scopes: string[] };

async function upsertTenantAndKey(client: pg.Client, t: TenantSeed): Promise<void> {
  await client.query("insert into tenants (id, name) values ($1, $2) on conflict (id) do nothing", [t.tenantId, t.name]);
  await client.query(
    `insert into api_keys (id, tenant_id, name, hash, prefix, scopes) values ($1, $2, $3, $4, $5, $6)
     on conflict (id) do update set hash = excluded.hash, prefix = excluded.prefix, revoked_at = null, updated_at = now()`,
    [t.keyId, t.tenantId, `${t.name} key`, await hashApiKey(t.apiKey), displayPrefix(t.apiKey), t.scopes],
  );
}

/**
 * A tenant with no limits and one key of its own (fresh ids), for tests that must not share usage.
 * @example const { apiKey, tenantId } = await seedTenant(databaseUrl, "usage test");
 */
export async function seedTenant(databaseUrl: string, name: string, scopes: string[] = []): Promise<Seed> {
  const suffix = crypto.randomUUID().replaceAll("-", "").slice(0, 16);
  const seed: Seed = { tenantId: `ten_${suffix}`, keyId: `key_${suffix}`, apiKey: newApiKey("test") };
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await upsertTenantAndKey(client, { ...seed, name, scopes });
  } finally {
    await client.end();
  }
  return seed;
}

/** Regional deployments of the mock: the mock serves each under `/d/<name>/` with its own faults and stats. */
export const SEED_DEPLOYMENTS = [
  { id: "dep_mock_eu", upstream: "mock-small", region: "eu-west", lat: 50.11, lon: 8.68, path: "eu-west" },
  { id: "dep_mock_us", upstream: "mock-small", region: "us-east", lat: 38.9, lon: -77.04, path: "us-east" },
  { id: "dep_mock_large_eu", upstream: "mock-large", region: "eu-west", lat: 50.11, lon: 8.68, path: "eu-west-large" },
] as const;

/** The logical model `support-bot`: 1.0.0 on the small regional pair (stable), 1.1.0 on the large model (canary). */
export const SEED_VERSIONS = [
  {
    model: "support-bot",
    version: "1.0.0",
    targets: [{ deploymentId: "dep_mock_eu" }, { deploymentId: "dep_mock_us" }],
    fallbacks: ["mock-large"],
  },
  { model: "support-bot", version: "1.1.0", targets: [{ deploymentId: "dep_mock_large_eu" }], fallbacks: ["mock-small"] },
] as const;

export const SEED_ALIASES = [
  { model: "support-bot", alias: "stable", version: "1.0.0" },
  { model: "support-bot", alias: "canary", version: "1.1.0" },
  { model: "support-bot", alias: "latest", version: "1.1.0" },
] as const;

async function seedRegistry(client: pg.Client): Promise<void> {
  for (const d of SEED_DEPLOYMENTS) {
    await client.query(
      `insert into deployments (id, provider, upstream_model, region, lat, lon, base_url) values ($1, 'mock', $2, $3, $4, $5, $6)
       on conflict (id) do update set upstream_model = excluded.upstream_model, region = excluded.region, lat = excluded.lat,
         lon = excluded.lon, base_url = excluded.base_url, updated_at = now()`,
      [d.id, d.upstream, d.region, d.lat, d.lon, `{env:MOCK_URL}/d/${d.path}/v1`],
    );
  }
  for (const v of SEED_VERSIONS) {
    await client.query(
      `insert into model_versions (id, model, version, targets, fallbacks, validated_at) values ($1, $2, $3, $4, $5, now())
       on conflict (model, version) do nothing`,
      [`ver_${v.model}_${v.version}`.replaceAll(/[^a-z0-9_]/gi, "_"), v.model, v.version, JSON.stringify(v.targets), v.fallbacks],
    );
  }
  for (const a of SEED_ALIASES) {
    await client.query(`insert into model_aliases (model, alias, version) values ($1, $2, $3) on conflict (model, alias) do nothing`, [
      a.model,
      a.alias,
      a.version,
    ]);
  }
}

/**
 * Seeds (idempotently) the dev tenant with no limits and no budget, its key, and SEED_MODELS.
 * Re-running with the same key keeps everything; a new key replaces the old hash.
 * @example await seedDev(databaseUrl, "ew_dev_...")
 */
export async function seedDev(databaseUrl: string, apiKey: string): Promise<Seed> {
  const seed: Seed = { tenantId: "ten_dev", keyId: "key_dev", apiKey };
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query("begin");
    await upsertTenantAndKey(client, { ...seed, name: "Dev tenant", scopes: ["admin"] });
    for (const m of SEED_MODELS) {
      await client.query(
        `insert into models (name, provider, upstream_model, capabilities) values ($1, $2, $3, $4)
         on conflict (name) do update set provider = excluded.provider, upstream_model = excluded.upstream_model,
           capabilities = excluded.capabilities, updated_at = now()`,
        [m.name, m.provider, m.upstream, m.capabilities],
      );
      await client.query(
        `insert into model_prices (provider, model, effective_from, input_micro_usd_per_mtok, output_micro_usd_per_mtok,
           cached_input_micro_usd_per_mtok) values ($1, $2, $3, $4, $5, $6)
         on conflict (provider, model, effective_from) do update set input_micro_usd_per_mtok = excluded.input_micro_usd_per_mtok,
           output_micro_usd_per_mtok = excluded.output_micro_usd_per_mtok, cached_input_micro_usd_per_mtok = excluded.cached_input_micro_usd_per_mtok`,
        [m.provider, m.upstream, PRICES_FROM, m.input, m.output, m.cachedInput ?? null],
      );
    }
    await seedRegistry(client);
    await client.query("commit");
  } catch (err) {
    await client.query("rollback").catch(() => {});
    throw err;
  } finally {
    await client.end();
  }
  return seed;
}
