-- Supervision level (its contact standard comes from the settings),
-- scheduled appointments (one-off, or a weekly series stored as its
-- occurrences) with their outcomes, and logged contacts. Contact notes are
-- sealed.
ALTER TABLE cases ADD COLUMN supervision_level TEXT;

CREATE TABLE appointments (
    id UUID PRIMARY KEY,
    case_id UUID NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    series_id UUID,
    kind TEXT NOT NULL,
    starts_at TIMESTAMPTZ NOT NULL,
    duration_minutes INTEGER NOT NULL,
    location TEXT,
    outcome TEXT,
    outcome_note TEXT,
    outcome_by UUID REFERENCES users(id),
    outcome_at TIMESTAMPTZ,
    created_by UUID NOT NULL REFERENCES users(id),
    created_at TIMESTAMPTZ NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX appointments_case ON appointments(case_id, starts_at);
CREATE INDEX appointments_starts ON appointments(starts_at);

CREATE TABLE contacts (
    id UUID PRIMARY KEY,
    case_id UUID NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    occurred_at TIMESTAMPTZ NOT NULL,
    place TEXT,
    -- NULL: the participant; otherwise who the collateral contact was.
    collateral TEXT,
    collateral_name TEXT,
    note TEXT,
    recorded_by UUID NOT NULL REFERENCES users(id),
    recorded_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX contacts_case ON contacts(case_id, occurred_at);
