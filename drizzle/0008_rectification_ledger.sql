CREATE TABLE "rectification_item" (
	"id" uuid PRIMARY KEY NOT NULL,
	"region_code" text NOT NULL,
	"unit_id" uuid NOT NULL,
	"entity_id" uuid NOT NULL,
	"permit_id" uuid,
	"source" text NOT NULL,
	"source_ref" text,
	"problem" text NOT NULL,
	"basis" text,
	"responsible" text NOT NULL,
	"deadline" date NOT NULL,
	"status" text NOT NULL,
	"closed_at" timestamp with time zone,
	"closed_by" text,
	"version" integer NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rectification_update" (
	"id" uuid PRIMARY KEY NOT NULL,
	"item_id" uuid NOT NULL,
	"region_code" text NOT NULL,
	"kind" text NOT NULL,
	"note" text NOT NULL,
	"evidence_name" text,
	"evidence_sha256" text,
	"actor_name" text NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "rectification_item" ADD CONSTRAINT "rectification_item_unit_id_registry_unit_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."registry_unit"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rectification_update" ADD CONSTRAINT "rectification_update_item_id_rectification_item_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."rectification_item"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "rectification_item_region_idx" ON "rectification_item" USING btree ("region_code" text_pattern_ops,"status");--> statement-breakpoint
CREATE INDEX "rectification_item_unit_idx" ON "rectification_item" USING btree ("unit_id");--> statement-breakpoint
CREATE INDEX "rectification_item_permit_idx" ON "rectification_item" USING btree ("permit_id");--> statement-breakpoint
CREATE INDEX "rectification_item_deadline_idx" ON "rectification_item" USING btree ("deadline") WHERE status <> 'closed';--> statement-breakpoint
CREATE UNIQUE INDEX "rectification_item_source_uq" ON "rectification_item" USING btree ("source_ref");--> statement-breakpoint
CREATE INDEX "rectification_update_item_idx" ON "rectification_update" USING btree ("item_id");