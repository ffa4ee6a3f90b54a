-- Installs held until done (boot once --until-done): the once-assignment stays while the state is
-- 'holding', each boot counted and given a single-use callback token (only its SHA-256 is kept);
-- the callback makes it 'done', a boot past max_boots makes it 'loop'. Portable SQL.
CREATE TABLE install_holds (
  mac        VARCHAR(17) PRIMARY KEY REFERENCES machines (mac) ON DELETE CASCADE,
  profile    VARCHAR(64) NOT NULL,
  state      VARCHAR(8) NOT NULL CHECK (state IN ('holding', 'done', 'loop')),
  boots      INTEGER NOT NULL,
  max_boots  INTEGER NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE TABLE install_tokens (
  token_hash VARCHAR(64) PRIMARY KEY,
  mac        VARCHAR(17) NOT NULL REFERENCES machines (mac) ON DELETE CASCADE,
  boot       INTEGER NOT NULL,
  created_at BIGINT NOT NULL,
  used_at    BIGINT
);
CREATE INDEX install_tokens_mac ON install_tokens (mac);
