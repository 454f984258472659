CREATE TABLE "case_attachment" (
	"id" uuid PRIMARY KEY NOT NULL,
	"case_id" uuid NOT NULL,
	"region_code" text NOT NULL,
	"kind" text NOT NULL,
	"file_name" text NOT NULL,
	"media_type" text NOT NULL,
	"size" bigint NOT NULL,
	"sha256" text NOT NULL,
	"data" "bytea" NOT NULL,
	"on_site_review_id" uuid,
	"uploaded_by" text NOT NULL,
	"uploaded_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "case_evaluation" (
	"id" uuid PRIMARY KEY NOT NULL,
	"case_id" uuid NOT NULL,
	"region_code" text NOT NULL,
	"agency_id" uuid,
	"expert_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"assigned_by" text NOT NULL,
	"assigned_at" timestamp with time zone NOT NULL,
	"conclusion" text,
	"findings" text,
	"completed_by" text,
	"completed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "case_on_site_review" (
	"id" uuid PRIMARY KEY NOT NULL,
	"case_id" uuid NOT NULL,
	"region_code" text NOT NULL,
	"review_date" date NOT NULL,
	"people" text[] NOT NULL,
	"findings" text NOT NULL,
	"outcome" text NOT NULL,
	"recorded_by" text NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "expert" (
	"id" uuid PRIMARY KEY NOT NULL,
	"pool_region" text NOT NULL,
	"name" text NOT NULL,
	"specialties" text[] NOT NULL,
	"title" text,
	"employer" text,
	"employer_agency_id" uuid,
	"related_entity_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"user_id" uuid,
	"active_from" date NOT NULL,
	"active_to" date,
	"version" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "permit_case" (
	"id" uuid PRIMARY KEY NOT NULL,
	"case_number" text NOT NULL,
	"kind" text NOT NULL,
	"state" text NOT NULL,
	"unit_id" uuid NOT NULL,
	"entity_id" uuid NOT NULL,
	"region_code" text NOT NULL,
	"permit_id" uuid,
	"management_category" text,
	"content" jsonb,
	"template_id" text,
	"prepared_by_agency_id" uuid,
	"grounds" text,
	"supplement_items" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"received_on" date,
	"accepted_on" date,
	"decided_on" date,
	"on_site" boolean DEFAULT false NOT NULL,
	"due_date" date,
	"deemed_due_date" date,
	"decision_reason" text,
	"result_permit_id" uuid,
	"result_registration_id" uuid,
	"version" integer NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "permit_case_event" (
	"id" uuid PRIMARY KEY NOT NULL,
	"case_id" uuid NOT NULL,
	"region_code" text NOT NULL,
	"seq" integer NOT NULL,
	"action" text NOT NULL,
	"from_state" text,
	"to_state" text NOT NULL,
	"actor_id" uuid NOT NULL,
	"actor_name" text NOT NULL,
	"party" text NOT NULL,
	"reason" text,
	"data" jsonb,
	"occurred_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "technical_agency" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"credit_code" text NOT NULL,
	"region_code" text NOT NULL,
	"user_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "case_attachment" ADD CONSTRAINT "case_attachment_case_id_permit_case_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."permit_case"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_attachment" ADD CONSTRAINT "case_attachment_on_site_review_id_case_on_site_review_id_fk" FOREIGN KEY ("on_site_review_id") REFERENCES "public"."case_on_site_review"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_evaluation" ADD CONSTRAINT "case_evaluation_case_id_permit_case_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."permit_case"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_evaluation" ADD CONSTRAINT "case_evaluation_agency_id_technical_agency_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."technical_agency"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_on_site_review" ADD CONSTRAINT "case_on_site_review_case_id_permit_case_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."permit_case"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "expert" ADD CONSTRAINT "expert_employer_agency_id_technical_agency_id_fk" FOREIGN KEY ("employer_agency_id") REFERENCES "public"."technical_agency"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "permit_case" ADD CONSTRAINT "permit_case_unit_id_registry_unit_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."registry_unit"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "permit_case_event" ADD CONSTRAINT "permit_case_event_case_id_permit_case_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."permit_case"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "case_attachment_case_idx" ON "case_attachment" USING btree ("case_id");--> statement-breakpoint
CREATE INDEX "case_attachment_review_idx" ON "case_attachment" USING btree ("on_site_review_id");--> statement-breakpoint
CREATE INDEX "case_evaluation_case_idx" ON "case_evaluation" USING btree ("case_id");--> statement-breakpoint
CREATE INDEX "case_evaluation_agency_idx" ON "case_evaluation" USING btree ("agency_id");--> statement-breakpoint
CREATE INDEX "case_evaluation_experts_idx" ON "case_evaluation" USING gin ("expert_ids");--> statement-breakpoint
CREATE INDEX "case_on_site_review_case_idx" ON "case_on_site_review" USING btree ("case_id");--> statement-breakpoint
CREATE INDEX "expert_pool_idx" ON "expert" USING btree ("pool_region" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "expert_user_idx" ON "expert" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "expert_agency_idx" ON "expert" USING btree ("employer_agency_id");--> statement-breakpoint
CREATE UNIQUE INDEX "permit_case_number_uq" ON "permit_case" USING btree ("case_number");--> statement-breakpoint
CREATE INDEX "permit_case_region_state_idx" ON "permit_case" USING btree ("region_code" text_pattern_ops,"state");--> statement-breakpoint
CREATE INDEX "permit_case_due_idx" ON "permit_case" USING btree ("due_date") WHERE due_date is not null;--> statement-breakpoint
CREATE INDEX "permit_case_unit_idx" ON "permit_case" USING btree ("unit_id");--> statement-breakpoint
CREATE INDEX "permit_case_permit_idx" ON "permit_case" USING btree ("permit_id");--> statement-breakpoint
CREATE INDEX "permit_case_entity_idx" ON "permit_case" USING btree ("entity_id");--> statement-breakpoint
CREATE INDEX "permit_case_agency_idx" ON "permit_case" USING btree ("prepared_by_agency_id");--> statement-breakpoint
CREATE UNIQUE INDEX "permit_case_open_uq" ON "permit_case" USING btree ("unit_id","kind") WHERE state not in ('approved','refused','not_accepted','withdrawn','recorded','decided','dropped');--> statement-breakpoint
CREATE UNIQUE INDEX "permit_case_event_seq_uq" ON "permit_case_event" USING btree ("case_id","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "technical_agency_credit_uq" ON "technical_agency" USING btree ("credit_code");--> statement-breakpoint
CREATE INDEX "technical_agency_users_idx" ON "technical_agency" USING gin ("user_ids");--> statement-breakpoint
-- Case numbers: one sequence, so two cases opened at once never share a number.
CREATE SEQUENCE "permit_case_number_seq";--> statement-breakpoint
-- A case's history is what happened: written once, never changed or deleted.
CREATE FUNCTION permit_case_event_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'permit case events are immutable: % refused', TG_OP USING ERRCODE = 'restrict_violation';
END
$$;--> statement-breakpoint
CREATE TRIGGER permit_case_event_no_update BEFORE UPDATE OR DELETE ON "permit_case_event" FOR EACH ROW EXECUTE FUNCTION permit_case_event_immutable();--> statement-breakpoint
CREATE TRIGGER permit_case_event_no_truncate BEFORE TRUNCATE ON "permit_case_event" FOR EACH STATEMENT EXECUTE FUNCTION permit_case_event_immutable();
