//! Risk and needs assessments: who keeps the instruments, who reads and
//! signs assessments, and who decides a proposed override.

use super::casework::holds;
use super::{administers, allow};
use crate::app::{Actor, AppError};
use crate::domain::access::users::Role;
use crate::domain::ids::UserId;
use crate::store::casework::cases::CaseRow;

/// Loading and retiring instruments: administrators.
pub fn manage_instruments(actor: &Actor) -> Result<(), AppError> {
    allow(administers(actor), "manage assessment instruments")
}

/// Reading which instruments are loaded: staff who assess or supervise,
/// and administrators and auditors.
pub fn read_instruments(actor: &Actor) -> Result<(), AppError> {
    allow(actor.role != Role::Provider, "read assessment instruments")
}

/// Read a case's assessments (answers on substance use and mental health
/// among them): whoever holds the case; not a court's summary view.
pub fn read_assessments(actor: &Actor, case: &CaseRow) -> Result<(), AppError> {
    allow(holds(actor, case), "read this case's assessments")
}

/// Answer and sign a draft assessment: its assessor, who signs it.
pub fn answer_assessment(actor: &Actor, assessor: UserId) -> Result<(), AppError> {
    allow(
        actor.id == assessor,
        "answer or sign this assessment: its assessor does",
    )
}

/// Approve or reject a proposed level: a supervisor who neither made the
/// assessment nor proposed the level.
pub fn decide_override(actor: &Actor, assessor: UserId, proposer: UserId) -> Result<(), AppError> {
    allow(
        actor.role == Role::Supervisor && actor.id != assessor && actor.id != proposer,
        "decide this override: a supervisor other than the assessor and the proposer does",
    )
}

/// Countersign a high-risk case's plan: a supervisor other than its signer.
pub fn countersign_plan(actor: &Actor, signer: Option<UserId>) -> Result<(), AppError> {
    allow(
        actor.role == Role::Supervisor && Some(actor.id) != signer,
        "countersign this plan: a supervisor other than its signer does",
    )
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::actor;
    use super::*;

    #[test]
    fn administrators_keep_instruments_and_staff_read_them() {
        for role in Role::all() {
            let a = actor(*role);
            assert_eq!(manage_instruments(&a).is_ok(), *role == Role::Admin);
            assert_eq!(read_instruments(&a).is_ok(), *role != Role::Provider);
        }
    }

    #[test]
    fn an_override_is_decided_by_another_supervisor() {
        let supervisor = actor(Role::Supervisor);
        let other = UserId::new();
        assert!(decide_override(&supervisor, other, other).is_ok());
        assert!(decide_override(&supervisor, supervisor.id, other).is_err());
        assert!(decide_override(&supervisor, other, supervisor.id).is_err());
        for role in Role::all().iter().filter(|r| **r != Role::Supervisor) {
            assert!(decide_override(&actor(*role), other, other).is_err());
        }
    }

    #[test]
    fn a_plan_is_countersigned_by_another_supervisor() {
        let supervisor = actor(Role::Supervisor);
        assert!(countersign_plan(&supervisor, Some(UserId::new())).is_ok());
        assert!(countersign_plan(&supervisor, Some(supervisor.id)).is_err());
        for role in Role::all().iter().filter(|r| **r != Role::Supervisor) {
            assert!(countersign_plan(&actor(*role), Some(UserId::new())).is_err());
        }
    }
}
