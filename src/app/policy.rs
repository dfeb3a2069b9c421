//! Who may do what: the one place authorization is decided. Every function
//! fails closed: a role not named is refused.

use super::{Actor, AppError};
use crate::domain::ids::UserId;
use crate::domain::users::{Role, TokenScope};
use crate::store::cases::{CaseRow, Scope};

fn allow(ok: bool, what: &'static str) -> Result<(), AppError> {
    if ok {
        Ok(())
    } else {
        Err(AppError::Forbidden(what))
    }
}

/// Officers and supervisors work cases. Administrators manage users,
/// programs and configuration, not case content.
fn is_case_staff(actor: &Actor) -> bool {
    matches!(actor.role, Role::Supervisor | Role::Officer)
}

/// Does the actor hold this case: its officer, a supervisor of its officer
/// (or of a case nobody holds yet), or someone it is shared with?
fn holds(actor: &Actor, case: &CaseRow) -> bool {
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

/// Search the agency's people and open intake.
pub fn search_people(actor: &Actor) -> Result<(), AppError> {
    allow(is_case_staff(actor), "search participants")
}

pub fn intake(actor: &Actor) -> Result<(), AppError> {
    allow(is_case_staff(actor), "take in referrals")
}

/// Read one case: whoever holds it, and a court liaison the cases of their
/// court (a summary).
pub fn view_case(actor: &Actor, case: &CaseRow) -> Result<(), AppError> {
    let court_match =
        actor.role == Role::Court && actor.court.is_some() && case.fields.court == actor.court;
    allow(holds(actor, case) || court_match, "view this case")
}

/// Read a person's record: whoever may see one of their cases.
pub fn view_person(actor: &Actor, cases: &[CaseRow]) -> Result<(), AppError> {
    allow(
        cases.iter().any(|c| view_case(actor, c).is_ok()),
        "view this participant",
    )
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

/// Change a person's details: whoever may change one of their cases.
pub fn change_person(actor: &Actor, cases: &[CaseRow]) -> Result<(), AppError> {
    allow(
        cases.iter().any(|c| change_case(actor, c).is_ok()),
        "change this participant",
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

/// An administrator, signed in or with an admin-scoped API token.
fn administers(actor: &Actor) -> bool {
    actor.role == Role::Admin && actor.scope.is_none_or(|s| s == TokenScope::Admin)
}

pub fn manage_programs(actor: &Actor) -> Result<(), AppError> {
    allow(administers(actor), "manage programs")
}

pub fn manage_users(actor: &Actor) -> Result<(), AppError> {
    allow(administers(actor), "manage user accounts")
}

/// Minutes within which a privileged action needs a fresh sign-in.
pub const FRESH_MINUTES: i64 = 10;

/// Privileged actions (unlocking accounts, bulk exports) need a person who
/// gave password and code within the last ten minutes; an API token never will.
pub fn privileged(
    actor: &Actor,
    what: &'static str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), AppError> {
    if actor.scope.is_some() {
        return Err(AppError::Forbidden(what));
    }
    match actor.authenticated_at {
        Some(at) if now - at <= chrono::Duration::minutes(FRESH_MINUTES) => Ok(()),
        _ => Err(AppError::ReauthenticationRequired(what)),
    }
}

/// A read-only API token may not change anything.
pub fn write_with_token(actor: &Actor) -> Result<(), AppError> {
    allow(
        actor.scope != Some(TokenScope::Read),
        "change records with a read-only API token",
    )
}

/// Read the audit trail: auditors only (CJIS separation of duties).
pub fn read_audit_trail(actor: &Actor) -> Result<(), AppError> {
    allow(actor.role == Role::Auditor, "read the audit trail")
}

/// List staff (to pick an officer): case staff and administrators.
pub fn list_staff(actor: &Actor) -> Result<(), AppError> {
    allow(is_case_staff(actor), "list staff")
}

/// Whose cases a caseload shows: the cases the actor holds (see `holds`),
/// or a court's.
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
    use super::*;
    use crate::domain::ids::{CaseId, PersonId, ProgramId};
    use crate::domain::lifecycle::CaseStatus;
    use crate::store::cases::CaseFields;

    fn actor(role: Role) -> Actor {
        Actor {
            password_change_required: false,
            shared_cases: Vec::new(),
            id: UserId::new(),
            username: "u".into(),
            full_name: "U".into(),
            role,
            court: None,
            team: vec![],
            source: None,
            scope: None,
            authenticated_at: None,
        }
    }

    fn case(officer: Option<UserId>, court: Option<&str>) -> CaseRow {
        let now = chrono::Utc::now();
        CaseRow {
            id: CaseId::new(),
            case_number: "BW-1".into(),
            person_id: PersonId::new(),
            program_id: ProgramId::new(),
            status: CaseStatus::Active,
            fields: CaseFields {
                referral_source: "court".into(),
                referral_date: now.date_naive(),
                court: court.map(Into::into),
                docket_number: None,
                judge: None,
                prosecutor: None,
                prior_convictions: None,
                victim_consent: None,
                start_date: None,
                expected_end_date: None,
                officer_id: officer,
            },
            screening: None,
            screening_override: None,
            exit_reason: None,
            created_at: now,
            updated_at: now,
            version: 1,
            person_name: "A, B".into(),
            program_name: "P".into(),
            officer_name: None,
        }
    }

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

    #[test]
    fn privileged_actions_need_a_fresh_sign_in_by_a_person() {
        let now = chrono::Utc::now();
        let mut admin = actor(Role::Admin);
        admin.authenticated_at = Some(now - chrono::Duration::minutes(9));
        assert!(privileged(&admin, "x", now).is_ok());
        admin.authenticated_at = Some(now - chrono::Duration::minutes(11));
        assert!(matches!(
            privileged(&admin, "x", now),
            Err(AppError::ReauthenticationRequired(_))
        ));
        admin.scope = Some(TokenScope::Admin);
        admin.authenticated_at = None;
        assert!(matches!(
            privileged(&admin, "x", now),
            Err(AppError::Forbidden(_))
        ));
    }

    #[test]
    fn token_scopes_narrow_what_a_user_may_do() {
        let mut admin = actor(Role::Admin);
        admin.scope = Some(TokenScope::Write);
        assert!(
            manage_users(&admin).is_err(),
            "a write token is not an admin token"
        );
        admin.scope = Some(TokenScope::Admin);
        assert!(manage_users(&admin).is_ok());
        let mut reader = actor(Role::Officer);
        reader.scope = Some(TokenScope::Read);
        assert!(write_with_token(&reader).is_err());
        reader.scope = None;
        assert!(write_with_token(&reader).is_ok());
    }

    #[test]
    fn only_administrators_manage_programs_and_users() {
        for role in Role::all() {
            let a = actor(*role);
            assert_eq!(manage_programs(&a).is_ok(), *role == Role::Admin);
            assert_eq!(manage_users(&a).is_ok(), *role == Role::Admin);
        }
    }
}
