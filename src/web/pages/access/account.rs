//! Accounts: the signed-in user's own sessions, and the administrators' access review.

use crate::app::access::auth::{self, Secret};
use crate::app::access::users::{self, AccessReviewLine};
use crate::app::access::{mfa, passwords};
use crate::app::App;
use crate::app::AppError;
use crate::domain::ids::SessionId;
use crate::store::access::users::SessionInfo;
use crate::web::error::PageResult;
use crate::web::extract::{PagePath, PageUser};
use crate::web::form::{Form, FormState};
use crate::web::pages::routes::PageRoutes;
use crate::web::render::render_with;
use crate::web::render::{render, Nav, Show as _, When as _};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Template)]
#[template(path = "access/sessions.html")]
struct SessionsPage {
    nav: Nav,
    sessions: Vec<SessionInfo>,
    current: SessionId,
}

pub async fn sessions(State(app): State<App>, user: PageUser) -> PageResult<Response> {
    let sessions = auth::my_sessions(&app, &user.actor).await?;
    Ok(render(&SessionsPage {
        nav: Nav::new(app.settings.zone(), &user.actor, "account"),
        sessions,
        current: user.session,
    }))
}

pub async fn end_session(
    State(app): State<App>,
    user: PageUser,
    PagePath(id): PagePath<SessionId>,
) -> PageResult<Response> {
    auth::end_session(&app, &user.actor, id).await?;
    let to = if id == user.session {
        "/login"
    } else {
        "/account/sessions"
    };
    Ok(Redirect::to(to).into_response())
}

#[derive(Template)]
#[template(path = "access/access_review.html")]
struct AccessReviewPage {
    nav: Nav,
    lines: Vec<AccessReviewLine>,
    inactive_days: i64,
    /// Free space on the database's disk is running out.
    disk_warning: Option<String>,
}

/// The access review, for administrators.
pub async fn access_review(State(app): State<App>, user: PageUser) -> PageResult<Response> {
    let lines = users::access_review(&app, &user.actor).await?;
    Ok(render(&AccessReviewPage {
        nav: Nav::new(app.settings.zone(), &user.actor, "access-review"),
        lines,
        inactive_days: app.settings.inactive_account_days,
        disk_warning: crate::app::health::disk(&app).warning(),
    }))
}

#[derive(Template)]
#[template(path = "access/password.html")]
struct PasswordPage {
    nav: Nav,
    form: FormState,
    required: bool,
}

fn password_page(app: &App, user: &PageUser, status: StatusCode, form: FormState) -> Response {
    render_with(
        status,
        &PasswordPage {
            nav: Nav::new(app.settings.zone(), &user.actor, "account"),
            form,
            required: user.actor.password_change_required,
        },
    )
}

/// Your password: the only page open after an administrator's reset.
pub async fn password_form(State(app): State<App>, user: PageUser) -> Response {
    password_page(&app, &user, StatusCode::OK, FormState::default())
}

pub async fn change_password(
    State(app): State<App>,
    user: PageUser,
    Form(mut form): Form,
) -> PageResult<Response> {
    if form.v("new_password") != form.v("confirm_password") {
        form.add_error("confirm_password", "does not match the new password");
        return Ok(password_page(
            &app,
            &user,
            StatusCode::UNPROCESSABLE_ENTITY,
            form,
        ));
    }
    let result = passwords::change(
        &app,
        &user.actor,
        user.session,
        Secret::new(form.v("current_password")),
        Secret::new(form.v("new_password")),
    )
    .await;
    match result {
        Ok(()) => Ok(Redirect::to("/").into_response()),
        Err(AppError::Invalid(invalid)) => {
            form.add_invalid(invalid);
            Ok(password_page(
                &app,
                &user,
                StatusCode::UNPROCESSABLE_ENTITY,
                form,
            ))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "access/reauth.html")]
struct ReauthPage {
    nav: Nav,
    form: FormState,
    done: bool,
}

/// Confirms password and code before a privileged action.
pub async fn reauth_page(State(app): State<App>, user: PageUser) -> Response {
    render(&ReauthPage {
        nav: Nav::new(app.settings.zone(), &user.actor, "account"),
        form: FormState::default(),
        done: false,
    })
}

pub async fn reauth(
    State(app): State<App>,
    user: PageUser,
    Form(mut form): Form,
) -> PageResult<Response> {
    let result = mfa::reauthenticate(
        &app,
        &user.actor,
        user.session,
        Secret::new(form.v("password")),
        form.v("code"),
    )
    .await;
    let done = match result {
        Ok(()) => true,
        Err(AppError::Invalid(invalid)) => {
            form.add_invalid(invalid);
            false
        }
        Err(e) => return Err(e.into()),
    };
    let status = if done {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render_with(
        status,
        &ReauthPage {
            nav: Nav::new(app.settings.zone(), &user.actor, "account"),
            form,
            done,
        },
    ))
}

/// This page's routes.
pub fn routes() -> PageRoutes {
    PageRoutes::new()
        .get("/account/sessions", sessions)
        .get("/admin/access-review", access_review)
        .get("/reauth", reauth_page)
        .post("/reauth", reauth)
        .get("/account/password", password_form)
        .post("/account/password", change_password)
        .post("/account/sessions/{id}/end", end_session)
}
