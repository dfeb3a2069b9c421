-- Audit retention: events older than the retention period may be purged,
-- never younger than six years (HIPAA; CJIS asks one). A purge first records
-- an anchor (the newest purged event's sequence number and hash), from which
-- `bridgeway audit verify` continues the chain; only events at or before the
-- latest anchor may be deleted. Anchors themselves are append-only.
CREATE TABLE audit_anchors (
    seq INTEGER PRIMARY KEY,
    hash TEXT NOT NULL,
    at TEXT NOT NULL,
    purged_at TEXT NOT NULL,
    events INTEGER NOT NULL
);
CREATE TRIGGER audit_anchors_no_update BEFORE UPDATE ON audit_anchors
BEGIN SELECT RAISE(ABORT, 'audit anchors are append-only'); END;
CREATE TRIGGER audit_anchors_no_delete BEFORE DELETE ON audit_anchors
BEGIN SELECT RAISE(ABORT, 'audit anchors are append-only'); END;
CREATE TRIGGER audit_anchors_six_years BEFORE INSERT ON audit_anchors
WHEN NOT EXISTS (
    SELECT 1 FROM audit_events
    WHERE seq = NEW.seq AND hash = NEW.hash AND julianday(at) < julianday('now') - 2190
)
BEGIN SELECT RAISE(ABORT, 'an anchor must name an existing audit event at least six years old'); END;

DROP TRIGGER audit_events_no_delete;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
WHEN OLD.seq > COALESCE((SELECT max(seq) FROM audit_anchors), 0)
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
