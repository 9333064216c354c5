import pg from "pg";

/** The machine's Postgres, when nothing else is said. */
export const DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/postgres";

/** True when a Postgres server answers `select 1` at this URL within `timeoutMs`. */
export async function postgresReachable(url: string, timeoutMs = 1500): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
    await client.query("select 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** The same server URL pointing at another database. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Creates a fresh database on the server of `serverUrl` and returns its URL. */
export async function createDatabase(serverUrl: string, name: string): Promise<string> {
  await adminQuery(serverUrl, `create database "${name}"`);
  return withDatabase(serverUrl, name);
}

/** Drops a database, disconnecting whoever still holds it. */
export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  await adminQuery(serverUrl, `drop database if exists "${name}" with (force)`);
}

async function adminQuery(serverUrl: string, sql: string): Promise<void> {
  if (!/^[a-z0-9_]+$/.test(sql.match(/"([^"]+)"/)?.[1] ?? "")) throw new Error(`unsafe database name in: ${sql}`);
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
