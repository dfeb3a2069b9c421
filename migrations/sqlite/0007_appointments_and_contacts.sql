-- Supervision level (its contact standard comes from the settings),
-- scheduled appointments (one-off, or a weekly series stored as its
-- occurrences) with their outcomes, and logged contacts. Contact notes are
-- sealed.
ALTER TABLE cases ADD COLUMN supervision_level TEXT;

CREATE TABLE appointments (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    series_id TEXT,
    kind TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    duration_minutes INTEGER NOT NULL,
    location TEXT,
    outcome TEXT,
    outcome_note TEXT,
    outcome_by TEXT REFERENCES users(id),
    outcome_at TEXT,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX appointments_case ON appointments(case_id, starts_at);
CREATE INDEX appointments_starts ON appointments(starts_at);

CREATE TABLE contacts (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    place TEXT,
    -- NULL: the participant; otherwise who the collateral contact was.
    collateral TEXT,
    collateral_name TEXT,
    note TEXT,
    recorded_by TEXT NOT NULL REFERENCES users(id),
    recorded_at TEXT NOT NULL
);
CREATE INDEX contacts_case ON contacts(case_id, occurred_at);
