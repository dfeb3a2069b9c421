-- A list's scope (an officer's cases, a team's, a court's) is a list of
-- case ids read from an index; holding the id, the index answers it without
-- reading each case (an officer's 120 cases lie on 120 different pages).
DROP INDEX cases_officer_status;
CREATE INDEX cases_officer_status ON cases(officer_id, status, id);
CREATE INDEX cases_court ON cases(court, id);

-- The work queue's count of messages sent, from the index alone.
DROP INDEX messages_sent;
CREATE INDEX messages_sent ON messages(case_id, sent_at, status) WHERE sent_at IS NOT NULL;
