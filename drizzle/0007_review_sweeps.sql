CREATE TABLE "review_result" (
	"id" uuid PRIMARY KEY NOT NULL,
	"run_id" uuid NOT NULL,
	"permit_id" uuid NOT NULL,
	"permit_number" text NOT NULL,
	"region_code" text NOT NULL,
	"version_no" integer NOT NULL,
	"rule_id" text NOT NULL,
	"severity" text NOT NULL,
	"path" text NOT NULL,
	"message_zh" text NOT NULL,
	"message_en" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "review_run" (
	"id" uuid PRIMARY KEY NOT NULL,
	"region_prefix" text NOT NULL,
	"status" text NOT NULL,
	"total" integer NOT NULL,
	"processed" integer DEFAULT 0 NOT NULL,
	"hits" integer DEFAULT 0 NOT NULL,
	"errors" integer DEFAULT 0 NOT NULL,
	"cursor" uuid,
	"reference_version" text NOT NULL,
	"error" text,
	"started_by" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "review_result" ADD CONSTRAINT "review_result_run_id_review_run_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."review_run"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "review_result_uq" ON "review_result" USING btree ("run_id","permit_id","rule_id","path");--> statement-breakpoint
CREATE INDEX "review_result_permit_idx" ON "review_result" USING btree ("permit_id");--> statement-breakpoint
CREATE INDEX "review_result_rule_idx" ON "review_result" USING btree ("run_id","rule_id");--> statement-breakpoint
CREATE INDEX "review_run_region_idx" ON "review_run" USING btree ("region_prefix" text_pattern_ops);