CREATE TABLE "deployments" (
	"id" text PRIMARY KEY NOT NULL,
	"provider" text NOT NULL,
	"upstream_model" text NOT NULL,
	"region" text NOT NULL,
	"lat" double precision,
	"lon" double precision,
	"base_url" text,
	"weight" integer DEFAULT 1 NOT NULL,
	"options" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"input_micro_usd_per_mtok" bigint,
	"output_micro_usd_per_mtok" bigint,
	"status" text DEFAULT 'active' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "experiments" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant_id" text,
	"model" text NOT NULL,
	"name" text NOT NULL,
	"salt" text NOT NULL,
	"status" text DEFAULT 'running' NOT NULL,
	"variants" jsonb NOT NULL,
	"guardrail" jsonb,
	"shadow" jsonb,
	"results" jsonb,
	"results_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "feedback" (
	"request_id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"score" double precision NOT NULL,
	"comment" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "model_aliases" (
	"model" text NOT NULL,
	"alias" text NOT NULL,
	"version" text NOT NULL,
	"previous_version" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "model_aliases_model_alias_pk" PRIMARY KEY("model","alias")
);
--> statement-breakpoint
CREATE TABLE "model_versions" (
	"id" text PRIMARY KEY NOT NULL,
	"model" text NOT NULL,
	"version" text NOT NULL,
	"targets" jsonb NOT NULL,
	"strategy" text DEFAULT 'weighted' NOT NULL,
	"fallbacks" text[] DEFAULT '{}' NOT NULL,
	"params" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"system_prompt" text,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"validated_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "model_versions_model_version" UNIQUE("model","version")
);
--> statement-breakpoint
ALTER TABLE "usage_events" ADD COLUMN "experiment_id" text;--> statement-breakpoint
ALTER TABLE "usage_events" ADD COLUMN "deployment_id" text;--> statement-breakpoint
ALTER TABLE "usage_events" ADD COLUMN "parent_request_id" text;--> statement-breakpoint
ALTER TABLE "usage_events" ADD COLUMN "attempt_kind" text DEFAULT 'request' NOT NULL;--> statement-breakpoint
ALTER TABLE "usage_events" ADD COLUMN "attempts" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "usage_events" ADD COLUMN "routed_by" text;--> statement-breakpoint
CREATE INDEX "deployments_region_idx" ON "deployments" USING btree ("region");--> statement-breakpoint
CREATE INDEX "experiments_model_idx" ON "experiments" USING btree ("model");--> statement-breakpoint
CREATE INDEX "feedback_tenant_idx" ON "feedback" USING btree ("tenant_id");