import { fileURLToPath } from "node:url";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";

const migrationsFolder = fileURLToPath(new URL("./migrations", import.meta.url));

/**
 * Applies the drizzle migrations in `schema/migrations/` to a database (idempotent).
 * @example await applyMigrations("postgres://postgres@127.0.0.1:5432/edgeway");
 */
export async function applyMigrations(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await migrate(drizzle(client), { migrationsFolder });
  } finally {
    await client.end();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error("db:migrate: set DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/edgeway)");
    process.exit(1);
  }
  await applyMigrations(url);
  console.log(`db:migrate: migrations applied to ${new URL(url).host}${new URL(url).pathname}`);
}
