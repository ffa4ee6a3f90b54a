-- API tokens (issue 10): only the SHA-256 of a secret is kept. Revoked tokens stay, for the
-- record; a name is unique among active tokens. Portable SQL (SQLite and PostgreSQL).
CREATE TABLE api_tokens (
  id           VARCHAR(32) PRIMARY KEY,
  name         VARCHAR(64) NOT NULL,
  role         VARCHAR(16) NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
  hash         VARCHAR(64) NOT NULL UNIQUE,
  created_at   BIGINT NOT NULL,
  last_used_at BIGINT,
  revoked_at   BIGINT
);
CREATE UNIQUE INDEX api_tokens_active_name ON api_tokens (name) WHERE revoked_at IS NULL;
