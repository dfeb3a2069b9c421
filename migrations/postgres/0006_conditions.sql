-- Conditions of supervision: per-program templates, each case's conditions
-- (adjustable per person), and dated progress toward them. Amounts are in
-- hundredths of their unit (1.5 hours = 150, $25.50 = 2550). Details and
-- progress notes may hold treatment information, so they are sealed.
CREATE TABLE condition_templates (
    id UUID PRIMARY KEY,
    program_id UUID NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    target BIGINT,
    unit TEXT,
    -- Due this many days after the case starts.
    due_days INTEGER
);
CREATE INDEX condition_templates_program ON condition_templates(program_id, position);

CREATE TABLE conditions (
    id UUID PRIMARY KEY,
    case_id UUID NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    template_id UUID REFERENCES condition_templates(id) ON DELETE SET NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    details TEXT,
    target BIGINT,
    unit TEXT,
    start_date DATE NOT NULL,
    due_date DATE,
    marked_met_at TIMESTAMPTZ,
    court_action TEXT,
    court_order_date DATE,
    court_order_reason TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX conditions_case ON conditions(case_id);
CREATE INDEX conditions_due ON conditions(due_date);

CREATE TABLE condition_progress (
    id UUID PRIMARY KEY,
    condition_id UUID NOT NULL REFERENCES conditions(id) ON DELETE CASCADE,
    occurred_on DATE NOT NULL,
    amount BIGINT,
    verification TEXT NOT NULL,
    note TEXT,
    recorded_by UUID NOT NULL REFERENCES users(id),
    recorded_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX condition_progress_condition ON condition_progress(condition_id, occurred_on);
