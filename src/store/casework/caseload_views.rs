//! Caseload views staff save: a name and the caseload's query string, each
//! person's own.

use crate::domain::ids::UserId;
use crate::store::Tx;
use crate::store::{exec, fetch};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SavedView {
    pub name: String,
    /// The caseload's query string, without a page.
    pub query: String,
}

/// A person's saved views, by name.
pub async fn of_user(tx: &mut Tx, user: UserId) -> Result<Vec<SavedView>, sqlx::Error> {
    fetch!(
        tx,
        fetch_all,
        sqlx::query_as(
            "SELECT name, query FROM caseload_views WHERE user_id = $1 ORDER BY lower(name), name"
        )
        .bind(user)
    )
}

/// Saves a view under `name`, replacing the one of that name.
pub async fn save(
    tx: &mut Tx,
    user: UserId,
    view: &SavedView,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    exec!(
        tx,
        sqlx::query(
            "INSERT INTO caseload_views (user_id, name, query, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (user_id, name) DO UPDATE SET query = excluded.query, created_at = \
             excluded.created_at"
        )
        .bind(user)
        .bind(&view.name)
        .bind(&view.query)
        .bind(now)
    )?;
    Ok(())
}

/// Deletes a view; false when the person has none of that name.
pub async fn delete(tx: &mut Tx, user: UserId, name: &str) -> Result<bool, sqlx::Error> {
    let deleted = exec!(
        tx,
        sqlx::query("DELETE FROM caseload_views WHERE user_id = $1 AND name = $2")
            .bind(user)
            .bind(name)
    )?;
    Ok(deleted == 1)
}
