CREATE TABLE "alerts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" text,
	"kind" text NOT NULL,
	"period" text NOT NULL,
	"message" text NOT NULL,
	"payload" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "alerts_once_per_period" UNIQUE("tenant_id","kind","period")
);
--> statement-breakpoint
CREATE INDEX "alerts_tenant_time_idx" ON "alerts" USING btree ("tenant_id","created_at");