-- A case's alerts, newest first, for its timeline: the partial index on open
-- alerts left the resolved ones to a scan of every alert in the agency
-- (113 ms a participant page at 1,000,000 participants).
CREATE INDEX alerts_case ON alerts(case_id, raised_at);
