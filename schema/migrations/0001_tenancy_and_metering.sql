CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" text,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"target_type" text NOT NULL,
	"target_id" text NOT NULL,
	"before" jsonb,
	"after" jsonb,
	"request_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "model_prices" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"provider" text NOT NULL,
	"model" text NOT NULL,
	"effective_from" timestamp with time zone NOT NULL,
	"input_micro_usd_per_mtok" bigint NOT NULL,
	"output_micro_usd_per_mtok" bigint NOT NULL,
	"cached_input_micro_usd_per_mtok" bigint,
	"cache_write_micro_usd_per_mtok" bigint,
	"reasoning_micro_usd_per_mtok" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "model_prices_version" UNIQUE("provider","model","effective_from")
);
--> statement-breakpoint
CREATE TABLE "provider_credentials" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"provider" text NOT NULL,
	"ciphertext" text NOT NULL,
	"hint" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "provider_credentials_tenant_provider" UNIQUE("tenant_id","provider")
);
--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "replaced_by" text;--> statement-breakpoint
ALTER TABLE "usage_events" ADD COLUMN "endpoint" text NOT NULL;--> statement-breakpoint
ALTER TABLE "usage_events" ADD COLUMN "variant" text;--> statement-breakpoint
ALTER TABLE "usage_events" ADD COLUMN "region" text;--> statement-breakpoint
ALTER TABLE "usage_events" ADD COLUMN "streamed" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "usage_events" ADD COLUMN "cached_tokens" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "usage_events" ADD COLUMN "reasoning_tokens" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "usage_events" ADD COLUMN "usage_estimated" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "usage_events" ADD COLUMN "price_id" bigint;--> statement-breakpoint
ALTER TABLE "usage_events" ADD COLUMN "saved_micro_usd" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "usage_events" ADD COLUMN "ttft_ms" integer;--> statement-breakpoint
ALTER TABLE "provider_credentials" ADD CONSTRAINT "provider_credentials_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_log_tenant_time_idx" ON "audit_log" USING btree ("tenant_id","created_at");--> statement-breakpoint
CREATE INDEX "provider_credentials_tenant_idx" ON "provider_credentials" USING btree ("tenant_id");--> statement-breakpoint
ALTER TABLE "models" DROP COLUMN "input_micro_usd_per_mtok";--> statement-breakpoint
ALTER TABLE "models" DROP COLUMN "output_micro_usd_per_mtok";--> statement-breakpoint
CREATE VIEW "public"."usage_daily_by_model" AS (
  select tenant_id, (created_at at time zone 'UTC')::date as day, provider, upstream_model, count(*) as requests,
    sum(prompt_tokens) as prompt_tokens, sum(completion_tokens) as completion_tokens, sum(cost_micro_usd) as cost_micro_usd
  from usage_events group by 1, 2, 3, 4);--> statement-breakpoint
CREATE VIEW "public"."usage_daily_by_tenant" AS (
  select tenant_id, (created_at at time zone 'UTC')::date as day, count(*) as requests,
    sum(prompt_tokens) as prompt_tokens, sum(completion_tokens) as completion_tokens,
    sum(cost_micro_usd) as cost_micro_usd,
    count(*) filter (where cache_status in ('hit', 'semantic-hit')) as cache_hits,
    sum(saved_micro_usd) as saved_micro_usd,
    (count(*) filter (where status >= 400))::int as errors
  from usage_events group by 1, 2);