-- Foundation: staff, sessions, tokens, people, programs, cases, audit.
-- Ids are UUID text; times are UTC RFC 3339 text; dates are YYYY-MM-DD.

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    full_name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    supervisor_id TEXT REFERENCES users(id),
    court TEXT,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    last_login_at TEXT,
    -- Lockout: consecutive failed sign-ins since failures_since, and when the account locked.
    failed_logins INTEGER NOT NULL DEFAULT 0,
    failures_since TEXT,
    locked_at TEXT,
    -- TOTP (RFC 6238): the shared secret (base32), when enrolment was
    -- confirmed, and the last time step used (a code is never accepted twice).
    totp_secret TEXT,
    totp_confirmed_at TEXT,
    totp_last_step INTEGER,
    created_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX users_supervisor ON users(supervisor_id);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    source TEXT,
    -- A session is usable only once the second factor has been given.
    mfa_done BOOLEAN NOT NULL DEFAULT FALSE,
    -- When the user last proved who they are (password and code); privileged
    -- actions need this to be recent.
    authenticated_at TEXT
);

-- Single-use recovery codes for a lost authenticator, stored as SHA-256.
CREATE TABLE recovery_codes (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    code_hash TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX recovery_codes_user ON recovery_codes(user_id);
CREATE INDEX sessions_user ON sessions(user_id);

-- Sign-in attempts per network address, for rate limiting across servers.
CREATE TABLE login_attempts (
    source TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX login_attempts_source ON login_attempts(source, at);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    -- read, write or admin
    scope TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

CREATE TABLE people (
    id TEXT PRIMARY KEY,
    person_number TEXT NOT NULL UNIQUE,
    first_name TEXT NOT NULL,
    middle_name TEXT,
    last_name TEXT NOT NULL,
    date_of_birth TEXT NOT NULL,
    phone TEXT,
    email TEXT,
    address TEXT,
    preferred_language TEXT NOT NULL,
    may_text BOOLEAN NOT NULL DEFAULT FALSE,
    may_email BOOLEAN NOT NULL DEFAULT FALSE,
    race TEXT,
    ethnicity TEXT,
    sex TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX people_name ON people(last_name COLLATE NOCASE, first_name COLLATE NOCASE, id);
CREATE INDEX people_dob ON people(date_of_birth);

CREATE TABLE person_aliases (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    first_name TEXT NOT NULL,
    middle_name TEXT,
    last_name TEXT NOT NULL
);
CREATE INDEX person_aliases_person ON person_aliases(person_id);
CREATE INDEX person_aliases_name ON person_aliases(last_name COLLATE NOCASE);

CREATE TABLE person_identifiers (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    value TEXT NOT NULL
);
CREATE INDEX person_identifiers_person ON person_identifiers(person_id);
CREATE INDEX person_identifiers_value ON person_identifiers(value);
CREATE UNIQUE INDEX person_identifiers_unique ON person_identifiers(kind, value)
    WHERE kind IN ('state_id', 'fbi_number', 'drivers_license');

CREATE TABLE programs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL UNIQUE,
    default_length_days INTEGER NOT NULL,
    supervising_unit TEXT NOT NULL,
    eligibility TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE cases (
    id TEXT PRIMARY KEY,
    case_number TEXT NOT NULL UNIQUE,
    person_id TEXT NOT NULL REFERENCES people(id),
    program_id TEXT NOT NULL REFERENCES programs(id),
    status TEXT NOT NULL,
    referral_source TEXT NOT NULL,
    referral_date TEXT NOT NULL,
    court TEXT,
    docket_number TEXT,
    judge TEXT,
    prosecutor TEXT,
    prior_convictions INTEGER,
    victim_consent BOOLEAN,
    start_date TEXT,
    expected_end_date TEXT,
    officer_id TEXT REFERENCES users(id),
    screening TEXT,
    screening_override TEXT,
    exit_reason TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX cases_person ON cases(person_id);
CREATE INDEX cases_officer_status ON cases(officer_id, status);
CREATE INDEX cases_program ON cases(program_id);
CREATE INDEX cases_docket ON cases(docket_number);

CREATE TABLE charges (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    statute_code TEXT NOT NULL,
    description TEXT NOT NULL,
    level TEXT NOT NULL,
    violent BOOLEAN NOT NULL,
    offense_date TEXT
);
CREATE INDEX charges_case ON charges(case_id);

CREATE TABLE case_status_history (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    from_status TEXT,
    to_status TEXT NOT NULL,
    exit_reason TEXT,
    reason TEXT NOT NULL,
    actor_id TEXT REFERENCES users(id),
    at TEXT NOT NULL
);
CREATE INDEX case_status_history_case ON case_status_history(case_id, seq);

CREATE TABLE audit_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    at TEXT NOT NULL,
    actor_id TEXT,
    actor_role TEXT,
    source TEXT,
    action TEXT NOT NULL,
    object_type TEXT,
    object_id TEXT,
    outcome TEXT NOT NULL,
    reason TEXT,
    -- SHA-256 of the previous event's hash and this event's fields: a chain
    -- that `bridgeway audit verify` recomputes.
    hash TEXT NOT NULL
);
CREATE INDEX audit_events_object ON audit_events(object_type, object_id);
CREATE INDEX audit_events_actor ON audit_events(actor_id, at);
-- The audit trail is append-only: nothing may change or remove an event.
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;


-- Name search by family-name prefix.
CREATE INDEX people_last_lower ON people(lower(last_name));
CREATE INDEX person_aliases_last_lower ON person_aliases(lower(last_name));

-- Agency-visible sequential numbers (person numbers, case numbers).
CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO counters (name, value) VALUES ('person', 0), ('case', 0);
