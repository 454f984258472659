CREATE TABLE "permit" (
	"id" uuid PRIMARY KEY NOT NULL,
	"unit_id" uuid NOT NULL,
	"entity_id" uuid NOT NULL,
	"region_code" text NOT NULL,
	"permit_number" text NOT NULL,
	"status" text NOT NULL,
	"management_category" text NOT NULL,
	"valid_from" date NOT NULL,
	"valid_to" date NOT NULL,
	"current_version" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "permit_version" (
	"id" uuid PRIMARY KEY NOT NULL,
	"permit_id" uuid NOT NULL,
	"region_code" text NOT NULL,
	"version_no" integer NOT NULL,
	"reason" text NOT NULL,
	"permit_number" text NOT NULL,
	"issued_on" date NOT NULL,
	"valid_from" date NOT NULL,
	"valid_to" date NOT NULL,
	"content" jsonb NOT NULL,
	"content_sha256" text NOT NULL,
	"note" text,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "permit" ADD CONSTRAINT "permit_unit_id_registry_unit_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."registry_unit"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "permit_version" ADD CONSTRAINT "permit_version_permit_id_permit_id_fk" FOREIGN KEY ("permit_id") REFERENCES "public"."permit"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "permit_valid_unit_uq" ON "permit" USING btree ("unit_id") WHERE status = 'valid';--> statement-breakpoint
CREATE UNIQUE INDEX "permit_valid_number_uq" ON "permit" USING btree ("permit_number") WHERE status = 'valid';--> statement-breakpoint
CREATE INDEX "permit_number_idx" ON "permit" USING btree ("permit_number");--> statement-breakpoint
CREATE INDEX "permit_region_idx" ON "permit" USING btree ("region_code" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "permit_entity_idx" ON "permit" USING btree ("entity_id");--> statement-breakpoint
CREATE INDEX "permit_valid_to_idx" ON "permit" USING btree ("valid_to");--> statement-breakpoint
CREATE UNIQUE INDEX "permit_version_no_uq" ON "permit_version" USING btree ("permit_id","version_no");--> statement-breakpoint
CREATE INDEX "permit_version_region_idx" ON "permit_version" USING btree ("region_code" text_pattern_ops);