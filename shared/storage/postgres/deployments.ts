import { asc, eq } from "drizzle-orm";
import { type Deployment, deployments, type NewDeployment } from "../../../schema";
import type { Db } from "./db";

/** What an admin may change on a deployment (provider and upstream model are fixed: create another one). */
export type DeploymentChanges = Partial<
  Pick<
    Deployment,
    "region" | "lat" | "lon" | "baseUrl" | "weight" | "options" | "inputMicroUsdPerMTok" | "outputMicroUsdPerMTok" | "status"
  >
>;

/** Every deployment, by id (the table is small: tens of rows). */
export const selectDeployments = (db: Db) => db.select().from(deployments).orderBy(asc(deployments.id));

/** The deployment, or null. @example await findDeployment(db, "eu-west-mock") */
export async function findDeployment(db: Db, id: string): Promise<Deployment | null> {
  const [row] = await db.select().from(deployments).where(eq(deployments.id, id)).limit(1);
  return row ?? null;
}

/**
 * Inserts a deployment (a taken id fails the statement, and with it the batch); returns the query
 * (await it, or pass it to `db.batch` with its audit entry).
 */
export const insertDeployment = (db: Db, row: NewDeployment) => db.insert(deployments).values(row).returning();

/** Updates a deployment; returns the query (await it, or pass it to `db.batch`). */
export const updateDeployment = (db: Db, id: string, set: DeploymentChanges) =>
  db
    .update(deployments)
    .set({ ...set, updatedAt: new Date() })
    .where(eq(deployments.id, id))
    .returning();
