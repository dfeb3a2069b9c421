//! Who may do what: the one place authorization is decided, split by
//! context (`casework`, `people`, `access`, `audit`, `programs`). Every
//! function fails closed: a role not named is refused. The rules here hold
//! for every route: token scopes and fresh sign-in for privileged actions.

pub mod access;
pub mod assessments;
pub mod audit;
pub mod casework;
pub mod people;
pub mod programs;

use crate::app::{Actor, AppError};
use crate::domain::access::users::{Role, TokenScope};

pub(super) fn allow(ok: bool, what: &'static str) -> Result<(), AppError> {
    if ok {
        Ok(())
    } else {
        Err(AppError::Forbidden(what))
    }
}

/// Officers and supervisors work cases. Administrators manage users,
/// programs and configuration, not case content.
pub(super) fn is_case_staff(actor: &Actor) -> bool {
    matches!(actor.role, Role::Supervisor | Role::Officer)
}

/// An administrator, signed in or with an admin-scoped API token.
pub(super) fn administers(actor: &Actor) -> bool {
    actor.role == Role::Admin && actor.scope.is_none_or(|s| s == TokenScope::Admin)
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

#[cfg(test)]
pub(super) mod fixtures {
    use crate::app::Actor;
    use crate::domain::access::users::Role;
    use crate::domain::casework::cases::CaseStatus;
    use crate::domain::ids::{CaseId, PersonId, ProgramId, UserId};
    use crate::store::casework::cases::{CaseFields, CaseRow};

    pub fn actor(role: Role) -> Actor {
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
            submission: None,
        }
    }

    pub fn case(officer: Option<UserId>, court: Option<&str>) -> CaseRow {
        let now: chrono::DateTime<chrono::Utc> = "2026-11-18T19:00:00Z".parse().unwrap();
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
}

#[cfg(test)]
mod tests {
    use super::access::manage_users;
    use super::fixtures::actor;
    use super::*;

    #[test]
    fn privileged_actions_need_a_fresh_sign_in_by_a_person() {
        let now: chrono::DateTime<chrono::Utc> = "2026-11-18T19:00:00Z".parse().unwrap();
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
}
