//! Refused requests counted per minute (`refusal_tallies`), so that a flood
//! of them becomes a count on the audit trail rather than a flood on it
//! (`app::audit::refusals`).

use crate::domain::access::users::Role;
use crate::domain::ids::UserId;
use crate::store::{fetch, Tx};
use chrono::{DateTime, Utc};

/// One refusal to count.
#[derive(Debug, Clone)]
pub struct NewRefusal<'a> {
    /// The minute it fell in.
    pub window_start: DateTime<Utc>,
    pub action: &'a str,
    pub reason: &'a str,
    pub source: Option<&'a str>,
    pub actor: Option<(UserId, Role)>,
    pub at: DateTime<Utc>,
}

impl NewRefusal<'_> {
    /// What makes two refusals the same: minute, action, reason, address, user.
    fn key(&self) -> String {
        let user = self.actor.map(|(id, _)| id.to_string()).unwrap_or_default();
        [
            self.window_start.to_rfc3339().as_str(),
            self.action,
            self.reason,
            self.source.unwrap_or_default(),
            user.as_str(),
        ]
        .join("\u{1f}")
    }
}

/// Counts `refusal` in its minute; returns how many such refusals the
/// minute has held, this one included (1: the first, which is audited on
/// its own).
pub async fn count(tx: &mut Tx, refusal: &NewRefusal<'_>) -> Result<i64, sqlx::Error> {
    fetch!(
        tx,
        fetch_one,
        sqlx::query_scalar(
            "INSERT INTO refusal_tallies (key, window_start, action, reason, source, actor_id, \
             actor_role, first_at, last_at, count) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, 1) \
             ON CONFLICT (key) DO UPDATE SET count = refusal_tallies.count + 1, \
             last_at = excluded.last_at RETURNING count"
        )
        .bind(refusal.key())
        .bind(refusal.window_start)
        .bind(refusal.action)
        .bind(refusal.reason)
        .bind(refusal.source)
        .bind(refusal.actor.map(|(id, _)| id))
        .bind(refusal.actor.map(|(_, role)| role))
        .bind(refusal.at)
    )
}

/// A minute's count of one kind of refusal.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Tally {
    pub action: String,
    pub reason: String,
    pub source: Option<String>,
    pub actor_id: Option<UserId>,
    pub actor_role: Option<Role>,
    pub first_at: DateTime<Utc>,
    pub last_at: DateTime<Utc>,
    pub count: i64,
}

/// Takes the tallies of the minutes before `window_start` out of the table
/// and returns those that counted more than the first refusal, for the
/// caller to audit. One `DELETE … RETURNING`: of two servers folding at
/// once, each row goes to one of them.
pub async fn take_closed(
    tx: &mut Tx,
    window_start: DateTime<Utc>,
) -> Result<Vec<Tally>, sqlx::Error> {
    let mut taken: Vec<Tally> = fetch!(
        tx,
        fetch_all,
        sqlx::query_as(
            "DELETE FROM refusal_tallies WHERE window_start < $1 RETURNING action, reason, \
             source, actor_id, actor_role, first_at, last_at, count"
        )
        .bind(window_start)
    )?;
    taken.retain(|t| t.count > 1);
    taken.sort_by_key(|t| t.first_at);
    Ok(taken)
}
