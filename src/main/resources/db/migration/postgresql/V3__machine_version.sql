-- Changes to machines or assignments, made by any instance or the CLI (PostgreSQL's form of
-- sqlite/V3__machine_version.sql). SQLite bumps one shared counter; here that row would
-- serialize every machine write of every instance, so instead each change sends
-- NOTIFY chainboot 'm <mac>' at commit (identical notifications in one transaction are sent
-- once), and each instance drops just that machine from its cache.
CREATE FUNCTION chainboot_machine_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('chainboot', 'm ' || OLD.mac);
  ELSE
    PERFORM pg_notify('chainboot', 'm ' || NEW.mac);
    IF TG_OP = 'UPDATE' AND NEW.mac <> OLD.mac THEN
      PERFORM pg_notify('chainboot', 'm ' || OLD.mac);
    END IF;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER machines_changed AFTER INSERT OR UPDATE OR DELETE ON machines
  FOR EACH ROW EXECUTE FUNCTION chainboot_machine_changed();
CREATE TRIGGER assignments_changed AFTER INSERT OR UPDATE OR DELETE ON assignments
  FOR EACH ROW EXECUTE FUNCTION chainboot_machine_changed();
