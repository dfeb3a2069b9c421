//! The audit trail, and who read or changed one record, as the API returns them.

use crate::domain::access::users::Role;
use crate::domain::ids::AuditId;
use crate::store::audit as store_audit;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// One event as an auditor reads it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor_username: Option<String>,
    pub actor_name: Option<String>,
    pub actor_role: Option<String>,
    pub source: Option<String>,
    pub action: String,
    pub object_type: Option<String>,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub object_id: Option<AuditId>,
    /// The record as people name it, e.g. "Case BW-2026-000001", "Staff
    /// account jsmith", "Condition on case BW-2026-000001".
    pub record: Option<String>,
    pub outcome: String,
    pub reason: Option<String>,
}

impl From<store_audit::AuditEntry> for AuditEntry {
    fn from(r: store_audit::AuditEntry) -> Self {
        let record = r.object_type.is_some().then(|| r.record());
        Self {
            record,
            seq: r.seq,
            at: r.at,
            actor_username: r.actor_username,
            actor_name: r.actor_name,
            actor_role: r.actor_role,
            source: r.source,
            action: r.action,
            object_type: r.object_type,
            object_id: r.object_id,
            outcome: r.outcome,
            reason: r.reason,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AccessEvent {
    pub at: DateTime<Utc>,
    pub actor_name: Option<String>,
    pub actor_role: Option<Role>,
    pub action: String,
    pub outcome: String,
    pub reason: Option<String>,
}

impl From<store_audit::EventRow> for AccessEvent {
    fn from(r: store_audit::EventRow) -> Self {
        Self {
            at: r.at,
            actor_name: r.actor_name,
            actor_role: r.actor_role,
            action: r.action,
            outcome: r.outcome,
            reason: r.reason,
        }
    }
}
