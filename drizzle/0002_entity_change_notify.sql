-- A unit's list row shows its entity's credit code and name, and the server keeps recently
-- shown rows in memory (src/modules/registry/unit-row-cache.ts). So a committed change to an
-- entity is announced like a change to each of its units: their ids on channel
-- ecopermit_registry_unit (an entity has at most 999 sites).
-- The announcing itself (at most 200 ids per notification: payloads are limited to 8000
-- bytes) becomes one function, used by the unit trigger of migration 0001 too.
CREATE FUNCTION registry_notify_units(ids text[]) RETURNS void LANGUAGE sql AS $$
  SELECT pg_notify('ecopermit_registry_unit', array_to_string(ids[i:i + 199], ','))
    FROM generate_series(1, coalesce(array_length(ids, 1), 0), 200) AS i;
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION registry_unit_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- TRUNCATE has no rows to name: listeners reread everything.
  IF TG_OP = 'TRUNCATE' THEN
    PERFORM pg_notify('ecopermit_registry_unit', 'reload');
  -- PL/pgSQL plans a statement when it first runs it, so the branch naming the transition
  -- table this trigger does not have is never planned.
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM registry_notify_units((SELECT array_agg(id::text) FROM old_rows));
  ELSE
    PERFORM registry_notify_units((SELECT array_agg(id::text) FROM new_rows));
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE FUNCTION registry_entity_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM registry_notify_units((SELECT array_agg(u.id::text) FROM registry_unit u WHERE u.entity_id IN (SELECT id FROM new_rows)));
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER registry_entity_notify_update AFTER UPDATE ON registry_entity
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION registry_entity_notify();
