//! Accounts: the signed-in user's own sessions, and the administrators' access review.

use super::{render, Nav, Show as _, When as _};
use crate::app::auth;
use crate::app::users::{self, AccessReviewLine};
use crate::app::App;
use crate::domain::ids::SessionId;
use crate::store::users::SessionInfo;
use crate::web::error::PageResult;
use crate::web::extract::{PagePath, PageUser};
use askama::Template;
use axum::extract::State;
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
