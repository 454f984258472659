CREATE TABLE "review_finding" (
	"id" uuid PRIMARY KEY NOT NULL,
	"task_id" uuid NOT NULL,
	"region_code" text NOT NULL,
	"origin" text NOT NULL,
	"rule_id" text,
	"problem_type" text NOT NULL,
	"severity" text NOT NULL,
	"path" text NOT NULL,
	"message_zh" text NOT NULL,
	"message_en" text NOT NULL,
	"status" text NOT NULL,
	"reason" text,
	"decided_by" text,
	"decided_at" timestamp with time zone,
	"ledger_item_id" uuid,
	"version" integer NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "review_plan" (
	"id" uuid PRIMARY KEY NOT NULL,
	"level" text NOT NULL,
	"region_prefix" text NOT NULL,
	"period" text NOT NULL,
	"period_start" date NOT NULL,
	"period_end" date NOT NULL,
	"title" text NOT NULL,
	"population" integer NOT NULL,
	"sample_size" integer NOT NULL,
	"targeted" integer NOT NULL,
	"random" integer NOT NULL,
	"targeted_share" double precision NOT NULL,
	"seed" integer NOT NULL,
	"risk_weights" jsonb NOT NULL,
	"reference_version" text NOT NULL,
	"status" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "review_task" (
	"id" uuid PRIMARY KEY NOT NULL,
	"plan_id" uuid NOT NULL,
	"region_code" text NOT NULL,
	"permit_id" uuid NOT NULL,
	"permit_number" text NOT NULL,
	"version_no" integer NOT NULL,
	"unit_id" uuid NOT NULL,
	"unit_name" text NOT NULL,
	"industry_code" text NOT NULL,
	"agency_id" uuid,
	"selection" text NOT NULL,
	"risk_score" double precision NOT NULL,
	"risk_reasons" jsonb NOT NULL,
	"assignee_user_id" uuid,
	"assignee_name" text,
	"expert_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"status" text NOT NULL,
	"conclusion" text,
	"completed_by" text,
	"completed_at" timestamp with time zone,
	"version" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "rectification_item" ADD COLUMN "escalation_level" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "rectification_item" ADD COLUMN "escalated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "review_finding" ADD CONSTRAINT "review_finding_task_id_review_task_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."review_task"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_task" ADD CONSTRAINT "review_task_plan_id_review_plan_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."review_plan"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "review_finding_task_idx" ON "review_finding" USING btree ("task_id");--> statement-breakpoint
CREATE INDEX "review_finding_region_idx" ON "review_finding" USING btree ("region_code" text_pattern_ops,"status");--> statement-breakpoint
CREATE INDEX "review_plan_region_idx" ON "review_plan" USING btree ("region_prefix" text_pattern_ops,"period_start");--> statement-breakpoint
CREATE UNIQUE INDEX "review_task_plan_permit_uq" ON "review_task" USING btree ("plan_id","permit_id");--> statement-breakpoint
CREATE INDEX "review_task_region_idx" ON "review_task" USING btree ("region_code" text_pattern_ops,"status");--> statement-breakpoint
CREATE INDEX "review_task_permit_idx" ON "review_task" USING btree ("permit_id");--> statement-breakpoint
CREATE INDEX "review_task_assignee_idx" ON "review_task" USING btree ("assignee_user_id");