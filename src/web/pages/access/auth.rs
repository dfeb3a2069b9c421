//! Signing in and out.

use crate::app::access::auth::{self, Secret};
use crate::app::{App, AppError};
use crate::web::error::PageResult;
use crate::web::extract::{ClientAddr, Device, PageUser, SessionCookie};
use crate::web::form::{Form, FormState};
use crate::web::pages::routes::PageRoutes;
use crate::web::render::render_with;
use askama::Template;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Template)]
#[template(path = "access/login.html")]
struct LoginPage {
    form: FormState,
    /// Why the last attempt did not sign in.
    problem: Option<&'static str>,
    demo_accounts: Vec<crate::app::DemoLogin>,
    demo_code: Option<String>,
}

fn login(app: &App, status: StatusCode, username: &str, problem: Option<&'static str>) -> Response {
    let form = FormState::default().with("username", username);
    render_with(
        status,
        &LoginPage {
            form,
            problem,
            demo_accounts: app.demo_logins.as_ref().clone(),
            demo_code: app.demo_code(),
        },
    )
}

pub async fn login_page(State(app): State<App>) -> Response {
    login(&app, StatusCode::OK, "", None)
}

/// Signs in. The notice must be acknowledged before credentials are even checked.
pub async fn log_in(
    State(app): State<App>,
    ClientAddr(source): ClientAddr,
    Device(device): Device,
    Form(form): Form,
) -> PageResult<Response> {
    let username = form.v("username");
    if !form.checked("acknowledge") {
        return Ok(login(
            &app,
            StatusCode::UNPROCESSABLE_ENTITY,
            username,
            Some("Please confirm that you have read the notice about this restricted system."),
        ));
    }
    let password = Secret::new(form.v("password"));
    match auth::log_in(&app, username, password, source, device).await {
        Ok(session) => {
            let cookie = SessionCookie::of(&app).set(session.token.expose());
            Ok(([(SET_COOKIE, cookie)], Redirect::to("/mfa")).into_response())
        }
        Err(AppError::Unauthenticated) => Ok(login(
            &app,
            StatusCode::UNAUTHORIZED,
            username,
            Some(
                "The username or password is not right, or the account is locked. After a failed \
                 attempt, wait a few seconds before trying again.",
            ),
        )),
        Err(AppError::TooManyAttempts) => Ok(login(
            &app,
            StatusCode::TOO_MANY_REQUESTS,
            username,
            Some("Too many sign-in attempts. Wait a minute and try again."),
        )),
        Err(e) => Err(e.into()),
    }
}

pub async fn log_out(State(app): State<App>, user: PageUser) -> PageResult<Response> {
    auth::log_out(&app, &user.actor, user.session).await?;
    let clear = SessionCookie::of(&app).clear();
    Ok(([(SET_COOKIE, clear)], Redirect::to("/login")).into_response())
}

/// This page's routes.
pub fn routes() -> PageRoutes {
    PageRoutes::new()
        .get("/login", login_page)
        .post("/login", log_in)
        .post("/logout", log_out)
}
