-- chainboot boot core. Portable SQL (SQLite and PostgreSQL): times are epoch milliseconds,
-- MACs are lowercase colon-separated text, labels are JSON text.
CREATE TABLE machines (
  mac        VARCHAR(17) PRIMARY KEY,
  ip         VARCHAR(64),
  uuid       VARCHAR(64),
  serial     VARCHAR(128),
  hostname   VARCHAR(255),
  arch       VARCHAR(16),
  platform   VARCHAR(16),
  labels     TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  seen_at    BIGINT
);
CREATE INDEX machines_ip ON machines (ip);

CREATE TABLE profiles (
  name      VARCHAR(64) PRIMARY KEY,
  kind      VARCHAR(16) NOT NULL,
  kernel    TEXT,
  initrds   TEXT NOT NULL,
  cmdline   TEXT,
  chain_url TEXT,
  script    TEXT,
  menu      TEXT NOT NULL
);

CREATE TABLE assignments (
  mac        VARCHAR(17) NOT NULL REFERENCES machines (mac) ON DELETE CASCADE,
  kind       VARCHAR(8) NOT NULL CHECK (kind IN ('once', 'static')),
  profile    VARCHAR(64) NOT NULL REFERENCES profiles (name),
  created_at BIGINT NOT NULL,
  PRIMARY KEY (mac, kind)
);

CREATE TABLE default_profile (
  id      INTEGER PRIMARY KEY CHECK (id = 1),
  profile VARCHAR(64) NOT NULL REFERENCES profiles (name)
);

CREATE TABLE machine_groups (
  name       VARCHAR(64) PRIMARY KEY,
  profile    VARCHAR(64) NOT NULL REFERENCES profiles (name),
  arch       VARCHAR(16),
  mac_prefix VARCHAR(17),
  labels     TEXT NOT NULL
);

CREATE TABLE boot_events (
  id            INTEGER PRIMARY KEY,
  at            BIGINT NOT NULL,
  mac           VARCHAR(17),
  client_ip     VARCHAR(64) NOT NULL,
  match_kind    VARCHAR(8) NOT NULL,
  reason        TEXT NOT NULL,
  profile       VARCHAR(64),
  protocol      VARCHAR(16) NOT NULL,
  once_consumed BOOLEAN NOT NULL
);
CREATE INDEX boot_events_mac ON boot_events (mac, id);
