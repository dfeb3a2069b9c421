-- Caseload views a member of staff saved: a name and the caseload's
-- filters and order as a query string, each person's own.
CREATE TABLE caseload_views (
    user_id TEXT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    query TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, name)
);
