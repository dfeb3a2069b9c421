//! Case access: who holds a case, who may see, change or assign it, and
//! which cases a caseload shows.

use super::allow;
use crate::app::{Actor, AppError};
use crate::domain::access::users::Role;
use crate::domain::ids::UserId;
use crate::store::casework::cases::{CaseRow, Scope};

/// Does the actor hold this case: its officer, a supervisor of its officer
/// (or of a case nobody holds yet), or someone it is shared with?
pub(super) fn holds(actor: &Actor, case: &CaseRow) -> bool {
    let shared = actor.shared_cases.contains(&case.id);
    let officer = case.fields.officer_id;
    match actor.role {
        Role::Officer => shared || officer == Some(actor.id),
        Role::Supervisor => {
            shared || officer.is_none_or(|o| o == actor.id || actor.team.contains(&o))
        }
        Role::Admin | Role::Provider | Role::Court | Role::Auditor => false,
    }
}

/// Read one case: whoever holds it, and a court liaison the cases of their
/// court (a summary).
pub fn view_case(actor: &Actor, case: &CaseRow) -> Result<(), AppError> {
    let court_match =
        actor.role == Role::Court && actor.court.is_some() && case.fields.court == actor.court;
    allow(holds(actor, case) || court_match, "view this case")
}

/// Read a case's notes (officers' work product, not a court summary):
/// whoever holds the case.
pub fn read_notes(actor: &Actor, case: &CaseRow) -> Result<(), AppError> {
    allow(holds(actor, case), "read this case's notes")
}

/// Search the notes of the cases one holds: officers and supervisors.
pub fn search_notes(actor: &Actor) -> Result<(), AppError> {
    allow(
        matches!(actor.role, Role::Officer | Role::Supervisor),
        "search case notes",
    )
}

/// Change a case (status, details, sharing): whoever holds it.
pub fn change_case(actor: &Actor, case: &CaseRow) -> Result<(), AppError> {
    allow(holds(actor, case), "change this case")
}

/// Acknowledge and resolve alerts at all: those who hold cases.
pub fn settles_alerts(actor: &Actor) -> bool {
    matches!(actor.role, Role::Officer | Role::Supervisor)
}

/// Acknowledge or resolve an alert on a case the actor holds. A supervisor
/// review (a flagged note) is settled by a supervisor who did not write the
/// note: its author cannot clear the review of their own words.
pub fn settle_alert(actor: &Actor, reviewed_note_author: Option<UserId>) -> Result<(), AppError> {
    let ok = match reviewed_note_author {
        None => true,
        Some(author) => actor.role == Role::Supervisor && actor.id != author,
    };
    allow(
        ok,
        "settle this review: a supervisor other than the note's author does",
    )
}

/// Apply a supervision level more than one step from the one the latest
/// assessment recommends: a supervisor.
pub fn depart_from_recommendation(actor: &Actor) -> Result<(), AppError> {
    allow(
        actor.role == Role::Supervisor,
        "set a level more than one step from the recommended one: a supervisor does",
    )
}

/// Assign a case to an officer: a supervisor within their team; an officer
/// only to themselves (or to nobody, for a supervisor to assign).
pub fn assign_case(actor: &Actor, to: Option<UserId>) -> Result<(), AppError> {
    let ok = match actor.role {
        Role::Supervisor => to.is_none_or(|o| o == actor.id || actor.team.contains(&o)),
        Role::Officer => to.is_none_or(|o| o == actor.id),
        Role::Admin | Role::Provider | Role::Court | Role::Auditor => false,
    };
    allow(ok, "assign cases to that officer")
}

/// Move cases between officers in bulk (someone leaves, loads are
/// rebalanced): supervisors, within their team.
pub fn reassign_cases(actor: &Actor) -> Result<(), AppError> {
    allow(
        actor.role == Role::Supervisor,
        "move cases between officers",
    )
}

/// Whose cases a caseload shows: the cases the actor holds (see `holds`),
/// or a court's.
/// Keep saved views of one's caseload: whoever has a caseload.
pub fn keep_caseload_views(actor: &Actor) -> Result<(), AppError> {
    allow(
        caseload_scope(actor) != Scope::Nothing,
        "keep caseload views",
    )
}

pub fn caseload_scope(actor: &Actor) -> Scope {
    match actor.role {
        Role::Supervisor => Scope::Team(actor.id),
        Role::Officer => Scope::Officer(actor.id),
        Role::Court => actor.court.clone().map_or(Scope::Nothing, Scope::Court),
        Role::Admin | Role::Provider | Role::Auditor => Scope::Nothing,
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{actor, case};
    use super::super::people::view_person;
    use super::*;

    #[test]
    fn officers_hold_their_own_cases_and_those_shared_with_them() {
        let mut me = actor(Role::Officer);
        assert!(change_case(&me, &case(Some(me.id), None)).is_ok());
        assert!(
            view_case(&me, &case(None, None)).is_err(),
            "unassigned: the supervisors'"
        );
        let theirs = case(Some(UserId::new()), None);
        assert!(view_case(&me, &theirs).is_err());
        assert!(view_person(&me, std::slice::from_ref(&theirs)).is_err());
        me.shared_cases.push(theirs.id);
        assert!(view_case(&me, &theirs).is_ok());
        assert!(change_case(&me, &theirs).is_ok());
        assert_eq!(caseload_scope(&me), Scope::Officer(me.id));
    }

    #[test]
    fn supervisors_change_their_teams_cases() {
        let member = UserId::new();
        let mut sup = actor(Role::Supervisor);
        sup.team = vec![member];
        assert!(change_case(&sup, &case(Some(member), None)).is_ok());
        assert!(change_case(&sup, &case(None, None)).is_ok(), "to assign it");
        assert!(view_case(&sup, &case(Some(UserId::new()), None)).is_err());
        assert!(assign_case(&sup, Some(member)).is_ok());
        assert!(assign_case(&sup, Some(UserId::new())).is_err());
    }

    #[test]
    fn court_liaisons_see_only_their_courts_cases_and_change_none() {
        let mut court = actor(Role::Court);
        court.court = Some("Superior Court Dept 3".into());
        assert!(view_case(&court, &case(None, Some("Superior Court Dept 3"))).is_ok());
        assert!(view_case(&court, &case(None, Some("Other"))).is_err());
        assert!(change_case(&court, &case(None, Some("Superior Court Dept 3"))).is_err());
        assert_eq!(
            caseload_scope(&court),
            Scope::Court("Superior Court Dept 3".into())
        );
        let mut no_court = actor(Role::Court);
        no_court.court = None;
        assert!(
            view_case(&no_court, &case(None, None)).is_err(),
            "no court matches no court"
        );
    }
}
