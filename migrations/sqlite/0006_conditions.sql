-- Conditions of supervision: per-program templates, each case's conditions
-- (adjustable per person), and dated progress toward them. Amounts are in
-- hundredths of their unit (1.5 hours = 150, $25.50 = 2550). Details and
-- progress notes may hold treatment information, so they are sealed.
CREATE TABLE condition_templates (
    id TEXT PRIMARY KEY,
    program_id TEXT NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    target INTEGER,
    unit TEXT,
    -- Due this many days after the case starts.
    due_days INTEGER
);
CREATE INDEX condition_templates_program ON condition_templates(program_id, position);

CREATE TABLE conditions (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    template_id TEXT REFERENCES condition_templates(id) ON DELETE SET NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    details TEXT,
    target INTEGER,
    unit TEXT,
    start_date TEXT NOT NULL,
    due_date TEXT,
    marked_met_at TEXT,
    court_action TEXT,
    court_order_date TEXT,
    court_order_reason TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX conditions_case ON conditions(case_id);
CREATE INDEX conditions_due ON conditions(due_date);

CREATE TABLE condition_progress (
    id TEXT PRIMARY KEY,
    condition_id TEXT NOT NULL REFERENCES conditions(id) ON DELETE CASCADE,
    occurred_on TEXT NOT NULL,
    amount INTEGER,
    verification TEXT NOT NULL,
    note TEXT,
    recorded_by TEXT NOT NULL REFERENCES users(id),
    recorded_at TEXT NOT NULL
);
CREATE INDEX condition_progress_condition ON condition_progress(condition_id, occurred_on);
