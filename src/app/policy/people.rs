//! Participants' records and intake: case staff search and take in
//! referrals; a person's record follows the cases one may see.

use super::casework::{change_case, view_case};
use super::{allow, is_case_staff};
use crate::app::{Actor, AppError};
use crate::store::casework::cases::CaseRow;

/// Search the agency's people and open intake.
pub fn search_people(actor: &Actor) -> Result<(), AppError> {
    allow(is_case_staff(actor), "search participants")
}

pub fn intake(actor: &Actor) -> Result<(), AppError> {
    allow(is_case_staff(actor), "take in referrals")
}

/// Read a person's record: whoever may see one of their cases.
pub fn view_person(actor: &Actor, cases: &[CaseRow]) -> Result<(), AppError> {
    allow(
        cases.iter().any(|c| view_case(actor, c).is_ok()),
        "view this participant",
    )
}

/// Change a person's details: whoever may change one of their cases.
pub fn change_person(actor: &Actor, cases: &[CaseRow]) -> Result<(), AppError> {
    allow(
        cases.iter().any(|c| change_case(actor, c).is_ok()),
        "change this participant",
    )
}

#[cfg(test)]
mod tests {
    use super::super::casework::{assign_case, caseload_scope};
    use super::super::fixtures::{actor, case};
    use super::*;
    use crate::domain::access::users::Role;
    use crate::store::casework::cases::Scope;

    #[test]
    fn roles_without_case_work_are_refused_everything() {
        for role in [Role::Admin, Role::Provider, Role::Auditor] {
            let a = actor(role);
            let c = case(None, None);
            assert!(search_people(&a).is_err());
            assert!(intake(&a).is_err());
            assert!(view_case(&a, &c).is_err());
            assert!(view_person(&a, std::slice::from_ref(&c)).is_err());
            assert!(change_case(&a, &c).is_err());
            assert!(change_person(&a, &[]).is_err());
            assert!(assign_case(&a, None).is_err());
            assert_eq!(caseload_scope(&a), Scope::Nothing);
        }
    }
}
