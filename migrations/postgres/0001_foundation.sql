-- Foundation: staff, sessions, tokens, people, programs, cases, audit.
-- Ids are UUID; times are TIMESTAMPTZ (UTC); dates are DATE.

CREATE TABLE users (
    id UUID PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    full_name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    supervisor_id UUID REFERENCES users(id),
    court TEXT,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    last_login_at TIMESTAMPTZ,
    -- Lockout: consecutive failed sign-ins since failures_since, and when the account locked.
    failed_logins INTEGER NOT NULL DEFAULT 0,
    failures_since TIMESTAMPTZ,
    locked_at TIMESTAMPTZ,
    -- TOTP (RFC 6238): the shared secret (base32), when enrolment was
    -- confirmed, and the last time step used (a code is never accepted twice).
    totp_secret TEXT,
    totp_confirmed_at TIMESTAMPTZ,
    totp_last_step BIGINT,
    created_at TIMESTAMPTZ NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX users_supervisor ON users(supervisor_id);

CREATE TABLE sessions (
    id UUID PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id UUID NOT NULL REFERENCES users(id),
    created_at TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    source TEXT,
    -- A session is usable only once the second factor has been given.
    mfa_done BOOLEAN NOT NULL DEFAULT FALSE,
    -- When the user last proved who they are (password and code); privileged
    -- actions need this to be recent.
    authenticated_at TIMESTAMPTZ
);

-- Single-use recovery codes for a lost authenticator, stored as SHA-256.
CREATE TABLE recovery_codes (
    id UUID PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users(id),
    code_hash TEXT NOT NULL,
    used_at TIMESTAMPTZ
);
CREATE INDEX recovery_codes_user ON recovery_codes(user_id);
CREATE INDEX sessions_user ON sessions(user_id);

-- Sign-in attempts per network address, for rate limiting across servers.
CREATE TABLE login_attempts (
    source TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_attempts_source ON login_attempts(source, at);

CREATE TABLE api_tokens (
    id UUID PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    -- read, write or admin
    scope TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

CREATE TABLE people (
    id UUID PRIMARY KEY,
    person_number TEXT NOT NULL UNIQUE,
    first_name TEXT NOT NULL,
    middle_name TEXT,
    last_name TEXT NOT NULL,
    date_of_birth DATE NOT NULL,
    phone TEXT,
    email TEXT,
    address TEXT,
    preferred_language TEXT NOT NULL,
    may_text BOOLEAN NOT NULL DEFAULT FALSE,
    may_email BOOLEAN NOT NULL DEFAULT FALSE,
    race TEXT,
    ethnicity TEXT,
    sex TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX people_name ON people(last_name, first_name, id);
CREATE INDEX people_dob ON people(date_of_birth);

CREATE TABLE person_aliases (
    id UUID PRIMARY KEY,
    person_id UUID NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    first_name TEXT NOT NULL,
    middle_name TEXT,
    last_name TEXT NOT NULL
);
CREATE INDEX person_aliases_person ON person_aliases(person_id);
CREATE INDEX person_aliases_name ON person_aliases(last_name);

CREATE TABLE person_identifiers (
    id UUID PRIMARY KEY,
    person_id UUID NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    value TEXT NOT NULL
);
CREATE INDEX person_identifiers_person ON person_identifiers(person_id);
CREATE INDEX person_identifiers_value ON person_identifiers(value);
CREATE UNIQUE INDEX person_identifiers_unique ON person_identifiers(kind, value)
    WHERE kind IN ('state_id', 'fbi_number', 'drivers_license');

CREATE TABLE programs (
    id UUID PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL UNIQUE,
    default_length_days INTEGER NOT NULL,
    supervising_unit TEXT NOT NULL,
    eligibility JSONB NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMPTZ NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE cases (
    id UUID PRIMARY KEY,
    case_number TEXT NOT NULL UNIQUE,
    person_id UUID NOT NULL REFERENCES people(id),
    program_id UUID NOT NULL REFERENCES programs(id),
    status TEXT NOT NULL,
    referral_source TEXT NOT NULL,
    referral_date DATE NOT NULL,
    court TEXT,
    docket_number TEXT,
    judge TEXT,
    prosecutor TEXT,
    prior_convictions INTEGER,
    victim_consent BOOLEAN,
    start_date DATE,
    expected_end_date DATE,
    officer_id UUID REFERENCES users(id),
    screening JSONB,
    screening_override TEXT,
    exit_reason TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX cases_person ON cases(person_id);
CREATE INDEX cases_officer_status ON cases(officer_id, status);
CREATE INDEX cases_program ON cases(program_id);
CREATE INDEX cases_docket ON cases(docket_number);

CREATE TABLE charges (
    id UUID PRIMARY KEY,
    case_id UUID NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    statute_code TEXT NOT NULL,
    description TEXT NOT NULL,
    level TEXT NOT NULL,
    violent BOOLEAN NOT NULL,
    offense_date DATE
);
CREATE INDEX charges_case ON charges(case_id);

CREATE TABLE case_status_history (
    seq BIGSERIAL PRIMARY KEY,
    case_id UUID NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    from_status TEXT,
    to_status TEXT NOT NULL,
    exit_reason TEXT,
    reason TEXT NOT NULL,
    actor_id UUID REFERENCES users(id),
    at TIMESTAMPTZ NOT NULL
);
CREATE INDEX case_status_history_case ON case_status_history(case_id, seq);

CREATE TABLE audit_events (
    seq BIGSERIAL PRIMARY KEY,
    id UUID NOT NULL UNIQUE,
    at TIMESTAMPTZ NOT NULL,
    actor_id UUID,
    actor_role TEXT,
    source TEXT,
    action TEXT NOT NULL,
    object_type TEXT,
    object_id UUID,
    outcome TEXT NOT NULL,
    reason TEXT,
    -- SHA-256 of the previous event's hash and this event's fields: a chain
    -- that `bridgeway audit verify` recomputes.
    hash TEXT NOT NULL
);
CREATE INDEX audit_events_object ON audit_events(object_type, object_id);
CREATE INDEX audit_events_actor ON audit_events(actor_id, at);
-- The audit trail is append-only: nothing may change or remove an event.
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only';
END;
$$;
CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

CREATE INDEX people_last_name_prefix ON people(lower(last_name) text_pattern_ops);

-- Name search by family-name prefix.
CREATE INDEX person_aliases_last_name_prefix ON person_aliases(lower(last_name) text_pattern_ops);

-- Agency-visible sequential numbers (person numbers, case numbers).
CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO counters (name, value) VALUES ('person', 0), ('case', 0);
