-- Assessments on a case. Each pins the instrument version it was made under
-- (the row, whose text never changes, and the SHA-256 of that text as it
-- was when the assessment started). Answers are sealed (substance use and
-- mental health among them), and so is the result kept at completion (its
-- factors repeat answers); the level's name stays readable for lists.
CREATE TABLE assessments (
    id UUID PRIMARY KEY,
    case_id UUID NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    instrument UUID NOT NULL REFERENCES instruments(id),
    digest TEXT NOT NULL,
    population TEXT,
    answers TEXT NOT NULL,
    result TEXT,
    level TEXT,
    assessor_id UUID NOT NULL REFERENCES users(id),
    started_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    completed_at TIMESTAMPTZ,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX assessments_case ON assessments(case_id, started_at);
-- One draft of an instrument version open on a case at a time (two starts
-- at once: the second is refused).
CREATE UNIQUE INDEX assessments_one_draft ON assessments(case_id, instrument)
    WHERE completed_at IS NULL;

-- A proposed level other than the computed one: its own record, never a
-- change to the result. A supervisor who is neither the assessor nor the
-- proposer approves or rejects it; one waits at a time per assessment.
CREATE TABLE assessment_overrides (
    id UUID PRIMARY KEY,
    assessment_id UUID NOT NULL REFERENCES assessments(id) ON DELETE CASCADE,
    level TEXT NOT NULL,
    reason_code TEXT NOT NULL,
    reason TEXT NOT NULL,
    proposed_by UUID NOT NULL REFERENCES users(id),
    proposed_at TIMESTAMPTZ NOT NULL,
    decision TEXT,
    decided_by UUID REFERENCES users(id),
    decided_at TIMESTAMPTZ,
    decision_note TEXT
);
CREATE INDEX assessment_overrides_assessment ON assessment_overrides(assessment_id, proposed_at);
CREATE UNIQUE INDEX assessment_overrides_one_waiting ON assessment_overrides(assessment_id)
    WHERE decision IS NULL;

-- Each supervision level set on a case: the level recommended then by the
-- latest assessment, and the reason given for a different one.
CREATE TABLE supervision_levels (
    id UUID PRIMARY KEY,
    case_id UUID NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    level TEXT,
    recommended TEXT,
    reason TEXT,
    actor_id UUID NOT NULL REFERENCES users(id),
    at TIMESTAMPTZ NOT NULL
);
CREATE INDEX supervision_levels_case ON supervision_levels(case_id, at);
