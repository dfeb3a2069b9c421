//! Signing in: password verification, server-side sessions and API tokens.
//! Secrets are stored only as hashes.

use crate::app::audit::{self, Origin};
use crate::app::{Actor, App, AppError, AppResult};
use crate::domain::access::users::{inactive_too_long, Lockout, Role, TokenDays, TokenScope};
use crate::domain::audit::Action;
use crate::domain::ids::{SessionId, TokenId};
use crate::domain::input::RequiredText;
use crate::store::access::users::{self, UserRow};
use crate::store::audit::Outcome;
use crate::store::Tx;
use anyhow::Context;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use chrono::Duration;
use rand::seq::SliceRandom;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::fmt;
use std::sync::OnceLock;

/// A secret that must not appear in logs: `Debug` prints a placeholder.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// argon2id with OWASP's minimum: 19 MiB, 2 passes, 1 lane.
#[allow(
    clippy::expect_used,
    reason = "constant parameters within argon2's bounds (a unit test hashes with them)"
)]
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("static argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password on a blocking thread.
pub async fn hash_password(password: Secret) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        argon2()
            .hash_password(password.expose().as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))
    })
    .await
    .context("password hashing task")?
}

/// A hash of a random password, checked when the username is unknown so that
/// an unknown user takes as long as a wrong password.
async fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    if let Some(h) = DECOY.get() {
        return h;
    }
    let hash = hash_password(Secret::new(random_token()))
        .await
        .unwrap_or_default();
    DECOY.get_or_init(|| hash)
}

pub(super) async fn verify_password(password: Secret, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|parsed| {
                argon2()
                    .verify_password(password.expose().as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// 256 random bits, hex-encoded.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// `n` characters drawn uniformly from `alphabet` by the operating system's
/// generator, for codes people type.
pub(crate) fn random_chars(alphabet: &[u8], n: usize) -> String {
    let mut rng = rand::rngs::OsRng;
    (0..n)
        .filter_map(|_| alphabet.choose(&mut rng).copied().map(char::from))
        .collect()
}

/// Tokens are looked up by their SHA-256; the token itself is never stored.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub(crate) async fn load_actor(
    tx: &mut Tx,
    user: UserRow,
    source: Option<String>,
) -> Result<Actor, sqlx::Error> {
    let team = if user.role == Role::Supervisor {
        users::team_of(tx, user.id).await?
    } else {
        Vec::new()
    };
    let shared_cases = match user.role {
        Role::Officer | Role::Supervisor => {
            crate::store::casework::shares::cases_of(tx, user.id).await?
        }
        _ => Vec::new(),
    };
    Ok(Actor {
        shared_cases,
        id: user.id,
        username: user.username,
        full_name: user.full_name,
        role: user.role,
        court: user.court,
        team,
        source,
        scope: None,
        authenticated_at: None,
        password_change_required: user.password_change_required,
        submission: None,
    })
}

/// A new session: the cookie value to hand to the browser.
pub struct NewSession {
    pub token: Secret,
}

/// Why an account that has not signed in for too long is refused (and disabled).
const INACTIVE: &str = "no sign-in within the inactivity limit";

/// Why an attempt inside the wait after a failure is refused, uncounted.
pub(super) const TOO_SOON: &str = "too soon after a failed attempt";

/// Sign-in attempts one network address, and one username, may have per minute.
pub const ATTEMPTS_PER_MINUTE: i64 = 10;

/// Checks a username and password; on success starts a session, noting
/// the `device` it came from (as a person names it).
/// An unknown user, a wrong password and a locked account get the same
/// answer after about the same time; five failures in 15 minutes lock the account.
pub async fn log_in(
    app: &App,
    username: &str,
    password: Secret,
    source: Option<String>,
    device: Option<String>,
) -> AppResult<NewSession> {
    let username = username.trim().to_lowercase();
    let at = app.now();
    let mut tx = app.db.write().await?;
    let address = format!("address {}", source.as_deref().unwrap_or("unknown"));
    let keys = [address.as_str(), &format!("username {username}")];
    let attempts = users::count_attempts(&mut tx, &keys, at, at - Duration::minutes(1)).await?;
    tx.commit().await?;
    if attempts > ATTEMPTS_PER_MINUTE {
        return Err(AppError::TooManyAttempts);
    }
    let mut tx = app.db.read().await?;
    let user = users::by_username(&mut tx, &username).await?;
    drop(tx);
    let hash = match &user {
        Some(u) => u.password_hash.clone(),
        None => decoy_hash().await.to_owned(),
    };
    let verified = verify_password(password, hash).await;
    let auto_unlock = app
        .settings
        .lockout_auto_unlock_minutes
        .map(Duration::minutes);
    let mut tx = app.db.write().await?;
    // Re-read: another attempt may have changed the lockout meanwhile.
    let user = match user {
        Some(u) => users::by_id_for_attempt(&mut tx, u.id).await?,
        None => None,
    };
    let refusal = match &user {
        None => "unknown username",
        Some(u) if !u.active => "account disabled",
        Some(u) if u.lockout().is_locked(at, auto_unlock) => "account locked",
        // Not counted, and answered as any refusal (after the same work):
        // a guess sent inside the wait is simply void.
        Some(u) if u.lockout().wait_until(at).is_some() => TOO_SOON,
        Some(_) if !verified => "wrong password",
        Some(u)
            if inactive_too_long(
                u.last_login_at.unwrap_or(u.created_at),
                at,
                app.settings.inactive_account_days,
            ) =>
        {
            INACTIVE
        }
        Some(_) => "",
    };
    match user {
        Some(u) if refusal.is_empty() => {
            let token = random_token();
            users::insert_session(
                &mut tx,
                SessionId::new(),
                &token_hash(&token),
                u.id,
                at,
                source.as_deref(),
                device.as_deref(),
            )
            .await?;
            users::record_login(&mut tx, u.id, at).await?;
            // The failures stay counted until the second factor is given
            // too: a password alone must not give an attacker who has it
            // five more guesses at the code.
            audit::write(
                &mut tx,
                Origin {
                    user: Some((u.id, u.role)),
                    source: source.as_deref(),
                },
                Outcome::Success,
                Action::AuthLogin,
            );
            tx.commit().await?;
            Ok(NewSession {
                token: Secret::new(token),
            })
        }
        user => {
            let by = Origin {
                user: user.as_ref().map(|u| (u.id, u.role)),
                source: source.as_deref(),
            };
            audit::write(
                &mut tx,
                by,
                Outcome::Failure,
                Action::AuthLogin.because(refusal),
            );
            if let Some(u) = user.as_ref().filter(|_| refusal == INACTIVE) {
                users::set_active(&mut tx, u.id, false).await?;
                audit::write(
                    &mut tx,
                    by,
                    Outcome::Success,
                    Action::AuthAccountDisabled.because(INACTIVE),
                );
            }
            if let Some(u) = user.filter(|_| refusal == "wrong password") {
                let after = u.lockout().after_failure(at);
                users::set_lockout(&mut tx, u.id, after).await?;
                if after.locked_at.is_some() {
                    audit::write(
                        &mut tx,
                        by,
                        Outcome::Success,
                        Action::AuthLockout.because("5 failed sign-ins within 15 minutes"),
                    );
                }
            }
            tx.commit().await?;
            Err(AppError::Unauthenticated)
        }
    }
}

/// Unlocks an account locked by failed sign-ins.
/// Restores access: unlocks an account locked by failed sign-ins, and
/// re-enables one disabled for inactivity.
pub async fn unlock(app: &App, by: Option<&Actor>, username: &str) -> AppResult<()> {
    if let Some(actor) = by {
        crate::app::policy::access::manage_users(actor)?;
        crate::app::policy::privileged(actor, "restore access to an account", app.now())?;
    }
    let mut tx = app.db.write().await?;
    let user = users::by_username(&mut tx, &username.trim().to_lowercase())
        .await?
        .ok_or(AppError::NotFound("user"))?;
    users::set_lockout(&mut tx, user.id, Lockout::default()).await?;
    users::set_active(&mut tx, user.id, true).await?;
    // The inactivity clock restarts now; without this the next sign-in would disable it again.
    users::record_login(&mut tx, user.id, app.now()).await?;
    let by = Origin::actor_or_console(by);
    audit::write(
        &mut tx,
        by,
        Outcome::Success,
        Action::AuthUnlock.on(user.id),
    );
    tx.commit().await?;
    Ok(())
}

/// The session a cookie names, if it is still live. It is read without the
/// writer; the writer is taken only to end an expired session (with its audit
/// event) or to refresh `last_seen_at`, at most once a minute.
pub(super) async fn live_session(
    app: &App,
    token: &str,
    source: Option<&str>,
) -> AppResult<users::SessionRow> {
    let mut tx = app.db.read().await?;
    let session = session_in(&mut tx, token).await?;
    drop(tx);
    keep_alive(app, &session, source).await?;
    Ok(session)
}

/// Resolves a session cookie to its user; the second factor must have been
/// given. The session and the user's access are read in one transaction.
pub async fn session_actor(
    app: &App,
    token: &str,
    source: Option<String>,
) -> AppResult<(Actor, SessionId)> {
    let mut tx = app.db.read().await?;
    let session = session_in(&mut tx, token).await?;
    let actor = if session.mfa_done && !expired(app, &session) {
        Some(load_actor(&mut tx, session.user.clone(), source.clone()).await?)
    } else {
        None
    };
    drop(tx);
    keep_alive(app, &session, source.as_deref()).await?;
    let mut actor = actor.ok_or(AppError::SecondFactorRequired)?;
    actor.authenticated_at = session.authenticated_at;
    Ok((actor, session.id))
}

async fn session_in(tx: &mut Tx, token: &str) -> AppResult<users::SessionRow> {
    users::session_by_token(tx, &token_hash(token))
        .await?
        .ok_or(AppError::Unauthenticated)
}

/// Idle too long, open too long, or its user disabled.
fn expired(app: &App, session: &users::SessionRow) -> bool {
    let at = app.now();
    let idle = Duration::minutes(app.settings.session_idle_minutes);
    let max = Duration::hours(app.settings.session_max_hours);
    at - session.last_seen_at > idle || at - session.created_at > max || !session.user.active
}

/// Ends an expired session (refusing the request), or refreshes a live
/// one's `last_seen_at` if a minute has passed.
async fn keep_alive(app: &App, session: &users::SessionRow, source: Option<&str>) -> AppResult<()> {
    if expired(app, session) {
        let mut tx = app.db.write().await?;
        users::delete_session(&mut tx, session.id).await?;
        audit::write(
            &mut tx,
            Origin {
                user: Some((session.user.id, session.user.role)),
                source,
            },
            Outcome::Success,
            Action::AuthSessionExpired,
        );
        tx.commit().await?;
        return Err(AppError::Unauthenticated);
    }
    let at = app.now();
    if at - session.last_seen_at > Duration::minutes(1) {
        let mut tx = app.db.write().await?;
        users::touch_session(&mut tx, session.id, at).await?;
        tx.commit().await?;
    }
    Ok(())
}

pub async fn log_out(app: &App, actor: &Actor, session: SessionId) -> AppResult<()> {
    let mut tx = app.db.write().await?;
    users::delete_session(&mut tx, session).await?;
    crate::app::audit::record(&mut tx, actor, Action::AuthLogout);
    tx.commit().await?;
    Ok(())
}

/// Resolves an API bearer token to its user.
pub async fn token_actor(app: &App, token: &str, source: Option<String>) -> AppResult<Actor> {
    let mut tx = app.db.read().await?;
    match users::token_owner(&mut tx, &token_hash(token), app.now())
        .await?
        .filter(|(u, _)| u.active)
    {
        Some((user, scope)) => {
            let mut actor = load_actor(&mut tx, user, source).await?;
            actor.scope = Some(scope);
            Ok(actor)
        }
        None => {
            drop(tx);
            let by = Origin {
                user: None,
                source: source.as_deref(),
            };
            let why = "unknown, expired or revoked token";
            audit::refusals::count(app, by, Action::AuthToken, why).await?;
            Err(AppError::Unauthenticated)
        }
    }
}

/// What a new API token is for.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    /// What the token is for, e.g. "nightly court report".
    pub name: RequiredText<80>,
    pub scope: TokenScope,
    /// Days until it expires.
    pub expires_in_days: TokenDays,
}

/// A new token: shown once, only its hash is kept.
#[derive(Debug)]
pub struct IssuedToken {
    pub id: TokenId,
    pub token: Secret,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// Creates an API token for `username`, by that user (signed in: `by`) or on
/// the server's command line (`by` is `None`). Only its hash is kept.
pub async fn create_token(
    app: &App,
    by: Option<&Actor>,
    username: &str,
    request: TokenRequest,
) -> AppResult<IssuedToken> {
    let mut errors = crate::domain::validation::Errors::new();
    let name = errors.check("name", request.name.checked());
    let days = errors.check("expires_in_days", request.expires_in_days.checked());
    let (name, days) = errors.finish(|| name.zip(days))?;
    if let Some(actor) = by {
        // Tokens are made by a person at a keyboard, for themselves.
        if actor.scope.is_some() {
            return Err(AppError::Forbidden("create API tokens with an API token"));
        }
        if actor.username != username {
            return Err(AppError::Forbidden("create API tokens for someone else"));
        }
    }
    let mut tx = app.db.write().await?;
    let user = users::by_username(&mut tx, &username.trim().to_lowercase())
        .await?
        .ok_or(AppError::NotFound("user"))?;
    if let Some(why) = request.scope.refused_for(user.role) {
        return Err(crate::domain::validation::Invalid::one("scope", why).into());
    }
    let token = format!("bw_{}", random_token());
    let id = TokenId::new();
    let at = app.now();
    let expires_at = at + Duration::days(days);
    users::insert_token(
        &mut tx,
        users::NewToken {
            id,
            user: user.id,
            name: &name,
            token_hash: &token_hash(&token),
            scope: request.scope,
            created_at: at,
            expires_at,
        },
    )
    .await?;
    // A token made on the command line is filed under its owner.
    let mut origin = Origin::actor_or_console(by);
    origin.user = origin.user.or(Some((user.id, user.role)));
    let event = Action::AuthTokenCreated
        .on(id)
        .because(request.scope.label());
    audit::write(&mut tx, origin, Outcome::Success, event);
    tx.commit().await?;
    Ok(IssuedToken {
        id,
        token: Secret::new(token),
        expires_at,
    })
}

/// The signed-in user's API tokens (never the tokens themselves).
pub async fn my_tokens(app: &App, actor: &Actor) -> AppResult<Vec<users::TokenInfo>> {
    let mut tx = app.db.read().await?;
    Ok(users::tokens_of(&mut tx, actor.id).await?)
}

/// Revokes one of the signed-in user's tokens.
pub async fn revoke_token(app: &App, actor: &Actor, id: TokenId) -> AppResult<()> {
    let mut tx = app.db.write().await?;
    if !users::revoke_token(&mut tx, actor.id, id, app.now()).await? {
        return Err(AppError::NotFound("token"));
    }
    crate::app::audit::record(&mut tx, actor, Action::AuthTokenRevoked.on(id));
    tx.commit().await?;
    Ok(())
}

/// The signed-in user's own sessions.
pub async fn my_sessions(app: &App, actor: &Actor) -> AppResult<Vec<users::SessionInfo>> {
    let mut tx = app.db.read().await?;
    Ok(users::sessions_of(&mut tx, actor.id).await?)
}

/// Ends every session of the signed-in user but `keep` (the one asking):
/// a lost phone, a shared computer left signed in. Returns how many ended.
pub async fn end_other_sessions(app: &App, actor: &Actor, keep: SessionId) -> AppResult<u64> {
    let mut tx = app.db.write().await?;
    let ended = users::delete_sessions_of(&mut tx, actor.id, Some(keep)).await?;
    let event = Action::AuthSessionEnd.because(format!("{ended} other sessions"));
    crate::app::audit::record(&mut tx, actor, event);
    tx.commit().await?;
    Ok(ended)
}

/// Ends one of the signed-in user's own sessions (on another device, say).
pub async fn end_session(app: &App, actor: &Actor, id: SessionId) -> AppResult<()> {
    let mut tx = app.db.write().await?;
    if !users::delete_session_of(&mut tx, actor.id, id).await? {
        return Err(AppError::NotFound("session"));
    }
    crate::app::audit::record(&mut tx, actor, Action::AuthSessionEnd.on(id));
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_do_not_debug_print() {
        assert_eq!(format!("{:?}", Secret::new("hunter2")), "Secret(***)");
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let (a, b) = (random_token(), random_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
    }

    #[tokio::test]
    async fn passwords_verify_only_against_their_hash() {
        let hash = hash_password(Secret::new("correct horse battery"))
            .await
            .unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password(Secret::new("correct horse battery"), hash.clone()).await);
        assert!(!verify_password(Secret::new("wrong horse battery"), hash).await);
        assert!(!verify_password(Secret::new("x"), "not a hash".into()).await);
    }
}
