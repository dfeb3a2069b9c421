//! Staff accounts, log-in sessions and API tokens.

use crate::domain::access::mfa::TotpKey;
use crate::domain::access::users::{Lockout, Role, TokenScope};
use crate::domain::ids::{OfficeId, SessionId, TokenId, UserId};
use crate::keyring::KeyRing;
use crate::store::sealed::TOTP_SECRET;
use crate::store::{exec, fetch};
use crate::store::{Dialect, Tx};
use chrono::{DateTime, Utc};
use std::sync::LazyLock;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: UserId,
    pub username: String,
    pub full_name: String,
    pub role: Role,
    pub password_hash: String,
    pub supervisor_id: Option<UserId>,
    pub court: Option<String>,
    pub office_id: Option<OfficeId>,
    pub active: bool,
    pub last_login_at: Option<DateTime<Utc>>,
    pub failed_logins: i32,
    pub failures_since: Option<DateTime<Utc>>,
    pub last_failure_at: Option<DateTime<Utc>>,
    pub locked_at: Option<DateTime<Utc>>,
    /// Sealed; see [`UserRow::totp_key`].
    pub totp_secret: Option<String>,
    pub totp_confirmed_at: Option<DateTime<Utc>>,
    pub totp_last_step: Option<i64>,
    /// Set by an administrator's reset: nothing else works until the user
    /// chooses a new password.
    pub password_change_required: bool,
    pub created_at: DateTime<Utc>,
    pub version: i64,
}

impl UserRow {
    /// The authenticator secret, opened; `None` before enrolment begins.
    pub fn totp_key(&self, keys: &KeyRing) -> Result<Option<TotpKey>, sqlx::Error> {
        let Some(sealed) = &self.totp_secret else {
            return Ok(None);
        };
        let base32 = TOTP_SECRET.open(keys, self.id, sealed)?;
        TotpKey::from_base32(&base32).map(Some).ok_or_else(|| {
            sqlx::Error::Decode("a stored authenticator secret is not base32".into())
        })
    }

    pub fn lockout(&self) -> Lockout {
        Lockout {
            failures: self.failed_logins,
            since: self.failures_since,
            last_failure: self.last_failure_at,
            locked_at: self.locked_at,
        }
    }
}

const USER_COLUMNS: &str = "id, username, full_name, role, password_hash, supervisor_id, court, \
                            office_id, active, last_login_at, failed_logins, failures_since, \
                            last_failure_at, locked_at, \
                            totp_secret, totp_confirmed_at, totp_last_step, \
                            password_change_required, created_at, version";

/// [`USER_COLUMNS`] of the `users` table named `u` in a join.
static USER_COLUMNS_OF_U: LazyLock<String> = LazyLock::new(|| {
    USER_COLUMNS
        .split(", ")
        .map(|column| format!("u.{column}"))
        .collect::<Vec<_>>()
        .join(", ")
});

/// How many staff accounts there are.
pub async fn count(tx: &mut Tx) -> Result<i64, sqlx::Error> {
    fetch!(
        tx,
        fetch_one,
        sqlx::query_scalar("SELECT COUNT(*) FROM users")
    )
}

pub async fn set_lockout(tx: &mut Tx, id: UserId, l: Lockout) -> Result<(), sqlx::Error> {
    exec!(
        tx,
        sqlx::query(
            "UPDATE users SET failed_logins = $1, failures_since = $2, locked_at = $3, \
             last_failure_at = $4 WHERE id = $5"
        )
        .bind(l.failures)
        .bind(l.since)
        .bind(l.locked_at)
        .bind(l.last_failure)
        .bind(id)
    )?;
    Ok(())
}

/// Records a sign-in attempt under each of `keys` (its address, its
/// username) and returns the most attempts any of them has made since
/// `window_start`; older attempts are forgotten first.
pub async fn count_attempts(
    tx: &mut Tx,
    keys: &[&str],
    at: DateTime<Utc>,
    window_start: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    exec!(
        tx,
        sqlx::query("DELETE FROM login_attempts WHERE at < $1").bind(window_start)
    )?;
    let mut most = 0;
    for key in keys {
        exec!(
            tx,
            sqlx::query("INSERT INTO login_attempts (source, at) VALUES ($1, $2)")
                .bind(key)
                .bind(at)
        )?;
        let made: i64 = fetch!(
            tx,
            fetch_one,
            sqlx::query_scalar("SELECT COUNT(*) FROM login_attempts WHERE source = $1").bind(key)
        )?;
        most = most.max(made);
    }
    Ok(most)
}

pub struct NewUser<'a> {
    pub id: UserId,
    pub username: &'a str,
    pub full_name: &'a str,
    pub role: Role,
    pub password_hash: &'a str,
    pub supervisor_id: Option<UserId>,
    pub court: Option<&'a str>,
    /// The password is a one-time one, to be replaced at the first sign-in.
    pub password_change_required: bool,
    pub now: DateTime<Utc>,
}

pub async fn insert(tx: &mut Tx, u: NewUser<'_>) -> Result<(), sqlx::Error> {
    exec!(
        tx,
        sqlx::query(
            "INSERT INTO users (id, username, full_name, role, password_hash, supervisor_id, \
             court, active, created_at, version, password_change_required) VALUES ($1, $2, $3, $4, \
             $5, $6, $7, TRUE, $8, 1, $9)"
        )
        .bind(u.id)
        .bind(u.username)
        .bind(u.full_name)
        .bind(u.role)
        .bind(u.password_hash)
        .bind(u.supervisor_id)
        .bind(u.court)
        .bind(u.now)
        .bind(u.password_change_required)
    )?;
    Ok(())
}

/// How many cases under way an officer holds.
pub async fn open_cases_of(tx: &mut Tx, officer: UserId) -> Result<i64, sqlx::Error> {
    let sql = format!(
        "SELECT COUNT(*) FROM cases c WHERE c.officer_id = $1 AND {}",
        crate::store::sql::status_in("c", crate::domain::casework::cases::CaseStatus::OPEN)
    );
    fetch!(tx, fetch_one, sqlx::query_scalar(&sql).bind(officer))
}

/// Forgets a user's authenticator and recovery codes: they enrol again at
/// their next sign-in.
pub async fn clear_totp(tx: &mut Tx, id: UserId) -> Result<(), sqlx::Error> {
    exec!(
        tx,
        sqlx::query(
            "UPDATE users SET totp_secret = NULL, totp_confirmed_at = NULL, totp_last_step = \
             NULL, version = version + 1 WHERE id = $1"
        )
        .bind(id)
    )?;
    exec!(
        tx,
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1").bind(id)
    )?;
    Ok(())
}

pub async fn by_username(tx: &mut Tx, username: &str) -> Result<Option<UserRow>, sqlx::Error> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE username = $1");
    fetch!(tx, fetch_optional, sqlx::query_as(&sql).bind(username))
}

pub async fn by_id(tx: &mut Tx, id: UserId) -> Result<Option<UserRow>, sqlx::Error> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
    fetch!(tx, fetch_optional, sqlx::query_as(&sql).bind(id))
}

/// An account read to decide a sign-in attempt, locked until the writing
/// transaction ends: on PostgreSQL concurrent attempts on one account wait
/// for each other, so each counts its failure on the last one's record and
/// sees the code step the last one used (SQLite's one writer already takes
/// them one at a time).
pub async fn by_id_for_attempt(tx: &mut Tx, id: UserId) -> Result<Option<UserRow>, sqlx::Error> {
    let lock = match tx.dialect() {
        Dialect::Postgres => " FOR UPDATE",
        Dialect::Sqlite => "",
    };
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1{lock}");
    fetch!(tx, fetch_optional, sqlx::query_as(&sql).bind(id))
}

/// Every account, by role then name.
pub async fn all(tx: &mut Tx) -> Result<Vec<UserRow>, sqlx::Error> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY role, full_name, id");
    fetch!(tx, fetch_all, sqlx::query_as(&sql))
}

/// Whom a case may be assigned to, from an index whatever the agency's
/// size: `me` and those reporting to `team_of` (a supervisor) that are
/// active officers or supervisors, and `also` (a case's holder) as it is.
pub async fn case_staff(
    tx: &mut Tx,
    me: UserId,
    team_of: Option<UserId>,
    also: Option<UserId>,
) -> Result<Vec<UserRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {USER_COLUMNS} FROM users WHERE ((id = $1 OR supervisor_id = $2) AND active AND \
         role IN ('officer', 'supervisor') OR id = $3) ORDER BY role, full_name, id"
    );
    fetch!(
        tx,
        fetch_all,
        sqlx::query_as(&sql).bind(me).bind(team_of).bind(also)
    )
}

/// The active officers and supervisors whose full name is `name`, in
/// any case (at most a few: a share names one of them).
pub async fn active_staff_named(tx: &mut Tx, name: &str) -> Result<Vec<UserRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {USER_COLUMNS} FROM users WHERE active AND role IN ('officer', 'supervisor') AND \
         LOWER(full_name) = LOWER($1) ORDER BY username LIMIT 10"
    );
    fetch!(tx, fetch_all, sqlx::query_as(&sql).bind(name))
}

/// Officers reporting to `supervisor`.
pub async fn team_of(tx: &mut Tx, supervisor: UserId) -> Result<Vec<UserId>, sqlx::Error> {
    fetch!(
        tx,
        fetch_all,
        sqlx::query_scalar("SELECT id FROM users WHERE supervisor_id = $1").bind(supervisor)
    )
}

pub async fn record_login(tx: &mut Tx, id: UserId, at: DateTime<Utc>) -> Result<(), sqlx::Error> {
    exec!(
        tx,
        sqlx::query("UPDATE users SET last_login_at = $1 WHERE id = $2")
            .bind(at)
            .bind(id)
    )?;
    Ok(())
}

/// A session with its user, read in one statement.
#[derive(sqlx::FromRow)]
pub struct SessionRow {
    #[sqlx(rename = "session_id")]
    pub id: SessionId,
    #[sqlx(flatten)]
    pub user: UserRow,
    /// Has the second factor been given?
    pub mfa_done: bool,
    /// When the user last gave password and code.
    pub authenticated_at: Option<DateTime<Utc>>,
    pub last_seen_at: DateTime<Utc>,
    #[sqlx(rename = "session_created_at")]
    pub created_at: DateTime<Utc>,
}

pub async fn insert_session(
    tx: &mut Tx,
    id: SessionId,
    token_hash: &str,
    user: UserId,
    now: DateTime<Utc>,
    source: Option<&str>,
    device: Option<&str>,
) -> Result<(), sqlx::Error> {
    exec!(
        tx,
        sqlx::query(
            "INSERT INTO sessions (id, token_hash, user_id, created_at, last_seen_at, source, \
             device) VALUES ($1, $2, $3, $4, $4, $5, $6)"
        )
        .bind(id)
        .bind(token_hash)
        .bind(user)
        .bind(now)
        .bind(source)
        .bind(device)
    )?;
    Ok(())
}

pub async fn session_by_token(
    tx: &mut Tx,
    token_hash: &str,
) -> Result<Option<SessionRow>, sqlx::Error> {
    let sql = format!(
        "SELECT s.id AS session_id, s.mfa_done, s.authenticated_at, s.last_seen_at, \
         s.created_at AS session_created_at, {} FROM sessions s JOIN users u ON u.id = \
         s.user_id WHERE s.token_hash = $1",
        *USER_COLUMNS_OF_U
    );
    fetch!(tx, fetch_optional, sqlx::query_as(&sql).bind(token_hash))
}

pub async fn touch_session(
    tx: &mut Tx,
    id: SessionId,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    exec!(
        tx,
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
            .bind(now)
            .bind(id)
    )?;
    Ok(())
}

pub async fn delete_session(tx: &mut Tx, id: SessionId) -> Result<(), sqlx::Error> {
    exec!(
        tx,
        sqlx::query("DELETE FROM sessions WHERE id = $1").bind(id)
    )?;
    Ok(())
}

/// A new API token, as stored (its hash only).
pub struct NewToken<'a> {
    pub id: TokenId,
    pub user: UserId,
    pub name: &'a str,
    pub token_hash: &'a str,
    pub scope: TokenScope,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

pub async fn insert_token(tx: &mut Tx, t: NewToken<'_>) -> Result<(), sqlx::Error> {
    exec!(
        tx,
        sqlx::query(
            "INSERT INTO api_tokens (id, user_id, name, token_hash, scope, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)"
        )
        .bind(t.id)
        .bind(t.user)
        .bind(t.name)
        .bind(t.token_hash)
        .bind(t.scope)
        .bind(t.created_at)
        .bind(t.expires_at)
    )?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct TokenOwner {
    #[sqlx(flatten)]
    user: UserRow,
    scope: TokenScope,
}

/// The owner and scope of a live token: not revoked, not expired at `now`.
pub async fn token_owner(
    tx: &mut Tx,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<(UserRow, TokenScope)>, sqlx::Error> {
    let sql = format!(
        "SELECT t.scope, {} FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE \
         t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > $2",
        *USER_COLUMNS_OF_U
    );
    let owner: Option<TokenOwner> = fetch!(
        tx,
        fetch_optional,
        sqlx::query_as(&sql).bind(token_hash).bind(now)
    )?;
    Ok(owner.map(|o| (o.user, o.scope)))
}

/// A token as its owner sees it (never the token itself).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenInfo {
    pub id: TokenId,
    pub name: String,
    pub scope: TokenScope,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

pub async fn tokens_of(tx: &mut Tx, user: UserId) -> Result<Vec<TokenInfo>, sqlx::Error> {
    fetch!(
        tx,
        fetch_all,
        sqlx::query_as(
            "SELECT id, name, scope, created_at, expires_at, revoked_at FROM api_tokens WHERE \
             user_id = $1 ORDER BY created_at DESC, id DESC"
        )
        .bind(user)
    )
}

/// Revokes one of `user`'s live tokens; false if they have no such token.
pub async fn revoke_token(
    tx: &mut Tx,
    user: UserId,
    id: TokenId,
    at: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let n = exec!(
        tx,
        sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at \
             IS NULL"
        )
        .bind(at)
        .bind(id)
        .bind(user)
    )?;
    Ok(n == 1)
}

/// Marks a session as having passed the second factor at `at`, under a new
/// token: the one the browser held before the second step no longer works.
pub async fn complete_mfa(
    tx: &mut Tx,
    session: SessionId,
    at: DateTime<Utc>,
    new_token_hash: &str,
) -> Result<(), sqlx::Error> {
    exec!(
        tx,
        sqlx::query(
            "UPDATE sessions SET mfa_done = TRUE, authenticated_at = $1, token_hash = $2 \
             WHERE id = $3"
        )
        .bind(at)
        .bind(new_token_hash)
        .bind(session)
    )?;
    Ok(())
}

/// Records that the session's user gave password and code again (a
/// privileged action's confirmation).
pub async fn reconfirm_session(
    tx: &mut Tx,
    session: SessionId,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    exec!(
        tx,
        sqlx::query("UPDATE sessions SET authenticated_at = $1 WHERE id = $2")
            .bind(at)
            .bind(session)
    )?;
    Ok(())
}

/// Stores a TOTP secret; `confirmed_at` is set once the user has proved they hold it.
/// The secret is stored sealed.
pub async fn set_totp(
    tx: &mut Tx,
    keys: &KeyRing,
    user: UserId,
    secret: &TotpKey,
    confirmed_at: Option<DateTime<Utc>>,
) -> Result<(), sqlx::Error> {
    let sealed = TOTP_SECRET.seal(keys, user, &secret.base32());
    exec!(
        tx,
        sqlx::query(
            "UPDATE users SET totp_secret = $1, totp_confirmed_at = $2, totp_last_step = NULL \
             WHERE id = $3"
        )
        .bind(sealed)
        .bind(confirmed_at)
        .bind(user)
    )?;
    Ok(())
}

pub async fn confirm_totp(tx: &mut Tx, user: UserId, at: DateTime<Utc>) -> Result<(), sqlx::Error> {
    exec!(
        tx,
        sqlx::query("UPDATE users SET totp_confirmed_at = $1 WHERE id = $2")
            .bind(at)
            .bind(user)
    )?;
    Ok(())
}

/// Claims the time step of an accepted code, so it is never accepted again:
/// one compare-and-set, false when this step (or a later one) was already
/// used.
pub async fn claim_totp_step(tx: &mut Tx, user: UserId, step: i64) -> Result<bool, sqlx::Error> {
    let done = exec!(
        tx,
        sqlx::query(
            "UPDATE users SET totp_last_step = $1 WHERE id = $2 AND (totp_last_step IS NULL OR \
             totp_last_step < $1)"
        )
        .bind(step)
        .bind(user)
    )?;
    Ok(done == 1)
}

/// Replaces a user's recovery codes with new ones (given as hashes).
pub async fn replace_recovery_codes(
    tx: &mut Tx,
    user: UserId,
    hashes: &[String],
) -> Result<(), sqlx::Error> {
    exec!(
        tx,
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1").bind(user)
    )?;
    for hash in hashes {
        exec!(
            tx,
            sqlx::query("INSERT INTO recovery_codes (id, user_id, code_hash) VALUES ($1, $2, $3)")
                .bind(crate::domain::ids::RowId::new())
                .bind(user)
                .bind(hash)
        )?;
    }
    Ok(())
}

/// Uses up a recovery code; false if it is not one of the user's unused codes.
pub async fn use_recovery_code(
    tx: &mut Tx,
    user: UserId,
    hash: &str,
    at: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let n = exec!(
        tx,
        sqlx::query(
            "UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND \
             used_at IS NULL"
        )
        .bind(at)
        .bind(user)
        .bind(hash)
    )?;
    Ok(n == 1)
}

/// A session as its owner sees it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionInfo {
    pub id: SessionId,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub source: Option<String>,
    /// As a person names it ("Firefox on Windows"), where the browser said.
    pub device: Option<String>,
    pub mfa_done: bool,
}

/// A user's sessions, most recently used first.
pub async fn sessions_of(tx: &mut Tx, user: UserId) -> Result<Vec<SessionInfo>, sqlx::Error> {
    fetch!(
        tx,
        fetch_all,
        sqlx::query_as(
            "SELECT id, created_at, last_seen_at, source, device, mfa_done FROM sessions WHERE \
             user_id = $1 ORDER BY last_seen_at DESC, id DESC"
        )
        .bind(user)
    )
}

/// Ends one of `user`'s sessions; false if they have no such session.
pub async fn delete_session_of(
    tx: &mut Tx,
    user: UserId,
    id: SessionId,
) -> Result<bool, sqlx::Error> {
    Ok(exec!(
        tx,
        sqlx::query("DELETE FROM sessions WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user)
    )? == 1)
}

pub async fn set_active(tx: &mut Tx, id: UserId, active: bool) -> Result<(), sqlx::Error> {
    exec!(
        tx,
        sqlx::query("UPDATE users SET active = $1 WHERE id = $2")
            .bind(active)
            .bind(id)
    )?;
    Ok(())
}

/// Replaces a password hash; `change_required` forces a change at next use.
pub async fn set_password(
    tx: &mut Tx,
    id: UserId,
    hash: &str,
    change_required: bool,
) -> Result<(), sqlx::Error> {
    exec!(
        tx,
        sqlx::query(
            "UPDATE users SET password_hash = $1, password_change_required = $2, version = version \
             + 1 WHERE id = $3"
        )
        .bind(hash)
        .bind(change_required)
        .bind(id)
    )?;
    Ok(())
}

/// Ends every session of a user except `keep`; returns how many ended.
pub async fn delete_sessions_of(
    tx: &mut Tx,
    user: UserId,
    keep: Option<SessionId>,
) -> Result<u64, sqlx::Error> {
    exec!(
        tx,
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND ($2 IS NULL OR id <> $2)")
            .bind(user)
            .bind(keep)
    )
}

/// Places an account in an office, or in none.
pub async fn set_office(
    tx: &mut Tx,
    id: UserId,
    office: Option<OfficeId>,
) -> Result<(), sqlx::Error> {
    exec!(
        tx,
        sqlx::query("UPDATE users SET office_id = $1, version = version + 1 WHERE id = $2")
            .bind(office)
            .bind(id)
    )?;
    Ok(())
}

/// Gives an account another role (and the supervisor or court it implies).
pub async fn set_role(
    tx: &mut Tx,
    id: UserId,
    role: Role,
    supervisor: Option<UserId>,
    court: Option<&str>,
) -> Result<(), sqlx::Error> {
    exec!(
        tx,
        sqlx::query(
            "UPDATE users SET role = $1, supervisor_id = $2, court = $3, version = version + 1 \
             WHERE id = $4"
        )
        .bind(role)
        .bind(supervisor)
        .bind(court)
        .bind(id)
    )?;
    Ok(())
}
