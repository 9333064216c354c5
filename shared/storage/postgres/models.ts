import { asc, eq } from "drizzle-orm";
import { type Model, models } from "../../../schema";
import type { Db } from "./db";

/** The model clients call by this name, or null. @example await findModel(db, "mock-small") */
export async function findModel(db: Db, name: string): Promise<Model | null> {
  const [row] = await db.select().from(models).where(eq(models.name, name)).limit(1);
  return row ?? null;
}

/** Every model of the registry, by name. */
export function listModels(db: Db): Promise<Model[]> {
  return db.select().from(models).orderBy(asc(models.name));
}
