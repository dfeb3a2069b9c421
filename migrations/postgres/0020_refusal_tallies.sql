-- Refused requests (an unknown API token, a request its user may not make)
-- counted per minute instead of each written to the audit trail: the first
-- of a kind in a minute is audited at once, the rest are counted here, and
-- the count is audited as one event when the minute has passed
-- (`app::audit::refusals`). A flood of refusals adds two events a minute,
-- not one a request.
CREATE TABLE refusal_tallies (
    -- The minute, action, reason, address and user, joined.
    key TEXT PRIMARY KEY,
    window_start TIMESTAMPTZ NOT NULL,
    action TEXT NOT NULL,
    reason TEXT NOT NULL,
    source TEXT,
    actor_id UUID,
    actor_role TEXT,
    first_at TIMESTAMPTZ NOT NULL,
    last_at TIMESTAMPTZ NOT NULL,
    count BIGINT NOT NULL
);
CREATE INDEX refusal_tallies_window ON refusal_tallies(window_start);
