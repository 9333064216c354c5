import pg from "pg";
import { displayPrefix, hashApiKey } from "../shared/auth/keys";

/** What the dev seed creates; `apiKey` is the full key (only the hash goes to the database). */
export type Seed = { tenantId: string; keyId: string; apiKey: string };

/** Models of the local `mock` provider; prices in micro-USD per million tokens. */
export const MOCK_MODELS = [
  { name: "mock-small", input: 150_000, output: 600_000 },
  { name: "mock-large", input: 2_500_000, output: 10_000_000 },
] as const;

/**
 * Seeds (idempotently) the dev tenant with no limits and no budget, its key, and the mock models.
 * Re-running with the same key keeps everything; a new key replaces the old hash.
 * @example await seedDev(databaseUrl, "ew_dev_...")
 */
export async function seedDev(databaseUrl: string, apiKey: string): Promise<Seed> {
  const seed: Seed = { tenantId: "ten_dev", keyId: "key_dev", apiKey };
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query("begin");
    await client.query(`insert into tenants (id, name) values ($1, 'Dev tenant') on conflict (id) do nothing`, [seed.tenantId]);
    await client.query(
      `insert into api_keys (id, tenant_id, name, hash, prefix, scopes) values ($1, $2, 'dev key', $3, $4, '{admin}')
       on conflict (id) do update set hash = excluded.hash, prefix = excluded.prefix, revoked_at = null, updated_at = now()`,
      [seed.keyId, seed.tenantId, await hashApiKey(apiKey), displayPrefix(apiKey)],
    );
    for (const m of MOCK_MODELS) {
      await client.query(
        `insert into models (name, provider, upstream_model, capabilities, input_micro_usd_per_mtok, output_micro_usd_per_mtok)
         values ($1, 'mock', $1, '{chat,embeddings}', $2, $3)
         on conflict (name) do update set input_micro_usd_per_mtok = excluded.input_micro_usd_per_mtok,
           output_micro_usd_per_mtok = excluded.output_micro_usd_per_mtok, updated_at = now()`,
        [m.name, m.input, m.output],
      );
    }
    await client.query("commit");
  } catch (err) {
    await client.query("rollback").catch(() => {});
    throw err;
  } finally {
    await client.end();
  }
  return seed;
}
