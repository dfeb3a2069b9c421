-- The work queue reads its first page from an index in time independent of
-- how many alerts the scope holds: each alert carries its case's officer
-- (kept by the trigger below when a case is reassigned) and its severity's
-- rank (0 high, 1 medium, 2 low), and open alerts are indexed in queue order
-- per officer (NULL: cases nobody holds yet).
ALTER TABLE alerts ADD COLUMN officer_id UUID REFERENCES users(id);
ALTER TABLE alerts ADD COLUMN priority SMALLINT NOT NULL DEFAULT 2;

UPDATE alerts a SET
    officer_id = c.officer_id,
    priority = CASE a.severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END
FROM cases c WHERE c.id = a.case_id;

CREATE INDEX alerts_queue ON alerts(officer_id, priority, due_on, raised_at, id)
    WHERE resolved_at IS NULL;

CREATE FUNCTION alerts_follow_case_officer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE alerts SET officer_id = NEW.officer_id WHERE case_id = NEW.id;
    RETURN NULL;
END
$$;

CREATE TRIGGER alerts_follow_case_officer AFTER UPDATE OF officer_id ON cases
    FOR EACH ROW WHEN (OLD.officer_id IS DISTINCT FROM NEW.officer_id)
    EXECUTE FUNCTION alerts_follow_case_officer();
