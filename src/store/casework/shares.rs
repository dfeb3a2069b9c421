//! Cases shared explicitly with another officer or supervisor.

use crate::domain::ids::{CaseId, UserId};
use crate::store::Tx;
use crate::store::{exec, fetch};
use chrono::{DateTime, Utc};

/// Who a case is shared with, as shown on the case.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Share {
    pub username: String,
    pub full_name: String,
    pub granted_at: DateTime<Utc>,
    pub reason: String,
}

/// Shares `case` with `user`; false if it already was.
pub async fn insert(
    tx: &mut Tx,
    case: CaseId,
    user: UserId,
    by: UserId,
    at: DateTime<Utc>,
    reason: &str,
) -> Result<bool, sqlx::Error> {
    let n = exec!(
        tx,
        sqlx::query(
            "INSERT INTO case_shares (case_id, user_id, granted_by, granted_at, reason) VALUES \
             ($1, $2, $3, $4, $5) ON CONFLICT (case_id, user_id) DO NOTHING"
        )
        .bind(case)
        .bind(user)
        .bind(by)
        .bind(at)
        .bind(reason)
    )?;
    Ok(n == 1)
}

/// Ends a share; false if there was none.
pub async fn delete(tx: &mut Tx, case: CaseId, user: UserId) -> Result<bool, sqlx::Error> {
    let n = exec!(
        tx,
        sqlx::query("DELETE FROM case_shares WHERE case_id = $1 AND user_id = $2")
            .bind(case)
            .bind(user)
    )?;
    Ok(n == 1)
}

pub async fn of_case(tx: &mut Tx, case: CaseId) -> Result<Vec<Share>, sqlx::Error> {
    fetch!(
        tx,
        fetch_all,
        sqlx::query_as(
            "SELECT u.username, u.full_name, s.granted_at, s.reason FROM case_shares s JOIN users \
             u ON u.id = s.user_id WHERE s.case_id = $1 ORDER BY u.username"
        )
        .bind(case)
    )
}

/// The cases shared with `user`.
pub async fn cases_of(tx: &mut Tx, user: UserId) -> Result<Vec<CaseId>, sqlx::Error> {
    fetch!(
        tx,
        fetch_all,
        sqlx::query_scalar("SELECT case_id FROM case_shares WHERE user_id = $1").bind(user)
    )
}
