-- A counter bumped by every change to machines or assignments, whichever process makes it
-- (the server, the CLI, an import, the sqlite3 shell), so a server can keep what boot
-- resolution reads about each machine in memory and notice changes with one cheap read.
-- (SQLite trigger syntax; a PostgreSQL migration needs a trigger function instead.)
CREATE TABLE machine_version (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  v  BIGINT NOT NULL
);
INSERT INTO machine_version (id, v) VALUES (1, 0);

CREATE TRIGGER machines_ins AFTER INSERT ON machines BEGIN UPDATE machine_version SET v = v + 1; END;
CREATE TRIGGER machines_upd AFTER UPDATE ON machines BEGIN UPDATE machine_version SET v = v + 1; END;
CREATE TRIGGER machines_del AFTER DELETE ON machines BEGIN UPDATE machine_version SET v = v + 1; END;
CREATE TRIGGER assignments_ins AFTER INSERT ON assignments BEGIN UPDATE machine_version SET v = v + 1; END;
CREATE TRIGGER assignments_upd AFTER UPDATE ON assignments BEGIN UPDATE machine_version SET v = v + 1; END;
CREATE TRIGGER assignments_del AFTER DELETE ON assignments BEGIN UPDATE machine_version SET v = v + 1; END;
