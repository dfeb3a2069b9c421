//! Administering staff accounts from the pages: opening one (with a
//! one-time password), its role, a password reset, disabling a leaver,
//! restoring access, and resetting an authenticator.

use crate::app::access::passwords::{self, TemporaryPassword};
use crate::app::access::users::{self, NewStaff, RoleChange, StaffMember};
use crate::app::access::{auth, mfa};
use crate::app::{App, AppError};
use crate::domain::access::users::Role;
use crate::web::error::PageResult;
use crate::web::extract::{PagePath, PageUser};
use crate::web::form::{Form, FormState};
use crate::web::pages::routes::PageRoutes;
use crate::web::render::{render_with, Nav};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Template)]
#[template(path = "access/staff_member.html")]
struct StaffPage {
    nav: Nav,
    member: StaffMember,
    roles: &'static [Role],
    form: FormState,
    /// Shown once, right after a reset.
    reset: Option<TemporaryPassword>,
    supervisor: String,
    /// Whom an officer may report to.
    supervisors: Vec<StaffMember>,
}

/// The active supervisors, offered as an officer's supervisor.
fn supervisors_of(staff: Vec<StaffMember>) -> Vec<StaffMember> {
    staff
        .into_iter()
        .filter(|m| m.active && m.role == Role::Supervisor)
        .collect()
}

async fn show(
    app: &App,
    user: &PageUser,
    username: &str,
    status: StatusCode,
    form: Option<FormState>,
    reset: Option<TemporaryPassword>,
) -> PageResult<Response> {
    let member = users::get(app, &user.actor, username).await?;
    let staff = users::list(app, &user.actor).await?;
    let supervisor = member
        .supervisor_id
        .and_then(|id| staff.iter().find(|m| m.id == id))
        .map(|m| m.username.clone())
        .unwrap_or_default();
    let form = form.unwrap_or_else(|| {
        FormState::default()
            .with("role", member.role.label())
            .with("supervisor", supervisor.clone())
            .with("court", member.court.clone().unwrap_or_default())
    });
    Ok(render_with(
        status,
        &StaffPage {
            nav: Nav::new(app.settings.zone(), &user.actor, "access-review"),
            member,
            roles: Role::all(),
            form,
            reset,
            supervisor,
            supervisors: supervisors_of(staff),
        },
    ))
}

pub async fn page(
    State(app): State<App>,
    user: PageUser,
    PagePath(username): PagePath<String>,
) -> PageResult<Response> {
    show(&app, &user, &username, StatusCode::OK, None, None).await
}

pub async fn change_role(
    State(app): State<App>,
    user: PageUser,
    PagePath(username): PagePath<String>,
    Form(mut form): Form,
) -> PageResult<Response> {
    let Some(role) = form.parse::<Role>("role", "a role") else {
        return show(
            &app,
            &user,
            &username,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(form),
            None,
        )
        .await;
    };
    // The form shows every role's fields; each applies to its own role
    // only (a promoted officer's supervisor stays filled in).
    let change = RoleChange {
        role,
        supervisor: form.opt("supervisor").filter(|_| role == Role::Officer),
        court: form.opt("court").filter(|_| role == Role::Court),
    };
    match users::change_role(&app, &user.actor, &username, change).await {
        Ok(_) => Ok(Redirect::to(&format!("/admin/users/{username}")).into_response()),
        Err(AppError::Invalid(invalid)) => {
            form.add_invalid(invalid);
            show(
                &app,
                &user,
                &username,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(form),
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "access/new_user.html")]
struct NewUserPage {
    nav: Nav,
    roles: &'static [Role],
    form: FormState,
    supervisors: Vec<StaffMember>,
}

async fn new_user_form(
    app: &App,
    user: &PageUser,
    status: StatusCode,
    form: FormState,
) -> PageResult<Response> {
    let supervisors = supervisors_of(users::list(app, &user.actor).await?);
    Ok(render_with(
        status,
        &NewUserPage {
            nav: Nav::new(app.settings.zone(), &user.actor, "access-review"),
            roles: Role::all(),
            form,
            supervisors,
        },
    ))
}

pub async fn new_user(State(app): State<App>, user: PageUser) -> PageResult<Response> {
    crate::app::policy::access::manage_users(&user.actor)?;
    new_user_form(&app, &user, StatusCode::OK, FormState::default()).await
}

/// Opens an account; its page then shows the one-time password, once.
pub async fn open_account(
    State(app): State<App>,
    user: PageUser,
    Form(mut form): Form,
) -> PageResult<Response> {
    crate::app::policy::access::manage_users(&user.actor)?;
    let Some(role) = form.parse::<Role>("role", "a role") else {
        return new_user_form(&app, &user, StatusCode::UNPROCESSABLE_ENTITY, form).await;
    };
    let staff = NewStaff {
        username: form.v("username").to_owned(),
        full_name: form.v("full_name").into(),
        role,
        supervisor: form.opt("supervisor").filter(|_| role == Role::Officer),
        court: form.opt("court").filter(|_| role == Role::Court),
    };
    match users::open_account(&app, &user.actor, staff).await {
        Ok((member, handed)) => {
            show(
                &app,
                &user,
                &member.username,
                StatusCode::OK,
                None,
                Some(handed),
            )
            .await
        }
        Err(e) => {
            let status = form.absorb(e)?;
            new_user_form(&app, &user, status, form).await
        }
    }
}

/// Disables a leaver's account, with the reason.
pub async fn disable(
    State(app): State<App>,
    user: PageUser,
    PagePath(username): PagePath<String>,
    Form(form): Form,
) -> PageResult<Response> {
    users::disable(&app, &user.actor, &username, &form.v("reason").into()).await?;
    Ok(Redirect::to(&format!("/admin/users/{username}")).into_response())
}

/// Restores access: unlocks and re-enables.
pub async fn restore(
    State(app): State<App>,
    user: PageUser,
    PagePath(username): PagePath<String>,
) -> PageResult<Response> {
    auth::unlock(&app, Some(&user.actor), &username).await?;
    Ok(Redirect::to(&format!("/admin/users/{username}")).into_response())
}

/// Resets the authenticator: the next sign-in enrols a new one.
pub async fn reset_authenticator(
    State(app): State<App>,
    user: PageUser,
    PagePath(username): PagePath<String>,
) -> PageResult<Response> {
    mfa::reset_authenticator(&app, &user.actor, &username).await?;
    Ok(Redirect::to(&format!("/admin/users/{username}")).into_response())
}

pub async fn reset_password(
    State(app): State<App>,
    user: PageUser,
    PagePath(username): PagePath<String>,
) -> PageResult<Response> {
    let reset = passwords::reset(&app, &user.actor, &username).await?;
    show(&app, &user, &username, StatusCode::OK, None, Some(reset)).await
}

/// This page's routes.
pub fn routes() -> PageRoutes {
    PageRoutes::new()
        .get("/admin/users/new", new_user)
        .post("/admin/users", open_account)
        .post("/admin/users/{username}/disable", disable)
        .post("/admin/users/{username}/restore", restore)
        .post(
            "/admin/users/{username}/authenticator-reset",
            reset_authenticator,
        )
        .get("/admin/users/{username}", page)
        .post("/admin/users/{username}/role", change_role)
        .post("/admin/users/{username}/password-reset", reset_password)
}
