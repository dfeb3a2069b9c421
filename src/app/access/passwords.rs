//! Changing a password: by its owner, or reset by an administrator (who
//! hands over a one-time password the owner must replace at once).

use crate::app::access::auth::random_chars;
use crate::app::access::auth::{hash_password, verify_password, Secret};
use crate::app::{audit, policy, Actor, App, AppError, AppResult};
use crate::domain::access::users::{check_password, Username};
use crate::domain::audit::Action;
use crate::domain::ids::SessionId;
use crate::domain::validation::Invalid;
use crate::store::access::users;

/// The signed-in user replaces their password. The current one must be
/// given (a wrong one counts toward the lockout); the user's other sessions
/// end.
pub async fn change(
    app: &App,
    actor: &Actor,
    session: SessionId,
    current: Secret,
    new: Secret,
) -> AppResult<()> {
    if actor.scope.is_some() {
        return Err(AppError::Forbidden("change a password with an API token"));
    }
    let username = Username::parse(&actor.username).map_err(|e| Invalid::one("username", e))?;
    check_password(new.expose(), &username).map_err(|e| Invalid::one("new_password", e))?;
    if new.expose() == current.expose() {
        return Err(Invalid::one("new_password", "must differ from the current password").into());
    }
    let mut tx = app.db.read().await?;
    let user = users::by_id(&mut tx, actor.id)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    drop(tx);
    let at = app.now();
    if !verify_password(current, user.password_hash.clone()).await {
        let mut tx = app.db.write().await?;
        let user = users::by_id_for_attempt(&mut tx, actor.id)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        users::set_lockout(&mut tx, user.id, user.lockout().after_failure(at)).await?;
        audit::record_failure(
            &mut tx,
            actor,
            Action::AuthPasswordChange.because("wrong current password"),
        );
        tx.commit().await?;
        return Err(Invalid::one("current_password", "is not right").into());
    }
    let hash = hash_password(new).await?;
    let mut tx = app.db.write().await?;
    users::set_password(&mut tx, actor.id, &hash, false).await?;
    let ended = users::delete_sessions_of(&mut tx, actor.id, Some(session)).await?;
    let reason = format!("{ended} other sessions ended");
    audit::record(&mut tx, actor, Action::AuthPasswordChange.because(&reason));
    tx.commit().await?;
    Ok(())
}

/// A one-time password an administrator hands over; shown once.
#[derive(Debug)]
pub struct TemporaryPassword {
    pub username: String,
    pub temporary_password: String,
}

/// An administrator resets `username`'s password to a random one-time
/// password: the account's sessions end and, at its next sign-in, it must
/// choose a new password before anything else. A privileged action.
pub async fn reset(app: &App, actor: &Actor, username: &str) -> AppResult<TemporaryPassword> {
    policy::access::manage_users(actor)?;
    policy::privileged(actor, "reset a password", app.now())?;
    let mut tx = app.db.read().await?;
    let user = users::by_username(&mut tx, &username.trim().to_lowercase())
        .await?
        .ok_or(AppError::NotFound("user"))?;
    drop(tx);
    if user.id == actor.id {
        return Err(AppError::Forbidden(
            "reset your own password (change it from your account instead)",
        ));
    }
    let temporary = one_time_password();
    let hash = hash_password(Secret::new(temporary.clone())).await?;
    let mut tx = app.db.write().await?;
    users::set_password(&mut tx, user.id, &hash, true).await?;
    users::delete_sessions_of(&mut tx, user.id, None).await?;
    audit::record(&mut tx, actor, Action::AuthPasswordReset.on(user.id));
    tx.commit().await?;
    Ok(TemporaryPassword {
        username: user.username,
        temporary_password: temporary,
    })
}

/// Twenty characters from an alphabet without look-alikes (I, L, O, 0, 1),
/// in groups of five: about 100 bits.
pub(super) fn one_time_password() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    (0..4)
        .map(|_| random_chars(ALPHABET, 5))
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_time_passwords_are_random_and_acceptable_passwords() {
        let a = one_time_password();
        assert_eq!(a.len(), 23);
        assert_ne!(a, one_time_password());
        let user = Username::parse("jsmith").unwrap();
        assert_eq!(check_password(&a, &user), Ok(()));
    }
}
