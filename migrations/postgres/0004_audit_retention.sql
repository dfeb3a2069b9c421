-- Audit retention: events older than the retention period may be purged,
-- never younger than six years (HIPAA; CJIS asks one). A purge first records
-- an anchor (the newest purged event's sequence number and hash), from which
-- `bridgeway audit verify` continues the chain; only events at or before the
-- latest anchor may be deleted. Anchors themselves are append-only.
CREATE TABLE audit_anchors (
    seq BIGINT PRIMARY KEY,
    hash TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL,
    purged_at TIMESTAMPTZ NOT NULL,
    events BIGINT NOT NULL
);
CREATE FUNCTION audit_anchors_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NOT EXISTS (
            SELECT 1 FROM audit_events
            WHERE seq = NEW.seq AND hash = NEW.hash AND at < now() - interval '6 years'
        ) THEN
            RAISE EXCEPTION 'an anchor must name an existing audit event at least six years old';
        END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit anchors are append-only';
END;
$$;
CREATE TRIGGER audit_anchors_guard BEFORE INSERT OR UPDATE OR DELETE ON audit_anchors
    FOR EACH ROW EXECUTE FUNCTION audit_anchors_append_only();
CREATE TRIGGER audit_anchors_no_truncate BEFORE TRUNCATE ON audit_anchors
    FOR EACH STATEMENT EXECUTE FUNCTION audit_anchors_append_only();

CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND OLD.seq <= COALESCE((SELECT max(seq) FROM audit_anchors), 0) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit events are append-only';
END;
$$;
