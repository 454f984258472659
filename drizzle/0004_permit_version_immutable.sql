-- A permit version is what was issued: it is written once and never changed or deleted, by
-- anyone (the services only insert; this stops a DBA's slip too). Corrections are new versions.
CREATE FUNCTION permit_version_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    RAISE EXCEPTION 'permit versions are immutable: TRUNCATE refused' USING ERRCODE = 'restrict_violation';
  END IF;
  RAISE EXCEPTION 'permit versions are immutable: % refused on version % of permit %', TG_OP, OLD.version_no, OLD.permit_id
    USING ERRCODE = 'restrict_violation';
END
$$;
--> statement-breakpoint
CREATE TRIGGER permit_version_no_update BEFORE UPDATE OR DELETE ON permit_version
  FOR EACH ROW EXECUTE FUNCTION permit_version_immutable();
--> statement-breakpoint
CREATE TRIGGER permit_version_no_truncate BEFORE TRUNCATE ON permit_version
  FOR EACH STATEMENT EXECUTE FUNCTION permit_version_immutable();
