-- The boot timeline: every stage of a machine's boot (proxyDHCP answers, TFTP transfers, the
-- script, downloads, media, installer callbacks, stalls) is a row of boot_events, the decision
-- (the script) being the stage 'script' as before. detail holds the stage's measurements as a
-- JSON object of strings (file, bytes, duration_ms, ...). Portable SQL (SQLite and PostgreSQL).
ALTER TABLE boot_events ADD COLUMN stage VARCHAR(16) NOT NULL DEFAULT 'script';
ALTER TABLE boot_events ADD COLUMN detail TEXT;
