CREATE TABLE "audit_chain_head" (
	"chain" text PRIMARY KEY NOT NULL,
	"last_seq" bigint NOT NULL,
	"last_hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_event" (
	"id" uuid PRIMARY KEY NOT NULL,
	"chain" text NOT NULL,
	"seq" bigint NOT NULL,
	"occurred_at" timestamp (3) with time zone NOT NULL,
	"actor_id" uuid,
	"actor_name" text NOT NULL,
	"request_id" text,
	"action" text NOT NULL,
	"entity_type" text NOT NULL,
	"entity_id" text NOT NULL,
	"region_code" text,
	"before" jsonb,
	"after" jsonb,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "api_token" (
	"id" uuid PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"name" text NOT NULL,
	"token_hash" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_token_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "app_user" (
	"id" uuid PRIMARY KEY NOT NULL,
	"username" text NOT NULL,
	"display_name" text NOT NULL,
	"password_hash" text NOT NULL,
	"role" text NOT NULL,
	"region_prefix" text NOT NULL,
	"entity_id" uuid,
	"disabled" boolean DEFAULT false NOT NULL,
	"failed_logins" integer DEFAULT 0 NOT NULL,
	"locked_until" timestamp with time zone,
	"last_login_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "app_user_username_unique" UNIQUE("username")
);
--> statement-breakpoint
CREATE TABLE "user_session" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"csrf_token" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ref_dataset" (
	"name" text PRIMARY KEY NOT NULL,
	"title" text NOT NULL,
	"edition" text NOT NULL,
	"source" text NOT NULL,
	"licence" text,
	"checksum" text NOT NULL,
	"row_count" integer NOT NULL,
	"loaded_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ref_emission_limit" (
	"id" integer PRIMARY KEY NOT NULL,
	"standard" text NOT NULL,
	"table_name" text NOT NULL,
	"source_category" text,
	"pollutant" text NOT NULL,
	"pollutant_code" text,
	"direction" text NOT NULL,
	"limit_value" double precision,
	"limit_high" double precision,
	"limit_text" text NOT NULL,
	"unit" text NOT NULL,
	"applies_to" text,
	"confidence" text NOT NULL,
	"source" text NOT NULL,
	"note" text
);
--> statement-breakpoint
CREATE TABLE "ref_industry" (
	"edition" text NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"level" text NOT NULL,
	"parent" text,
	CONSTRAINT "ref_industry_edition_code_pk" PRIMARY KEY("edition","code")
);
--> statement-breakpoint
CREATE TABLE "ref_pollutant" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"medium" text NOT NULL,
	"code_2005" text,
	"unit_concentration" text,
	"unit_amount" text,
	"data_type" text,
	"alias" text
);
--> statement-breakpoint
CREATE TABLE "ref_region" (
	"code" text NOT NULL,
	"name" text NOT NULL,
	"level" text NOT NULL,
	"province_name" text,
	"prefecture_name" text,
	"status" text NOT NULL,
	"valid_from_year" integer NOT NULL,
	"valid_to_year" integer,
	"successors" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"current" boolean NOT NULL,
	CONSTRAINT "ref_region_code_valid_from_year_pk" PRIMARY KEY("code","valid_from_year")
);
--> statement-breakpoint
CREATE TABLE "registry_entity" (
	"id" uuid PRIMARY KEY NOT NULL,
	"credit_code" text NOT NULL,
	"credit_code_raw" text,
	"name" text NOT NULL,
	"legal_representative" text,
	"region_code" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "registry_registration" (
	"id" uuid PRIMARY KEY NOT NULL,
	"unit_id" uuid NOT NULL,
	"region_code" text NOT NULL,
	"registration_number" text NOT NULL,
	"status" text NOT NULL,
	"registered_on" date NOT NULL,
	"valid_until" date NOT NULL,
	"discharge_destination" text,
	"standards" text,
	"control_measures" text,
	"cancelled_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "registry_unit" (
	"id" uuid PRIMARY KEY NOT NULL,
	"entity_id" uuid NOT NULL,
	"site_seq" integer NOT NULL,
	"name" text NOT NULL,
	"search_tokens" text[] NOT NULL,
	"region_code" text NOT NULL,
	"industry_code" text NOT NULL,
	"industry_edition" text NOT NULL,
	"management_category" text,
	"status" text NOT NULL,
	"address" text NOT NULL,
	"longitude" double precision,
	"latitude" double precision,
	"contact_person" text,
	"contact_phone" text,
	"closed_at" timestamp with time zone,
	"close_reason" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "api_token" ADD CONSTRAINT "api_token_user_id_app_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."app_user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_session" ADD CONSTRAINT "user_session_user_id_app_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."app_user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "registry_registration" ADD CONSTRAINT "registry_registration_unit_id_registry_unit_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."registry_unit"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "registry_unit" ADD CONSTRAINT "registry_unit_entity_id_registry_entity_id_fk" FOREIGN KEY ("entity_id") REFERENCES "public"."registry_entity"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "audit_event_chain_seq_uq" ON "audit_event" USING btree ("chain","seq");--> statement-breakpoint
CREATE INDEX "audit_event_entity_idx" ON "audit_event" USING btree ("entity_type","entity_id");--> statement-breakpoint
CREATE INDEX "api_token_user_idx" ON "api_token" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "app_user_entity_idx" ON "app_user" USING btree ("entity_id");--> statement-breakpoint
CREATE INDEX "user_session_user_idx" ON "user_session" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "ref_emission_limit_standard_idx" ON "ref_emission_limit" USING btree ("standard");--> statement-breakpoint
CREATE INDEX "ref_region_name_idx" ON "ref_region" USING btree ("name");--> statement-breakpoint
CREATE UNIQUE INDEX "registry_entity_credit_code_uq" ON "registry_entity" USING btree ("credit_code");--> statement-breakpoint
CREATE INDEX "registry_entity_region_idx" ON "registry_entity" USING btree ("region_code" text_pattern_ops);--> statement-breakpoint
CREATE UNIQUE INDEX "registry_registration_number_uq" ON "registry_registration" USING btree ("registration_number") WHERE status = 'valid';--> statement-breakpoint
CREATE INDEX "registry_registration_unit_idx" ON "registry_registration" USING btree ("unit_id");--> statement-breakpoint
CREATE UNIQUE INDEX "registry_registration_valid_unit_uq" ON "registry_registration" USING btree ("unit_id") WHERE status = 'valid';--> statement-breakpoint
CREATE INDEX "registry_registration_region_idx" ON "registry_registration" USING btree ("region_code" text_pattern_ops);--> statement-breakpoint
CREATE UNIQUE INDEX "registry_unit_entity_site_uq" ON "registry_unit" USING btree ("entity_id","site_seq");--> statement-breakpoint
CREATE INDEX "registry_unit_region_idx" ON "registry_unit" USING btree ("region_code" text_pattern_ops,"name");--> statement-breakpoint
CREATE INDEX "registry_unit_industry_idx" ON "registry_unit" USING btree ("industry_code" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "registry_unit_search_tokens_idx" ON "registry_unit" USING gin ("search_tokens");--> statement-breakpoint
CREATE INDEX "registry_unit_created_idx" ON "registry_unit" USING btree ("created_at","id");