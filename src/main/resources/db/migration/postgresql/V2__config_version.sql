-- A counter bumped by every change to profiles, groups or the default (PostgreSQL's form of
-- sqlite/V2__config_version.sql: one row trigger function instead of SQLite's trigger bodies).
-- Each bump also sends NOTIFY chainboot 'c <new version>' at commit, so every instance's cache
-- learns of it without a query.
CREATE TABLE config_version (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  v  BIGINT NOT NULL
);
INSERT INTO config_version (id, v) VALUES (1, 0);

CREATE FUNCTION chainboot_config_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  nv BIGINT;
BEGIN
  UPDATE config_version SET v = v + 1 WHERE id = 1 RETURNING v INTO nv;
  PERFORM pg_notify('chainboot', 'c ' || nv);
  RETURN NULL;
END
$$;

CREATE TRIGGER profiles_changed AFTER INSERT OR UPDATE OR DELETE ON profiles
  FOR EACH ROW EXECUTE FUNCTION chainboot_config_changed();
CREATE TRIGGER groups_changed AFTER INSERT OR UPDATE OR DELETE ON machine_groups
  FOR EACH ROW EXECUTE FUNCTION chainboot_config_changed();
CREATE TRIGGER default_changed AFTER INSERT OR UPDATE OR DELETE ON default_profile
  FOR EACH ROW EXECUTE FUNCTION chainboot_config_changed();
