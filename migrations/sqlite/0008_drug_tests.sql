-- Drug and alcohol tests. The per-substance results are sealed (they are
-- health information); `adverse` (any result other than negative, or a
-- refusal or no-show) stays readable so a case can show it at once and
-- alerts can find it.
CREATE TABLE drug_tests (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    collected_at TEXT NOT NULL,
    specimen TEXT NOT NULL,
    panel TEXT,
    chain_of_custody TEXT,
    outcome TEXT NOT NULL,
    results TEXT NOT NULL,
    adverse INTEGER NOT NULL,
    recorded_by TEXT NOT NULL REFERENCES users(id),
    recorded_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX drug_tests_case ON drug_tests(case_id, collected_at);
