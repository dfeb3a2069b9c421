//! The second sign-in step: enrol an authenticator, or enter its code.

use crate::app::access::mfa::{self, Step};
use crate::app::{App, AppError};
use crate::web::error::{PageError, PageResult};
use crate::web::extract::{source, SessionCookie};
use crate::web::form::{Form, FormState};
use crate::web::pages::routes::PageRoutes;
use crate::web::render::render_with;
use askama::Template;
use axum::extract::{FromRequestParts, State};
use axum::http::header::SET_COOKIE;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

/// The session cookie of a browser part-way through signing in.
pub struct Pending {
    token: String,
    source: Option<String>,
}

impl FromRequestParts<App> for Pending {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let token = SessionCookie::of(app)
            .read(parts)
            .ok_or(PageError(AppError::Unauthenticated))?;
        Ok(Self {
            token,
            source: source(parts),
        })
    }
}

#[derive(Template)]
#[template(path = "access/mfa.html")]
struct MfaPage {
    form: FormState,
    enrol: Option<(String, String)>,
    demo_code: Option<String>,
}

#[derive(Template)]
#[template(path = "access/recovery_codes.html")]
pub(super) struct RecoveryCodesPage {
    pub(super) codes: Vec<String>,
}

async fn show(
    app: &App,
    pending: &Pending,
    status: StatusCode,
    form: FormState,
) -> PageResult<Response> {
    let step = match mfa::step(app, &pending.token, pending.source.as_deref()).await {
        Ok(step) => step,
        // Already past this step: carry on to the product.
        Err(AppError::Conflict(_)) => return Ok(Redirect::to("/").into_response()),
        Err(e) => return Err(e.into()),
    };
    let (enrol, demo_code) = match step {
        Step::Code { demo_code } => (None, demo_code),
        Step::Enrol {
            secret,
            qr_svg_data_url,
        } => (Some((secret, qr_svg_data_url)), None),
    };
    Ok(render_with(
        status,
        &MfaPage {
            form,
            enrol,
            demo_code,
        },
    ))
}

pub async fn page(State(app): State<App>, pending: Pending) -> PageResult<Response> {
    show(&app, &pending, StatusCode::OK, FormState::default()).await
}

pub async fn submit(
    State(app): State<App>,
    pending: Pending,
    Form(mut form): Form,
) -> PageResult<Response> {
    match mfa::submit(
        &app,
        &pending.token,
        form.v("code"),
        pending.source.as_deref(),
    )
    .await
    {
        Ok(passed) => {
            let cookie = SessionCookie::of(&app).set(passed.session.expose());
            let next = match passed.recovery_codes {
                Some(codes) => render_with(StatusCode::OK, &RecoveryCodesPage { codes }),
                None => Redirect::to("/").into_response(),
            };
            Ok(([(SET_COOKIE, cookie)], next).into_response())
        }
        Err(AppError::Invalid(invalid)) => {
            form.add_invalid(invalid);
            show(&app, &pending, StatusCode::UNPROCESSABLE_ENTITY, form).await
        }
        Err(e) => Err(e.into()),
    }
}

/// This page's routes.
pub fn routes() -> PageRoutes {
    PageRoutes::new().get("/mfa", page).post("/mfa", submit)
}
