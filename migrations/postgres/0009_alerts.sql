-- Alerts raised by rules over supervision events. `occurrence` names the
-- situation an alert is about (the missed appointment, the overdue
-- condition and its due date, the last contact before a silence), so a
-- rule raises it once: never two alerts, open or resolved, for the same one.
CREATE TABLE alerts (
    id UUID PRIMARY KEY,
    case_id UUID NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    rule TEXT NOT NULL,
    occurrence TEXT NOT NULL,
    severity TEXT NOT NULL,
    detail TEXT NOT NULL,
    due_on DATE NOT NULL,
    raised_at TIMESTAMPTZ NOT NULL,
    acknowledged_at TIMESTAMPTZ,
    acknowledged_by UUID REFERENCES users(id),
    resolved_at TIMESTAMPTZ,
    resolved_by UUID REFERENCES users(id),
    resolution TEXT
);
CREATE UNIQUE INDEX alerts_once ON alerts(rule, occurrence);
CREATE INDEX alerts_open ON alerts(case_id) WHERE resolved_at IS NULL;
