-- The work queue reads its first page from an index in time independent of
-- how many alerts the scope holds: each alert carries its case's officer
-- (kept by the trigger below when a case is reassigned) and its severity's
-- rank (0 high, 1 medium, 2 low), and open alerts are indexed in queue order
-- per officer (NULL: cases nobody holds yet).
ALTER TABLE alerts ADD COLUMN officer_id TEXT REFERENCES users(id);
ALTER TABLE alerts ADD COLUMN priority INTEGER NOT NULL DEFAULT 2;

UPDATE alerts SET
    officer_id = (SELECT c.officer_id FROM cases c WHERE c.id = alerts.case_id),
    priority = CASE severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END;

CREATE INDEX alerts_queue ON alerts(officer_id, priority, due_on, raised_at, id)
    WHERE resolved_at IS NULL;

CREATE TRIGGER alerts_follow_case_officer AFTER UPDATE OF officer_id ON cases
    WHEN NEW.officer_id IS NOT OLD.officer_id
BEGIN
    UPDATE alerts SET officer_id = NEW.officer_id WHERE case_id = NEW.id;
END;
