import { probeStores } from "../../shared/observability/health-probe";
import type { App } from "../app";

/** `GET /readyz`: 200 when Redis, Postgres and Vector all answer, else 503 naming the failing ones. */
export const registerReadyz = (app: App) =>
  app.get("/readyz", async (c) => {
    const checks = await probeStores(c.get("services"));
    const ready = Object.values(checks).every((check) => check.ok);
    return c.json({ status: ready ? "ok" : "unavailable", checks }, ready ? 200 : 503);
  });
