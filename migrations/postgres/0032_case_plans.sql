-- Case plans, kept in versions. A version's goals and steps are one sealed
-- JSON document (goal outcomes and steps name treatment); once signed it
-- never changes, and the next version copies it. One draft at a time per
-- case. A high-risk case's version also needs a supervisor's
-- countersignature (whether it does is fixed when it is signed).
CREATE TABLE case_plans (
    id UUID PRIMARY KEY,
    case_id UUID NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    kind TEXT NOT NULL,
    assessment_id UUID REFERENCES assessments(id),
    content TEXT NOT NULL,
    created_by UUID NOT NULL REFERENCES users(id),
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    signed_by UUID REFERENCES users(id),
    signed_at TIMESTAMPTZ,
    countersign_needed BOOLEAN NOT NULL DEFAULT FALSE,
    countersigned_by UUID REFERENCES users(id),
    countersigned_at TIMESTAMPTZ,
    agreement TEXT,
    agreement_comment TEXT,
    agreement_on DATE,
    agreement_by UUID REFERENCES users(id),
    version BIGINT NOT NULL DEFAULT 1,
    UNIQUE (case_id, number)
);
CREATE UNIQUE INDEX case_plans_one_draft ON case_plans(case_id) WHERE signed_at IS NULL;

-- A plan's goals and steps by their keys, the same in every version: where
-- each stands now (a step linked to evidence follows it instead).
CREATE TABLE plan_items (
    id UUID PRIMARY KEY,
    case_id UUID NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    changed_by UUID NOT NULL REFERENCES users(id),
    changed_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX plan_items_case ON plan_items(case_id);

-- Dated progress on a goal or step: a note (sealed), a new status, or both.
CREATE TABLE plan_progress (
    id UUID PRIMARY KEY,
    case_id UUID NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    item_id UUID NOT NULL REFERENCES plan_items(id) ON DELETE CASCADE,
    on_day DATE NOT NULL,
    status TEXT,
    note TEXT,
    author_id UUID NOT NULL REFERENCES users(id),
    at TIMESTAMPTZ NOT NULL
);
CREATE INDEX plan_progress_case ON plan_progress(case_id, on_day);

-- When the case's plan is next due for review (or its first plan due),
-- read by the alert sweep through an index like the other dates.
ALTER TABLE cases ADD COLUMN plan_review_by DATE;
CREATE INDEX cases_plan_review_by ON cases(plan_review_by);
