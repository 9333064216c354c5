import type { App } from "../app";

/** `GET /healthz`: liveness. Touches no dependency, so it answers while the stores are down. */
export const registerHealthz = (app: App) => app.get("/healthz", (c) => c.json({ status: "ok" }));
