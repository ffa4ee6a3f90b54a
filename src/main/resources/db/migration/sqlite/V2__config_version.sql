-- A counter bumped by every change to profiles, groups or the default, so a server can cache
-- them and notice changes made by other processes (the CLI) with one cheap read.
-- (SQLite trigger syntax; a PostgreSQL migration needs a trigger function instead.)
CREATE TABLE config_version (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  v  BIGINT NOT NULL
);
INSERT INTO config_version (id, v) VALUES (1, 0);

CREATE TRIGGER profiles_ins AFTER INSERT ON profiles BEGIN UPDATE config_version SET v = v + 1; END;
CREATE TRIGGER profiles_upd AFTER UPDATE ON profiles BEGIN UPDATE config_version SET v = v + 1; END;
CREATE TRIGGER profiles_del AFTER DELETE ON profiles BEGIN UPDATE config_version SET v = v + 1; END;
CREATE TRIGGER groups_ins AFTER INSERT ON machine_groups BEGIN UPDATE config_version SET v = v + 1; END;
CREATE TRIGGER groups_upd AFTER UPDATE ON machine_groups BEGIN UPDATE config_version SET v = v + 1; END;
CREATE TRIGGER groups_del AFTER DELETE ON machine_groups BEGIN UPDATE config_version SET v = v + 1; END;
CREATE TRIGGER default_ins AFTER INSERT ON default_profile BEGIN UPDATE config_version SET v = v + 1; END;
CREATE TRIGGER default_upd AFTER UPDATE ON default_profile BEGIN UPDATE config_version SET v = v + 1; END;
CREATE TRIGGER default_del AFTER DELETE ON default_profile BEGIN UPDATE config_version SET v = v + 1; END;
