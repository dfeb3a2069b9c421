//! Staff accounts.

use crate::app::access::auth::{hash_password, Secret};
use crate::app::access::passwords::{one_time_password, TemporaryPassword};
use crate::app::audit::{self, Origin};
use crate::app::{policy, Actor, App, AppError, AppResult};
use crate::domain::access::users::{check_password, inactive_too_long, Role, Username};
use crate::domain::audit::Action;
use crate::domain::ids::{OfficeId, UserId};
use crate::domain::input::{RequiredText, Text};
use crate::domain::validation::{Errors, Invalid};
use crate::store::access::users::{self, NewUser, UserRow};
use crate::store::audit::Outcome;
use crate::store::sql::is_unique_violation;
use crate::store::Tx;
use serde::Deserialize;

/// A new staff account.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserInput {
    pub username: String,
    pub full_name: RequiredText<120>,
    pub role: Role,
    #[schema(value_type = String, format = Password)]
    pub password: String,
    pub supervisor: Option<String>,
    pub court: Option<Court>,
}

/// The court a court liaison works for.
type Court = Text<120>;

/// A staff member as others see them.
#[derive(Debug, Clone)]
pub struct StaffMember {
    pub id: UserId,
    pub username: String,
    pub full_name: String,
    pub role: Role,
    pub supervisor_id: Option<UserId>,
    pub court: Option<String>,
    pub office_id: Option<OfficeId>,
    pub active: bool,
}

impl From<UserRow> for StaffMember {
    fn from(u: UserRow) -> Self {
        Self {
            id: u.id,
            username: u.username,
            full_name: u.full_name,
            role: u.role,
            supervisor_id: u.supervisor_id,
            court: u.court,
            office_id: u.office_id,
            active: u.active,
        }
    }
}

/// Who did it: a signed-in administrator, or the command line on the server.
pub enum Creator<'a> {
    Admin(&'a Actor),
    Console,
}

pub async fn create(app: &App, creator: Creator<'_>, input: UserInput) -> AppResult<StaffMember> {
    create_as(app, creator, input, false).await
}

/// A new account from the administrators' page: what it needs but a
/// password, which is made here, one-time, and replaced at the first
/// sign-in (as after a reset).
#[derive(Debug, Clone)]
pub struct NewStaff {
    pub username: String,
    pub full_name: RequiredText<120>,
    pub role: Role,
    pub supervisor: Option<String>,
    pub court: Option<Court>,
}

/// Opens an account with a one-time password, shown once; a privileged
/// action, audited as any account's creation.
pub async fn open_account(
    app: &App,
    actor: &Actor,
    staff: NewStaff,
) -> AppResult<(StaffMember, TemporaryPassword)> {
    policy::access::manage_users(actor)?;
    policy::privileged(actor, "open an account", app.now())?;
    let temporary = one_time_password();
    let input = UserInput {
        username: staff.username,
        full_name: staff.full_name,
        role: staff.role,
        password: temporary.clone(),
        supervisor: staff.supervisor,
        court: staff.court,
    };
    let member = create_as(app, Creator::Admin(actor), input, true).await?;
    let handed = TemporaryPassword {
        username: member.username.clone(),
        temporary_password: temporary,
    };
    Ok((member, handed))
}

/// Disables the account of someone who left: it signs in no more, its
/// sessions end and its tokens stop working. A privileged action, never on
/// one's own account; "restore access" (`auth::unlock`) undoes it.
pub async fn disable(app: &App, actor: &Actor, username: &str, reason: &Reason) -> AppResult<()> {
    policy::access::manage_users(actor)?;
    policy::privileged(actor, "disable an account", app.now())?;
    let reason = reason.checked().map_err(|e| Invalid::one("reason", e))?;
    let mut tx = app.db.write().await?;
    let user = users::by_username(&mut tx, &username.trim().to_lowercase())
        .await?
        .ok_or(AppError::NotFound("user"))?;
    if user.id == actor.id {
        return Err(AppError::Forbidden("disable your own account"));
    }
    users::set_active(&mut tx, user.id, false).await?;
    users::delete_sessions_of(&mut tx, user.id, None).await?;
    audit::record(
        &mut tx,
        actor,
        Action::UserDisable.on(user.id).because(reason),
    );
    tx.commit().await?;
    Ok(())
}

/// Why an account is disabled, e.g. "left the agency 2026-12-04".
pub type Reason = RequiredText<300>;

async fn create_as(
    app: &App,
    creator: Creator<'_>,
    input: UserInput,
    password_change_required: bool,
) -> AppResult<StaffMember> {
    if let Creator::Admin(actor) = &creator {
        policy::access::manage_users(actor)?;
    }
    let mut errors = Errors::new();
    let username = errors.check("username", Username::parse(&input.username));
    let full_name = errors.check("full_name", input.full_name.checked());
    let court = errors.check("court", Text::checked(input.court.as_ref()));
    if let Some(u) = &username {
        errors.check("password", check_password(&input.password, u));
    }
    if input.role == Role::Court && matches!(court, Some(None)) {
        errors.add("court", "is required for a court liaison");
    }
    let (username, full_name, court) = errors.finish(|| Some((username?, full_name?, court?)))?;
    let hash = hash_password(Secret::new(input.password)).await?;

    let mut tx = app.db.write().await?;
    let supervisor = match input
        .supervisor
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(name) => Some(supervisor_named(&mut tx, name).await?),
        None => None,
    };
    let id = UserId::new();
    let inserted = users::insert(
        &mut tx,
        NewUser {
            id,
            username: username.as_str(),
            full_name: &full_name,
            role: input.role,
            password_hash: &hash,
            supervisor_id: supervisor,
            court: court.as_deref(),
            password_change_required,
            now: app.now(),
        },
    )
    .await;
    match inserted {
        Err(e) if is_unique_violation(&e) => {
            return Err(Invalid::one(
                "username",
                format!("'{}' is already taken", username.as_str()),
            )
            .into())
        }
        other => other?,
    }
    let by = Origin::actor_or_console(match creator {
        Creator::Admin(a) => Some(a),
        Creator::Console => None,
    });
    audit::write(&mut tx, by, Outcome::Success, Action::UserCreate.on(id));
    let row = users::by_id(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound("user"))?;
    tx.commit().await?;
    Ok(row.into())
}

/// A new role for an account, with the supervisor or court it implies.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleChange {
    pub role: Role,
    /// Username of the supervisor an officer reports to.
    pub supervisor: Option<String>,
    /// The court a court liaison works for (required for them).
    pub court: Option<Court>,
}

/// Gives an account another role: administrators only, never their own, and
/// as a privileged action (fresh sign-in). Audited with the old and new role.
pub async fn change_role(
    app: &App,
    actor: &Actor,
    username: &str,
    change: RoleChange,
) -> AppResult<StaffMember> {
    policy::access::manage_users(actor)?;
    policy::privileged(actor, "change a role", app.now())?;
    let court = Text::checked(change.court.as_ref()).map_err(|e| Invalid::one("court", e))?;
    if change.role == Role::Court && court.is_none() {
        return Err(Invalid::one("court", "is required for a court liaison").into());
    }
    let mut tx = app.db.write().await?;
    let user = users::by_username(&mut tx, &username.trim().to_lowercase())
        .await?
        .ok_or(AppError::NotFound("user"))?;
    if user.id == actor.id {
        return Err(AppError::Forbidden("change your own role"));
    }
    let supervisor = match change
        .supervisor
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(name) if change.role == Role::Officer => Some(supervisor_named(&mut tx, name).await?),
        Some(_) => {
            return Err(
                Invalid::one("supervisor", "only an officer reports to a supervisor").into(),
            )
        }
        None => None,
    };
    let court = court.filter(|_| change.role == Role::Court);
    users::set_role(&mut tx, user.id, change.role, supervisor, court.as_deref()).await?;
    let reason = format!("{} to {}", user.role.label(), change.role.label());
    crate::app::audit::record(
        &mut tx,
        actor,
        Action::UserRoleChange.on(user.id).because(&reason),
    );
    let row = users::by_id(&mut tx, user.id)
        .await?
        .ok_or(AppError::NotFound("user"))?;
    tx.commit().await?;
    Ok(row.into())
}

/// The id of the supervisor with this username, or why there is none.
async fn supervisor_named(tx: &mut crate::store::Tx, name: &str) -> AppResult<UserId> {
    Ok(users::by_username(tx, &name.to_lowercase())
        .await?
        .filter(|u| u.role == Role::Supervisor)
        .ok_or_else(|| {
            Invalid::one(
                "supervisor",
                format!("no supervisor has the username '{name}'"),
            )
        })?
        .id)
}

/// One account, for its administration page.
pub async fn get(app: &App, actor: &Actor, username: &str) -> AppResult<StaffMember> {
    policy::access::manage_users(actor)?;
    let mut tx = app.db.read().await?;
    Ok(users::by_username(&mut tx, &username.trim().to_lowercase())
        .await?
        .ok_or(AppError::NotFound("user"))?
        .into())
}

/// Every staff account (to pick an officer, or to administer accounts).
pub async fn list(app: &App, actor: &Actor) -> AppResult<Vec<StaffMember>> {
    policy::access::list_staff(actor).or_else(|_| policy::access::manage_users(actor))?;
    let mut tx = app.db.read().await?;
    Ok(users::all(&mut tx)
        .await?
        .into_iter()
        .map(StaffMember::from)
        .collect())
}

/// The officers and supervisors the actor may assign a case to or filter a
/// caseload by: themselves and, for a supervisor, their team; `also` (a
/// case's current officer) so that a form shows who holds it. None for a
/// role that holds no cases (a court liaison reading a case), rather than a
/// refusal of the whole page.
pub async fn case_staff(
    app: &App,
    actor: &Actor,
    also: Option<UserId>,
) -> AppResult<Vec<StaffMember>> {
    let mut tx = app.db.read().await?;
    case_staff_in(&mut tx, actor, also).await
}

/// [`case_staff`] in the caller's transaction.
pub(crate) async fn case_staff_in(
    tx: &mut Tx,
    actor: &Actor,
    also: Option<UserId>,
) -> AppResult<Vec<StaffMember>> {
    if policy::access::list_staff(actor).is_err() {
        return Ok(Vec::new());
    }
    let team_of = (actor.role == Role::Supervisor).then_some(actor.id);
    Ok(users::case_staff(tx, actor.id, team_of, also)
        .await?
        .into_iter()
        .map(StaffMember::from)
        .collect())
}

/// One line of the access review: who holds which role, and whether they still use it.
#[derive(Debug, Clone)]
pub struct AccessReviewLine {
    pub username: String,
    pub full_name: String,
    pub role: Role,
    pub last_login_at: Option<chrono::DateTime<chrono::Utc>>,
    /// `active`, `locked`, `inactive` (past the inactivity limit: disabled at next sign-in) or
    /// `disabled`.
    pub status: &'static str,
    pub mfa_enrolled: bool,
}

/// The periodic access review (CJIS: accounts reviewed at least annually).
/// Reading it is audited.
pub async fn access_review(app: &App, actor: &Actor) -> AppResult<Vec<AccessReviewLine>> {
    policy::access::manage_users(actor)?;
    let at = app.now();
    let auto_unlock = app
        .settings
        .lockout_auto_unlock_minutes
        .map(chrono::Duration::minutes);
    let mut tx = app.db.read().await?;
    let lines = users::all(&mut tx)
        .await?
        .into_iter()
        .map(|u| {
            let status = if !u.active {
                "disabled"
            } else if u.lockout().is_locked(at, auto_unlock) {
                "locked"
            } else if inactive_too_long(
                u.last_login_at.unwrap_or(u.created_at),
                at,
                app.settings.inactive_account_days,
            ) {
                "inactive"
            } else {
                "active"
            };
            AccessReviewLine {
                mfa_enrolled: u.totp_confirmed_at.is_some(),
                username: u.username,
                full_name: u.full_name,
                role: u.role,
                last_login_at: u.last_login_at,
                status,
            }
        })
        .collect();
    crate::app::audit::record(&mut tx, actor, Action::UserAccessReview);
    tx.commit().await?;
    Ok(lines)
}
