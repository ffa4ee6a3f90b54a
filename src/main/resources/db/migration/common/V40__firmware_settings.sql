-- Firmware settings (issue 13): a group's quirks and loader as canonical KEY=VALUE text
-- (FirmwareSettings.text(), empty = defaults), and the loader a profile needs (NULL = the
-- group's). Portable SQL: plain ALTER TABLE ... ADD COLUMN works on SQLite and PostgreSQL.
ALTER TABLE machine_groups ADD COLUMN firmware TEXT NOT NULL DEFAULT '';
ALTER TABLE profiles ADD COLUMN loader VARCHAR(16);
