//! Signing in and out.

use super::form::{Form, FormState};
use super::render_with;
use crate::app::auth::{self, Secret};
use crate::app::{App, AppError};
use crate::web::error::PageResult;
use crate::web::extract::{ClientAddr, PageUser, SESSION_COOKIE};
use askama::Template;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    form: FormState,
    failed: bool,
    demo_accounts: Vec<(String, String)>,
}

fn demo_accounts(app: &App) -> Vec<(String, String)> {
    app.demo_logins.as_ref().clone()
}

pub async fn login_page(State(app): State<App>) -> Response {
    render_with(
        StatusCode::OK,
        &LoginPage {
            form: FormState::default(),
            failed: false,
            demo_accounts: demo_accounts(&app),
        },
    )
}

pub async fn log_in(
    State(app): State<App>,
    ClientAddr(source): ClientAddr,
    Form(form): Form,
) -> PageResult<Response> {
    match auth::log_in(
        &app,
        form.v("username"),
        Secret::new(form.v("password")),
        source,
    )
    .await
    {
        Ok(session) => {
            let cookie = format!(
                "{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Strict",
                session.token.expose()
            );
            Ok(([(SET_COOKIE, cookie)], Redirect::to("/caseload")).into_response())
        }
        Err(AppError::Unauthenticated) => {
            let form = FormState::default().with("username", form.v("username"));
            Ok(render_with(
                StatusCode::UNAUTHORIZED,
                &LoginPage {
                    form,
                    failed: true,
                    demo_accounts: demo_accounts(&app),
                },
            ))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn log_out(State(app): State<App>, user: PageUser) -> PageResult<Response> {
    auth::log_out(&app, &user.actor, user.session).await?;
    let clear = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    Ok(([(SET_COOKIE, clear)], Redirect::to("/login")).into_response())
}
