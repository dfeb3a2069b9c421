-- A case shared explicitly with another officer or supervisor (covering for
-- leave, a joint caseload): they may see and work it like its own officer.
CREATE TABLE case_shares (
    case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id),
    granted_by TEXT NOT NULL REFERENCES users(id),
    granted_at TEXT NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (case_id, user_id)
);
CREATE INDEX case_shares_user ON case_shares(user_id);
