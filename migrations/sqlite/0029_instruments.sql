-- Risk and needs instrument definitions, as their files state them: each
-- version kept whole (its text and SHA-256) so an assessment made under it
-- scores and shows the same for ever. A version is never changed: an edit
-- is a new version. A retired one starts no new assessment.
CREATE TABLE instruments (
    id TEXT PRIMARY KEY,
    instrument_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    name TEXT NOT NULL,
    digest TEXT NOT NULL,
    definition TEXT NOT NULL,
    imported_by TEXT REFERENCES users(id),
    imported_at TEXT NOT NULL,
    retired_at TEXT,
    UNIQUE (instrument_id, version)
);
