-- The sweep is incremental: rules that depend on the time (a condition
-- falling due, a case nearing its end, a court date tomorrow, a silence
-- growing long) change their answer only when the agency's day changes, and
-- the events that change them in between raise their alerts as they are
-- recorded. This row holds the last day every case was swept to; the next
-- sweep reads only what that day's passing brought (conditions due, end
-- dates, tomorrow's court dates, contacts falling out of the window).
CREATE TABLE alert_sweeps (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    swept_on TEXT NOT NULL,
    swept_at TEXT NOT NULL
);

-- The day windows the incremental sweep reads.
CREATE INDEX cases_ending ON cases(expected_end_date);
CREATE INDEX cases_started ON cases(start_date);
CREATE INDEX contacts_occurred ON contacts(occurred_at) WHERE collateral IS NULL;
