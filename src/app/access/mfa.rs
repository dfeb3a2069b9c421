//! The second sign-in step: enrolment of an authenticator (TOTP) with a QR
//! code, codes at every sign-in (each accepted once), and recovery codes.

use crate::app::access::auth::{live_session, random_chars, random_token, token_hash, Secret};
use crate::app::audit::{self, Origin};
use crate::app::{App, AppError, AppResult};
use crate::domain::access::mfa::{
    looks_like_recovery_code, normalize_recovery_code, CodeError, TotpKey,
};
use crate::domain::access::users::Lockout;
use crate::domain::audit::Action;
use crate::store::access::users::{self, SessionRow};
use crate::store::audit::Outcome;
use crate::store::Tx;
use base64::Engine;
use rand::RngCore;

/// How many recovery codes a user gets.
pub const RECOVERY_CODES: usize = 10;

/// What the second step asks of the user.
pub enum Step {
    /// Prove you hold the authenticator enrolled earlier. On a demo
    /// database, a user enrolled with the demo's shared key is shown its
    /// current code; anyone else (a user created on the demo database) is
    /// not, since it would be refused and counted against them.
    Code { demo_code: Option<String> },
    /// Enrol an authenticator: scan this, then enter its code.
    Enrol {
        secret: String,
        qr_svg_data_url: String,
    },
}

pub fn new_key() -> TotpKey {
    let mut bytes = [0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    TotpKey::from_bytes(bytes)
}

fn qr_data_url(url: &str) -> AppResult<String> {
    let code = qrcode::QrCode::new(url.as_bytes())
        .map_err(|e| anyhow::anyhow!("making the QR code: {e}"))?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(220, 220)
        .build();
    Ok(format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(svg)
    ))
}

/// A live session still waiting for its second step.
async fn pending(app: &App, token: &str, source: Option<&str>) -> AppResult<SessionRow> {
    let session = live_session(app, token, source).await?;
    if session.mfa_done {
        return Err(AppError::Conflict(
            "this session has already passed the second step".into(),
        ));
    }
    Ok(session)
}

/// What the second step page shows; an unenrolled user gets a new secret to scan.
pub async fn step(app: &App, token: &str, source: Option<&str>) -> AppResult<Step> {
    let user = pending(app, token, source).await?.user;
    let enrolled = user.totp_key(&app.keys)?;
    if user.totp_confirmed_at.is_some() {
        let demo = app
            .demo_totp
            .as_ref()
            .filter(|k| enrolled.as_ref() == Some(*k));
        return Ok(Step::Code {
            demo_code: demo.and(app.demo_code()),
        });
    }
    let key = match enrolled {
        Some(k) => k,
        None => {
            let k = new_key();
            let mut tx = app.db.write().await?;
            users::set_totp(&mut tx, &app.keys, user.id, &k, None).await?;
            tx.commit().await?;
            k
        }
    };
    Ok(Step::Enrol {
        secret: key.base32(),
        qr_svg_data_url: qr_data_url(&key.provisioning_url(&user.username))?,
    })
}

/// What a successful second step gives: the session's new token (it
/// replaces the one given with the password, so a token seen before the
/// second step opens nothing), and recovery codes, on first enrolment only.
pub struct Passed {
    pub session: Secret,
    pub recovery_codes: Option<Vec<String>>,
}

fn recovery_code() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    format!(
        "{}-{}",
        random_chars(ALPHABET, 5),
        random_chars(ALPHABET, 5)
    )
}

/// A new set of recovery codes, and the hashes kept of them.
fn recovery_codes() -> (Vec<String>, Vec<String>) {
    let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| recovery_code()).collect();
    let hashes = codes
        .iter()
        .map(|c| token_hash(&normalize_recovery_code(c)))
        .collect();
    (codes, hashes)
}

/// New recovery codes for the signed-in user, replacing all they had (used
/// or not); shown once. Asks a fresh sign-in, as other changes to how one
/// signs in do.
pub async fn new_recovery_codes(app: &App, actor: &crate::app::Actor) -> AppResult<Vec<String>> {
    crate::app::policy::privileged(actor, "make new recovery codes", app.now())?;
    let (codes, hashes) = recovery_codes();
    let mut tx = app.db.write().await?;
    users::replace_recovery_codes(&mut tx, actor.id, &hashes).await?;
    audit::record(&mut tx, actor, Action::AuthRecoveryCodes);
    tx.commit().await?;
    Ok(codes)
}

/// Resets `username`'s authenticator (a lost or replaced phone): the secret
/// and recovery codes are forgotten and the sessions end, so the next
/// sign-in enrols a new one. A privileged action, never on one's own.
pub async fn reset_authenticator(
    app: &App,
    actor: &crate::app::Actor,
    username: &str,
) -> AppResult<()> {
    crate::app::policy::access::manage_users(actor)?;
    crate::app::policy::privileged(actor, "reset an authenticator", app.now())?;
    let mut tx = app.db.write().await?;
    let user = users::by_username(&mut tx, &username.trim().to_lowercase())
        .await?
        .ok_or(AppError::NotFound("user"))?;
    if user.id == actor.id {
        return Err(AppError::Forbidden("reset your own authenticator"));
    }
    users::clear_totp(&mut tx, user.id).await?;
    users::delete_sessions_of(&mut tx, user.id, None).await?;
    audit::record(&mut tx, actor, Action::AuthMfaReset.on(user.id));
    tx.commit().await?;
    Ok(())
}

/// Checks an authenticator code (or a recovery code) for the session's user.
/// Failures count toward the account lockout; a replayed code is refused and logged.
pub async fn submit(app: &App, token: &str, code: &str, source: Option<&str>) -> AppResult<Passed> {
    let at = app.now();
    let session = pending(app, token, source).await?;
    let mut tx = app.db.write().await?;
    // Re-read in the writing transaction: a concurrent attempt may have changed the lockout or the
    // last step.
    let user = users::by_id_for_attempt(&mut tx, session.user.id)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let actor = Some((user.id, user.role));
    let by = Origin {
        user: actor,
        source,
    };
    let auto_unlock = app
        .settings
        .lockout_auto_unlock_minutes
        .map(chrono::Duration::minutes);
    if user.lockout().is_locked(at, auto_unlock) {
        users::delete_session(&mut tx, session.id).await?;
        audit::write(
            &mut tx,
            by,
            Outcome::Failure,
            Action::AuthMfa.because("account locked"),
        );
        tx.commit().await?;
        return Err(AppError::Unauthenticated);
    }
    if let Some(until) = user.lockout().wait_until(at) {
        return too_soon(tx, by, Action::AuthMfa, until - at).await;
    }
    let key = user.totp_key(&app.keys)?.ok_or(AppError::Conflict(
        "no authenticator is enrolled; reload the page".into(),
    ))?;
    let result = if looks_like_recovery_code(code) && user.totp_confirmed_at.is_some() {
        let used = users::use_recovery_code(
            &mut tx,
            user.id,
            &token_hash(&normalize_recovery_code(code)),
            at,
        )
        .await?;
        if used {
            Ok(None)
        } else {
            Err(CodeError::Wrong)
        }
    } else {
        accept_code(&mut tx, &key, code, at, &user).await?.map(Some)
    };
    match result {
        Ok(step) => {
            let recovery_codes = if user.totp_confirmed_at.is_none() {
                users::confirm_totp(&mut tx, user.id, at).await?;
                let (codes, hashes) = recovery_codes();
                users::replace_recovery_codes(&mut tx, user.id, &hashes).await?;
                audit::write(&mut tx, by, Outcome::Success, Action::AuthMfaEnrolled);
                Some(codes)
            } else {
                None
            };
            let token = random_token();
            users::complete_mfa(&mut tx, session.id, at, &token_hash(&token)).await?;
            users::set_lockout(&mut tx, user.id, Lockout::default()).await?;
            let how = if step.is_some() {
                "authenticator code"
            } else {
                "recovery code"
            };
            audit::write(&mut tx, by, Outcome::Success, Action::AuthMfa.because(how));
            tx.commit().await?;
            Ok(Passed {
                session: Secret::new(token),
                recovery_codes,
            })
        }
        Err(e) => {
            let why = match e {
                CodeError::Wrong => "wrong code",
                CodeError::Replayed => "code already used (replay)",
            };
            audit::write(&mut tx, by, Outcome::Failure, Action::AuthMfa.because(why));
            let after = user.lockout().after_failure(at);
            users::set_lockout(&mut tx, user.id, after).await?;
            if after.locked_at.is_some() {
                users::delete_session(&mut tx, session.id).await?;
                audit::write(
                    &mut tx,
                    by,
                    Outcome::Success,
                    Action::AuthLockout.because("5 failed sign-ins within 15 minutes"),
                );
            }
            tx.commit().await?;
            Err(crate::domain::validation::Invalid::one(
                "code",
                match e {
                    CodeError::Wrong => {
                        "that code is not right; enter the 6-digit code your authenticator shows \
                         now"
                    }
                    CodeError::Replayed => "this code was just used; wait for the next one",
                },
            )
            .into())
        }
    }
}

/// Refuses an attempt made inside the wait after a failure, saying how long
/// is left; it is audited but not counted as a failure.
async fn too_soon<T>(
    mut tx: Tx,
    by: Origin<'_>,
    action: Action,
    left: chrono::Duration,
) -> AppResult<T> {
    audit::write(
        &mut tx,
        by,
        Outcome::Failure,
        action.because(crate::app::access::auth::TOO_SOON),
    );
    tx.commit().await?;
    let wait = match (left.num_milliseconds() + 999) / 1_000 {
        1 => "a second".to_owned(),
        n => format!("{n} seconds"),
    };
    Err(crate::domain::validation::Invalid::one(
        "code",
        format!("after a failed attempt, wait {wait} before trying again"),
    )
    .into())
}

/// Checks `code` against `user`'s authenticator and claims its time step in
/// the same compare-and-set, so that of two attempts with one code only one
/// is accepted.
async fn accept_code(
    tx: &mut Tx,
    key: &TotpKey,
    code: &str,
    at: chrono::DateTime<chrono::Utc>,
    user: &users::UserRow,
) -> AppResult<Result<i64, CodeError>> {
    Ok(
        match key.verify(code, at.timestamp().max(0) as u64, user.totp_last_step) {
            Ok(step) if users::claim_totp_step(tx, user.id, step).await? => Ok(step),
            Ok(_) => Err(CodeError::Replayed),
            Err(e) => Err(e),
        },
    )
}

/// Enrols `username` with a known secret at once (the demo database, tests).
pub async fn enrol_with(
    tx: &mut Tx,
    keys: &crate::keyring::KeyRing,
    user: crate::domain::ids::UserId,
    key: &TotpKey,
) -> Result<(), sqlx::Error> {
    users::set_totp(tx, keys, user, key, Some(tx.now())).await
}

/// Confirms, for a privileged action, that the person at the keyboard is the
/// signed-in user: password and a new authenticator code. Failures count
/// toward the lockout.
pub async fn reauthenticate(
    app: &App,
    actor: &crate::app::Actor,
    session: crate::domain::ids::SessionId,
    password: crate::app::access::auth::Secret,
    code: &str,
) -> AppResult<()> {
    let at = app.now();
    let mut tx = app.db.read().await?;
    let hash = users::by_id(&mut tx, actor.id)
        .await?
        .ok_or(AppError::Unauthenticated)?
        .password_hash;
    drop(tx);
    let password_ok = crate::app::access::auth::verify_password(password, hash).await;
    let mut tx = app.db.write().await?;
    // Read again in the writing transaction: a concurrent attempt may have
    // used the code or counted a failure meanwhile.
    let user = users::by_id_for_attempt(&mut tx, actor.id)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let who = Some((user.id, user.role));
    let by_who = Origin {
        user: who,
        source: actor.source.as_deref(),
    };
    if let Some(until) = user.lockout().wait_until(at) {
        return too_soon(tx, by_who, Action::AuthReauthenticate, until - at).await;
    }
    let code_result = match user.totp_key(&app.keys)? {
        Some(key) if password_ok => accept_code(&mut tx, &key, code, at, &user).await?,
        _ => Err(CodeError::Wrong),
    };
    match code_result {
        Ok(_) => {
            users::reconfirm_session(&mut tx, session, at).await?;
            audit::write(
                &mut tx,
                by_who,
                Outcome::Success,
                Action::AuthReauthenticate,
            );
            tx.commit().await?;
            Ok(())
        }
        Err(e) => {
            let why = if password_ok && e == CodeError::Replayed {
                "code already used (replay)"
            } else {
                "wrong password or code"
            };
            audit::write(
                &mut tx,
                by_who,
                Outcome::Failure,
                Action::AuthReauthenticate.because(why),
            );
            let after = user.lockout().after_failure(at);
            users::set_lockout(&mut tx, user.id, after).await?;
            tx.commit().await?;
            Err(crate::domain::validation::Invalid::one(
                "code",
                "the password or the code is not right (a code is accepted once; wait for the \
                 next)",
            )
            .into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes_look_like_recovery_codes() {
        let a = recovery_code();
        assert!(looks_like_recovery_code(&a), "{a}");
        assert_ne!(a, recovery_code());
    }
}
