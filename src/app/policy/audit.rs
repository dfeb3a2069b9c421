//! The audit trail.

use super::allow;
use crate::app::{Actor, AppError};
use crate::domain::access::users::Role;

/// Read the audit trail: auditors only (CJIS separation of duties).
pub fn read_audit_trail(actor: &Actor) -> Result<(), AppError> {
    allow(actor.role == Role::Auditor, "read the audit trail")
}
