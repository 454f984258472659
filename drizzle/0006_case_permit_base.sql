ALTER TABLE "permit_case" ADD COLUMN "base_permit_version" integer;--> statement-breakpoint
ALTER TABLE "permit_case" ADD COLUMN "evaluation_days" integer DEFAULT 0 NOT NULL;