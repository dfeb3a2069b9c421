//! Administering one staff account: its role, and a password reset.

use crate::app::access::passwords::{self, TemporaryPassword};
use crate::app::access::users::{self, RoleChange, StaffMember};
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
    let supervisor = match member.supervisor_id {
        Some(id) => users::list(app, &user.actor)
            .await?
            .into_iter()
            .find(|m| m.id == id)
            .map(|m| m.username)
            .unwrap_or_default(),
        None => String::new(),
    };
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
        .get("/admin/users/{username}", page)
        .post("/admin/users/{username}/role", change_role)
        .post("/admin/users/{username}/password-reset", reset_password)
}
