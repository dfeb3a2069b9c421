//! The case page and its status changes.

use super::workspace::{read_details, read_terms, show, Submitted};
use crate::app::casework::cases::{self, CaseUpdate, ChargesUpdate, ShareInput, TransitionInput};
use crate::app::casework::conditions::{self};
use crate::app::App;
use crate::domain::casework::cases::{CaseStatus, ExitReason};
use crate::domain::ids::CaseId;
use crate::web::error::PageResult;
use crate::web::extract::{PagePath, PageUser};
use crate::web::form::Form;
use crate::web::pages::charges::charges_from;
use crate::web::pages::routes::PageRoutes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

/// What the case page's address may ask: the panel its test form lists
/// (`none` for substances typed one by one).
#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    panel: Option<String>,
}

pub async fn page(
    State(app): State<App>,
    user: PageUser,
    PagePath(id): PagePath<CaseId>,
    Query(q): Query<PageQuery>,
) -> PageResult<Response> {
    let shown = match q.panel {
        None => Submitted::Nothing,
        Some(name) => Submitted::Panel(Some(name).filter(|n| n != "none")),
    };
    show(&app, &user.actor, id, StatusCode::OK, shown).await
}

pub async fn change_status(
    State(app): State<App>,
    user: PageUser,
    PagePath(id): PagePath<CaseId>,
    Form(mut form): Form,
) -> PageResult<Response> {
    let version = form.parse::<i64>("version", "a version number");
    let to = form.parse::<CaseStatus>("to", "a case status");
    let exit_reason = form.parse_opt::<ExitReason>("exit_reason", "an exit reason");
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if let (Some(version), Some(to), Some(exit_reason), false) =
        (version, to, exit_reason, form.has_errors())
    {
        let input = TransitionInput {
            version,
            to,
            reason: form.v("reason").into(),
            exit_reason,
            override_reason: form.opt("override_reason"),
        };
        match cases::transition(&app, &user.actor, id, input).await {
            Ok(_) => return Ok(Redirect::to(&format!("/cases/{id}")).into_response()),
            Err(e) => status = form.absorb(e)?,
        }
    }
    show(&app, &user.actor, id, status, Submitted::Status(form)).await
}

pub async fn correct_charges(
    State(app): State<App>,
    user: PageUser,
    PagePath(id): PagePath<CaseId>,
    Form(mut form): Form,
) -> PageResult<Response> {
    let version = form.parse::<i64>("version", "a version number");
    let charges = charges_from(&mut form);
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if let (Some(version), Some(charges), false) = (version, charges, form.has_errors()) {
        let input = ChargesUpdate { version, charges };
        match cases::correct_charges(&app, &user.actor, id, input).await {
            Ok(_) => return Ok(Redirect::to(&format!("/cases/{id}#charges")).into_response()),
            Err(e) => status = form.absorb(e)?,
        }
    }
    show(&app, &user.actor, id, status, Submitted::Charges(form)).await
}

pub async fn change_details(
    State(app): State<App>,
    user: PageUser,
    PagePath(id): PagePath<CaseId>,
    Form(mut form): Form,
) -> PageResult<Response> {
    let version = form.parse::<i64>("version", "a version number");
    let details = read_details(&mut form);
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if let (Some(version), Some(case), false) = (version, details, form.has_errors()) {
        match cases::update(&app, &user.actor, id, CaseUpdate { version, case }).await {
            Ok(_) => return Ok(Redirect::to(&format!("/cases/{id}")).into_response()),
            Err(e) => status = form.absorb(e)?,
        }
    }
    show(&app, &user.actor, id, status, Submitted::Details(form)).await
}

pub async fn share(
    State(app): State<App>,
    user: PageUser,
    PagePath(id): PagePath<CaseId>,
    Form(mut form): Form,
) -> PageResult<Response> {
    let input = ShareInput {
        username: form.v("username").to_owned(),
        reason: form.v("reason").into(),
    };
    let status = match cases::share(&app, &user.actor, id, input).await {
        Ok(_) => return Ok(Redirect::to(&format!("/cases/{id}#sharing")).into_response()),
        Err(e) => form.absorb(e)?,
    };
    show(&app, &user.actor, id, status, Submitted::Share(form)).await
}

pub async fn unshare(
    State(app): State<App>,
    user: PageUser,
    PagePath((id, username)): PagePath<(CaseId, String)>,
) -> PageResult<Response> {
    cases::unshare(&app, &user.actor, id, &username).await?;
    Ok(Redirect::to(&format!("/cases/{id}#sharing")).into_response())
}

pub async fn add_condition(
    State(app): State<App>,
    user: PageUser,
    PagePath(id): PagePath<CaseId>,
    Form(mut form): Form,
) -> PageResult<Response> {
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if let Some(terms) = read_terms(&mut form).filter(|_| !form.has_errors()) {
        match conditions::add(&app, &user.actor, id, terms).await {
            Ok(_) => return Ok(Redirect::to(&format!("/cases/{id}#conditions")).into_response()),
            Err(e) => status = form.absorb(e)?,
        }
    }
    show(&app, &user.actor, id, status, Submitted::Condition(form)).await
}

pub async fn apply_program_conditions(
    State(app): State<App>,
    user: PageUser,
    PagePath(id): PagePath<CaseId>,
) -> PageResult<Response> {
    conditions::apply_program(&app, &user.actor, id).await?;
    Ok(Redirect::to(&format!("/cases/{id}#conditions")).into_response())
}

/// This page's routes.
pub fn routes() -> PageRoutes {
    PageRoutes::new()
        .get("/cases/{id}", page)
        .post("/cases/{id}/status", change_status)
        .post("/cases/{id}/details", change_details)
        .post("/cases/{id}/charges", correct_charges)
        .post("/cases/{id}/shares", share)
        .post("/cases/{id}/conditions", add_condition)
        .post(
            "/cases/{id}/conditions/from-program",
            apply_program_conditions,
        )
        .post("/cases/{id}/shares/{username}/end", unshare)
}
