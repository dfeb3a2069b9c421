-- The agency's offices: where its staff work and its participants report.
-- A member of staff belongs to at most one; a supervisor's team may span
-- several.
CREATE TABLE offices (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    address TEXT,
    phone TEXT,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);

ALTER TABLE users ADD COLUMN office_id TEXT REFERENCES offices(id);
CREATE INDEX users_office ON users(office_id);
