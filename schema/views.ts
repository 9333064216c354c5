import { sql } from "drizzle-orm";
import { bigint, date, integer, pgView, text } from "drizzle-orm/pg-core";

/** Daily usage per tenant (UTC days), for ops in the Neon console. */
export const usageDailyByTenant = pgView("usage_daily_by_tenant", {
  tenantId: text("tenant_id"),
  day: date("day"),
  requests: bigint("requests", { mode: "number" }),
  promptTokens: bigint("prompt_tokens", { mode: "number" }),
  completionTokens: bigint("completion_tokens", { mode: "number" }),
  costMicroUsd: bigint("cost_micro_usd", { mode: "number" }),
  cacheHits: bigint("cache_hits", { mode: "number" }),
  savedMicroUsd: bigint("saved_micro_usd", { mode: "number" }),
  errors: integer("errors"),
}).as(sql`
  select tenant_id, (created_at at time zone 'UTC')::date as day, count(*) as requests,
    sum(prompt_tokens) as prompt_tokens, sum(completion_tokens) as completion_tokens,
    sum(cost_micro_usd) as cost_micro_usd,
    count(*) filter (where cache_status in ('hit', 'semantic-hit')) as cache_hits,
    sum(saved_micro_usd) as saved_micro_usd,
    (count(*) filter (where status >= 400))::int as errors
  from usage_events group by 1, 2`);

/** Usage per tenant, day and model served, for cost breakdowns. */
export const usageDailyByModel = pgView("usage_daily_by_model", {
  tenantId: text("tenant_id"),
  day: date("day"),
  provider: text("provider"),
  upstreamModel: text("upstream_model"),
  requests: bigint("requests", { mode: "number" }),
  promptTokens: bigint("prompt_tokens", { mode: "number" }),
  completionTokens: bigint("completion_tokens", { mode: "number" }),
  costMicroUsd: bigint("cost_micro_usd", { mode: "number" }),
}).as(sql`
  select tenant_id, (created_at at time zone 'UTC')::date as day, provider, upstream_model, count(*) as requests,
    sum(prompt_tokens) as prompt_tokens, sum(completion_tokens) as completion_tokens, sum(cost_micro_usd) as cost_micro_usd
  from usage_events group by 1, 2, 3, 4`);
