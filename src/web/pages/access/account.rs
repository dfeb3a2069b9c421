//! Accounts: the signed-in user's own sessions, and the administrators' access review.

use crate::app::access::auth::{self, IssuedToken, Secret, TokenRequest};
use crate::app::access::users::{self, AccessReviewLine};
use crate::app::access::{mfa, passwords};
use crate::app::App;
use crate::app::AppError;
use crate::domain::access::users::TokenScope;
use crate::domain::ids::{SessionId, TokenId};
use crate::store::access::users::{SessionInfo, TokenInfo};
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
#[template(path = "access/account.html")]
struct AccountPage {
    nav: Nav,
    sessions: Vec<SessionInfo>,
    current: SessionId,
    tokens: Vec<TokenInfo>,
    scopes: &'static [TokenScope],
    /// The token-making form, as submitted.
    form: FormState,
    /// A token just made: shown this once.
    issued: Option<IssuedToken>,
}

async fn show(
    app: &App,
    user: &PageUser,
    status: StatusCode,
    form: FormState,
    issued: Option<IssuedToken>,
) -> PageResult<Response> {
    let sessions = auth::my_sessions(app, &user.actor).await?;
    let tokens = auth::my_tokens(app, &user.actor).await?;
    Ok(render_with(
        status,
        &AccountPage {
            nav: Nav::new(app.settings.zone(), &user.actor, "account"),
            sessions,
            current: user.session,
            tokens,
            scopes: TokenScope::all(),
            form: if form.holds("expires_in_days") {
                form
            } else {
                form.with("expires_in_days", "90")
            },
            issued,
        },
    ))
}

/// The account page: sessions, API tokens, recovery codes, password.
pub async fn account(State(app): State<App>, user: PageUser) -> PageResult<Response> {
    show(&app, &user, StatusCode::OK, FormState::default(), None).await
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
        "/account#sessions"
    };
    Ok(Redirect::to(to).into_response())
}

/// Ends every session but this one.
pub async fn end_other_sessions(State(app): State<App>, user: PageUser) -> PageResult<Response> {
    auth::end_other_sessions(&app, &user.actor, user.session).await?;
    Ok(Redirect::to("/account#sessions").into_response())
}

/// Makes an API token for the signed-in user; the page shows it once.
pub async fn create_token(
    State(app): State<App>,
    user: PageUser,
    Form(mut form): Form,
) -> PageResult<Response> {
    let scope = form.parse::<TokenScope>("scope", "a scope");
    let days = form.parse::<i64>("expires_in_days", "a whole number of days");
    let (Some(scope), Some(days)) = (scope, days) else {
        return show(&app, &user, StatusCode::UNPROCESSABLE_ENTITY, form, None).await;
    };
    let request = TokenRequest {
        name: form.v("name").into(),
        scope,
        expires_in_days: days.into(),
    };
    let username = user.actor.username.clone();
    match auth::create_token(&app, Some(&user.actor), &username, request).await {
        Ok(issued) => {
            show(
                &app,
                &user,
                StatusCode::OK,
                FormState::default(),
                Some(issued),
            )
            .await
        }
        Err(e) => {
            let status = form.absorb(e)?;
            show(&app, &user, status, form, None).await
        }
    }
}

pub async fn revoke_token(
    State(app): State<App>,
    user: PageUser,
    PagePath(id): PagePath<TokenId>,
) -> PageResult<Response> {
    auth::revoke_token(&app, &user.actor, id).await?;
    Ok(Redirect::to("/account#tokens").into_response())
}

/// New recovery codes, shown once (after a fresh sign-in).
pub async fn new_recovery_codes(State(app): State<App>, user: PageUser) -> PageResult<Response> {
    let codes = mfa::new_recovery_codes(&app, &user.actor).await?;
    Ok(render(&crate::web::pages::access::mfa::RecoveryCodesPage {
        codes,
    }))
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
        .get("/account", account)
        .get("/account/sessions", account)
        .post("/account/sessions/end-others", end_other_sessions)
        .post("/account/tokens", create_token)
        .post("/account/tokens/{id}/revoke", revoke_token)
        .post("/account/recovery-codes", new_recovery_codes)
        .get("/admin/access-review", access_review)
        .get("/reauth", reauth_page)
        .post("/reauth", reauth)
        .get("/account/password", password_form)
        .post("/account/password", change_password)
        .post("/account/sessions/{id}/end", end_session)
}
