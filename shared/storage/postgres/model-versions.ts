import { and, asc, eq, isNotNull, sql } from "drizzle-orm";
import { type ModelAlias, type ModelVersion, modelAliases, modelVersions, type NewModelVersion } from "../../../schema";
import type { Db } from "./db";

/** Every version of every logical model (small: a few per model). */
export const selectVersions = (db: Db) => db.select().from(modelVersions).orderBy(asc(modelVersions.model), asc(modelVersions.createdAt));

/** Every alias of every logical model. */
export const selectAliases = (db: Db) => db.select().from(modelAliases).orderBy(asc(modelAliases.model), asc(modelAliases.alias));

/** One version, or null. @example await findVersion(db, "support-bot", "1.4.0") */
export async function findVersion(db: Db, model: string, version: string): Promise<ModelVersion | null> {
  const [row] = await db
    .select()
    .from(modelVersions)
    .where(and(eq(modelVersions.model, model), eq(modelVersions.version, version)))
    .limit(1);
  return row ?? null;
}

/** A model's versions and aliases, in one round trip. */
export async function findModelEntries(db: Db, model: string): Promise<{ versions: ModelVersion[]; aliases: ModelAlias[] }> {
  const [versions, aliases] = await db.batch([
    db.select().from(modelVersions).where(eq(modelVersions.model, model)),
    db.select().from(modelAliases).where(eq(modelAliases.model, model)).orderBy(asc(modelAliases.alias)),
  ]);
  return { versions, aliases };
}

/** One alias, or null. */
export async function findAlias(db: Db, model: string, alias: string): Promise<ModelAlias | null> {
  const [row] = await db
    .select()
    .from(modelAliases)
    .where(and(eq(modelAliases.model, model), eq(modelAliases.alias, alias)))
    .limit(1);
  return row ?? null;
}

/** Inserts a version unless (model, version) exists (then no row comes back); returns the query. */
export const insertVersion = (db: Db, row: NewModelVersion) => db.insert(modelVersions).values(row).onConflictDoNothing().returning();

/** Marks a version validated now; returns the query. */
export const markValidated = (db: Db, id: string, at: Date) =>
  db.update(modelVersions).set({ validatedAt: at, updatedAt: at }).where(eq(modelVersions.id, id)).returning();

/**
 * Points an alias at a version, creating it if needed. `previous_version` becomes the version it
 * pointed to, computed in SQL from the row being replaced so concurrent writers cannot lose it;
 * re-pointing to the same version keeps the previous one. Returns the query.
 */
export const upsertAlias = (db: Db, model: string, alias: string, version: string) =>
  db
    .insert(modelAliases)
    .values({ model, alias, version })
    .onConflictDoUpdate({
      target: [modelAliases.model, modelAliases.alias],
      set: {
        version: sql`excluded.version`,
        previousVersion: sql`case when ${modelAliases.version} = excluded.version then ${modelAliases.previousVersion} else ${modelAliases.version} end`,
        updatedAt: sql`now()`,
      },
    })
    .returning();

/**
 * Swaps an alias's version and previous version in one statement (Postgres reads the old row for
 * every right-hand side), so a second rollback rolls forward again. No row when the alias has no
 * previous version. Returns the query.
 */
export const swapAlias = (db: Db, model: string, alias: string) =>
  db
    .update(modelAliases)
    .set({ version: sql`${modelAliases.previousVersion}`, previousVersion: sql`${modelAliases.version}`, updatedAt: sql`now()` })
    .where(and(eq(modelAliases.model, model), eq(modelAliases.alias, alias), isNotNull(modelAliases.previousVersion)))
    .returning();
