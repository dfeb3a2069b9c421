//! Calendar feed secrets (their hashes).

use crate::domain::ids::UserId;
use crate::store::Tx;
use crate::store::{exec, fetch};
use chrono::{DateTime, Utc};

/// Gives `user` a new feed secret, replacing any old one.
pub async fn replace(
    tx: &mut Tx,
    user: UserId,
    token_hash: &str,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    exec!(
        tx,
        sqlx::query("DELETE FROM calendar_feeds WHERE user_id = $1").bind(user)
    )?;
    exec!(
        tx,
        sqlx::query(
            "INSERT INTO calendar_feeds (user_id, token_hash, created_at) VALUES ($1, $2, $3)"
        )
        .bind(user)
        .bind(token_hash)
        .bind(at)
    )?;
    Ok(())
}

/// Revokes `user`'s feed; false if there was none.
pub async fn revoke(tx: &mut Tx, user: UserId) -> Result<bool, sqlx::Error> {
    let n = exec!(
        tx,
        sqlx::query("DELETE FROM calendar_feeds WHERE user_id = $1").bind(user)
    )?;
    Ok(n == 1)
}

/// Whose feed a secret opens.
pub async fn owner(tx: &mut Tx, token_hash: &str) -> Result<Option<UserId>, sqlx::Error> {
    fetch!(
        tx,
        fetch_optional,
        sqlx::query_scalar("SELECT user_id FROM calendar_feeds WHERE token_hash = $1")
            .bind(token_hash)
    )
}
