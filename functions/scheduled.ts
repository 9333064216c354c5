import { sweepAllExpired } from "../shared/cache/semantic/store";
import { computeExperimentResults } from "../shared/experiments/results";
import { flushUsage } from "../shared/metering/flush";
import { recordHealth } from "../shared/observability/health-probe";
import { servicesFor } from "../shared/services";

/** The cron entry (wrangler.toml `[triggers]`): each job runs on its own, one failing never stops another. */
export async function scheduled(_controller: ScheduledController, env: Record<string, unknown>, _ctx: ExecutionContext): Promise<void> {
  const services = servicesFor(env);
  const jobs: Record<string, () => Promise<unknown>> = {
    health: () => recordHealth(services),
    usage: () => flushUsage({ redis: services.redis, db: services.db, keyPrefix: services.env.REDIS_KEY_PREFIX }),
    semanticCacheExpiry: () => sweepAllExpired(services.vector, Math.floor(Date.now() / 1000)),
    experiments: () => computeExperimentResults(services),
  };
  const results = await Promise.allSettled(Object.values(jobs).map((job) => job()));
  results.forEach((result, i) => {
    if (result.status === "rejected")
      console.error(JSON.stringify({ level: "error", job: Object.keys(jobs)[i], error: String(result.reason) }));
  });
}
