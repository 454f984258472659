-- Every committed change to registry_unit, by whatever writer (the services, an import, a
-- migration, a DBA's UPDATE), is announced on channel ecopermit_registry_unit as
-- comma-separated unit ids, at most 200 per notification (payloads are limited to 8000 bytes);
-- a TRUNCATE as 'reload'.
-- NOTIFY is transactional and delivered in commit order: the in-memory unit search index of
-- every server instance listens and rereads those units. See src/modules/registry/unit-search.ts.
CREATE FUNCTION registry_unit_notify() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  ids text[];
BEGIN
  -- TRUNCATE has no rows to name: listeners reread everything.
  IF TG_OP = 'TRUNCATE' THEN
    PERFORM pg_notify('ecopermit_registry_unit', 'reload');
    RETURN NULL;
  END IF;
  -- PL/pgSQL plans a statement when it first runs it, so the branch naming the transition
  -- table this trigger does not have is never planned.
  IF TG_OP = 'DELETE' THEN
    SELECT array_agg(id::text) INTO ids FROM old_rows;
  ELSE
    SELECT array_agg(id::text) INTO ids FROM new_rows;
  END IF;
  PERFORM pg_notify('ecopermit_registry_unit', array_to_string(ids[i:i + 199], ','))
    FROM generate_series(1, coalesce(array_length(ids, 1), 0), 200) AS i;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER registry_unit_notify_insert AFTER INSERT ON registry_unit
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION registry_unit_notify();
--> statement-breakpoint
CREATE TRIGGER registry_unit_notify_update AFTER UPDATE ON registry_unit
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION registry_unit_notify();
--> statement-breakpoint
CREATE TRIGGER registry_unit_notify_delete AFTER DELETE ON registry_unit
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION registry_unit_notify();
--> statement-breakpoint
CREATE TRIGGER registry_unit_notify_truncate AFTER TRUNCATE ON registry_unit
  FOR EACH STATEMENT EXECUTE FUNCTION registry_unit_notify();
