//! Accounts: the signed-in user's own sessions, and the administrators' access review.

use super::form::{Form, FormState};
use super::render_with;
use super::{render, Nav, Show as _, When as _};
use crate::app::auth::{self, Secret};
use crate::app::users::{self, AccessReviewLine};
use crate::app::App;
use crate::app::{mfa, AppError};
use crate::domain::ids::SessionId;
use crate::store::users::SessionInfo;
use crate::web::error::PageResult;
use crate::web::extract::{PagePath, PageUser};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Template)]
#[template(path = "sessions.html")]
struct SessionsPage {
    nav: Nav,
    sessions: Vec<SessionInfo>,
    current: SessionId,
}

pub async fn sessions(State(app): State<App>, user: PageUser) -> PageResult<Response> {
    let sessions = auth::my_sessions(&app, &user.actor).await?;
    Ok(render(&SessionsPage {
        nav: Nav::new(&user.actor, "account"),
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
#[template(path = "access_review.html")]
struct AccessReviewPage {
    nav: Nav,
    lines: Vec<AccessReviewLine>,
    inactive_days: i64,
}

/// The access review, for administrators.
pub async fn access_review(State(app): State<App>, user: PageUser) -> PageResult<Response> {
    let lines = users::access_review(&app, &user.actor).await?;
    Ok(render(&AccessReviewPage {
        nav: Nav::new(&user.actor, "access-review"),
        lines,
        inactive_days: app.settings.inactive_account_days,
    }))
}

#[derive(Template)]
#[template(path = "reauth.html")]
struct ReauthPage {
    nav: Nav,
    form: FormState,
    done: bool,
}

/// Confirms password and code before a privileged action.
pub async fn reauth_page(user: PageUser) -> Response {
    render(&ReauthPage {
        nav: Nav::new(&user.actor, "account"),
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
            nav: Nav::new(&user.actor, "account"),
            form,
            done,
        },
    ))
}
