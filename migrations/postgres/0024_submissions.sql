-- One-time submissions: a form's submission key or an API request's
-- Idempotency-Key, claimed in the same transaction as the write it made,
-- and the answer that write got, so a repeat (a double click, a retry
-- after a lost answer) is answered with the first result instead of
-- writing again. Kept for a day; the answer's body is sealed like the
-- records it may repeat.
CREATE TABLE submissions (
    id UUID NOT NULL UNIQUE,
    user_id UUID NOT NULL REFERENCES users(id),
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    status INTEGER,
    location TEXT,
    content_type TEXT,
    body TEXT,
    PRIMARY KEY (user_id, key)
);
CREATE INDEX submissions_created ON submissions(created_at);
