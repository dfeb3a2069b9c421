-- Alerts raised by rules over supervision events. `occurrence` names the
-- situation an alert is about (the missed appointment, the overdue
-- condition and its due date, the last contact before a silence), so a
-- rule raises it once: never two alerts, open or resolved, for the same one.
CREATE TABLE alerts (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    rule TEXT NOT NULL,
    occurrence TEXT NOT NULL,
    severity TEXT NOT NULL,
    detail TEXT NOT NULL,
    due_on TEXT NOT NULL,
    raised_at TEXT NOT NULL,
    acknowledged_at TEXT,
    acknowledged_by TEXT REFERENCES users(id),
    resolved_at TEXT,
    resolved_by TEXT REFERENCES users(id),
    resolution TEXT
);
CREATE UNIQUE INDEX alerts_once ON alerts(rule, occurrence);
CREATE INDEX alerts_open ON alerts(case_id) WHERE resolved_at IS NULL;
