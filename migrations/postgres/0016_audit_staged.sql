-- Audit events a write staged in its own transaction, unchained: they commit
-- with what they record, in parallel with other writes, and the audit
-- appender (`store::appender`, on any server) moves them onto the chain in
-- `audit_events` under the chain's lock, many at a time. A request answers
-- only once its events are chained; events left here by a crash are
-- chained when a server next starts. SQLite has no such table: its one
-- writer chains each batch's events as it writes them.
CREATE TABLE audit_staged (
    seq BIGSERIAL PRIMARY KEY,
    id UUID NOT NULL UNIQUE,
    at TIMESTAMPTZ NOT NULL,
    actor_id UUID,
    actor_role TEXT,
    source TEXT,
    action TEXT NOT NULL,
    object_type TEXT,
    object_id UUID,
    outcome TEXT NOT NULL,
    reason TEXT
);
-- A staged event is never changed: it is chained as it was written, then
-- removed by the appender.
CREATE FUNCTION audit_staged_unchanged() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'staged audit events cannot be changed';
END;
$$;
CREATE TRIGGER audit_staged_no_change BEFORE UPDATE ON audit_staged
    FOR EACH ROW EXECUTE FUNCTION audit_staged_unchanged();
