-- Messages to and from participants, and the durable queue that sends
-- them: a queued message is claimed by one server (status 'sending' with a
-- lease), sent, and marked sent or scheduled again with back-off. The
-- address and body are sealed; `address_index` (a blind index of the
-- address) finds whose number an inbound text came from. `dedupe_key`
-- names the reminder (appointment, time, offset, channel) so planning it
-- twice, from two servers or two sweeps, stores it once.
CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people(id),
    case_id TEXT REFERENCES cases(id),
    channel TEXT NOT NULL,
    purpose TEXT NOT NULL,
    dedupe_key TEXT UNIQUE,
    address TEXT NOT NULL,
    address_index TEXT NOT NULL,
    subject TEXT,
    body TEXT NOT NULL,
    language TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    claimed_by TEXT,
    lease_until TEXT,
    provider_id TEXT,
    error TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    updated_at TEXT NOT NULL
);
CREATE INDEX messages_due ON messages(next_attempt_at) WHERE status = 'queued';
CREATE INDEX messages_sending ON messages(lease_until) WHERE status = 'sending';
CREATE INDEX messages_person ON messages(person_id, created_at);
CREATE INDEX messages_case ON messages(case_id, created_at);
CREATE INDEX messages_address ON messages(address_index, created_at);
CREATE INDEX messages_provider ON messages(provider_id);
-- The work queue: what went out today and what failed this week, per case.
CREATE INDEX messages_sent ON messages(case_id, sent_at) WHERE sent_at IS NOT NULL;
CREATE INDEX messages_failed ON messages(case_id, updated_at) WHERE status = 'failed';

-- When the participant replied STOP: staff cannot turn texts back on until
-- the participant replies START (carriers' and the TCPA's rule).
ALTER TABLE people ADD COLUMN texts_stopped_at TEXT;
