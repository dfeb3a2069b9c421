//! The audit trail: append-only; nothing here updates or deletes an event.

use super::Tx;
use crate::domain::ids::{AuditId, UserId};
use crate::domain::users::Role;
use crate::{exec, fetch};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// One audited action. No secrets and no record contents.
#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    pub at: DateTime<Utc>,
    pub actor: Option<(UserId, Role)>,
    pub source: Option<&'a str>,
    pub action: &'a str,
    pub object: Option<(&'a str, Uuid)>,
    pub outcome: Outcome,
    pub reason: Option<&'a str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Failure,
    Denied,
}

impl Outcome {
    fn label(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Failure => "failure",
            Self::Denied => "denied",
        }
    }
}

pub async fn append(tx: &mut Tx, e: NewEvent<'_>) -> Result<(), sqlx::Error> {
    let (object_type, object_id) = e.object.unzip();
    let object_id = object_id.map(AuditId);
    exec!(tx, sqlx::query(
        "INSERT INTO audit_events (id, at, actor_id, actor_role, source, action, object_type, object_id, outcome, reason) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
        .bind(AuditId::new()).bind(e.at).bind(e.actor.map(|a| a.0)).bind(e.actor.map(|a| a.1))
        .bind(e.source).bind(e.action).bind(object_type).bind(object_id).bind(e.outcome.label()).bind(e.reason))?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct EventRow {
    pub at: DateTime<Utc>,
    pub actor_name: Option<String>,
    pub actor_role: Option<Role>,
    pub action: String,
    pub outcome: String,
    pub reason: Option<String>,
}

/// Who viewed or changed one record, newest first.
pub async fn for_object(
    tx: &mut Tx,
    object_type: &str,
    object_id: Uuid,
    limit: i64,
) -> Result<Vec<EventRow>, sqlx::Error> {
    fetch!(
        tx,
        fetch_all,
        sqlx::query_as(
            "SELECT e.at, u.full_name AS actor_name, e.actor_role, e.action, e.outcome, e.reason \
         FROM audit_events e LEFT JOIN users u ON u.id = e.actor_id \
         WHERE e.object_type = $1 AND e.object_id = $2 ORDER BY e.seq DESC LIMIT $3"
        )
        .bind(object_type)
        .bind(AuditId(object_id))
        .bind(limit)
    )
}

/// How many events one action has produced (used by tests and the demo summary).
pub async fn count(tx: &mut Tx, action: &str) -> Result<i64, sqlx::Error> {
    fetch!(
        tx,
        fetch_one,
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = $1").bind(action)
    )
}
