-- Each user's iCalendar feed: a secret URL (only its SHA-256 is kept) that
-- the user can replace or revoke.
CREATE TABLE calendar_feeds (
    user_id UUID PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL
);
