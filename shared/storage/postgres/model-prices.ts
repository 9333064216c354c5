import { asc } from "drizzle-orm";
import { type ModelPrice, modelPrices } from "../../../schema";
import type { Db } from "./db";

/** Every price version, oldest first (the table is small: a few rows per model). */
export function listPrices(db: Db): Promise<ModelPrice[]> {
  return db.select().from(modelPrices).orderBy(asc(modelPrices.effectiveFrom));
}
