//! The supervision panel of the case page (level, contact standard,
//! appointments, contacts) and the forms it posts.

use super::workspace::{show, Submitted};
use crate::app::casework::supervision::{self, AppointmentInput, ContactInput, OutcomeInput};
use crate::app::{App, AppError};
use crate::domain::casework::supervision::{
    AppointmentKind, Collateral, ContactKind, Outcome, SupervisionLevel,
};
use crate::domain::ids::{AppointmentId, CaseId};
use crate::web::error::PageResult;
use crate::web::extract::{PagePath, PageUser};
use crate::web::form::{Form, FormState};
use crate::web::pages::routes::PageRoutes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

fn back(id: CaseId) -> Response {
    Redirect::to(&format!("/cases/{id}#supervision")).into_response()
}

/// Shows the case page again with the supervision form's errors, or fails.
async fn refused(
    app: &App,
    user: &PageUser,
    case: CaseId,
    e: Option<AppError>,
    mut form: FormState,
) -> PageResult<Response> {
    let status = match e {
        None => StatusCode::UNPROCESSABLE_ENTITY,
        Some(e) => form.absorb(e)?,
    };
    show(app, &user.actor, case, status, Submitted::Supervision(form)).await
}

pub async fn set_level(
    State(app): State<App>,
    user: PageUser,
    PagePath(id): PagePath<CaseId>,
    Form(mut form): Form,
) -> PageResult<Response> {
    let version = form.parse::<i64>("version", "a version number");
    let (Some(level), Some(version)) = (
        form.parse_opt::<SupervisionLevel>("level", "a supervision level"),
        version,
    ) else {
        return refused(&app, &user, id, None, form).await;
    };
    let change = supervision::LevelChange {
        version,
        level,
        reason: form.opt("level.reason"),
    };
    match supervision::set_level(&app, &user.actor, id, change).await {
        Ok(()) => Ok(back(id)),
        // The level's reason is `level.reason` on the page, which has other reasons.
        Err(AppError::Invalid(e)) => {
            let e = AppError::Invalid(e.prefixed("level."));
            refused(&app, &user, id, Some(e), form).await
        }
        Err(e) => refused(&app, &user, id, Some(e), form).await,
    }
}

pub async fn schedule(
    State(app): State<App>,
    user: PageUser,
    PagePath(id): PagePath<CaseId>,
    Form(mut form): Form,
) -> PageResult<Response> {
    let kind = form.parse::<AppointmentKind>("kind", "a kind of appointment");
    let starts_at = form.local_time("starts_at");
    let duration = form.parse_opt("duration_minutes", "a number of minutes");
    let weekly = form.parse_opt("weekly_occurrences", "a number of weeks");
    let (Some(kind), Some(starts_at), Some(duration_minutes), Some(weekly_occurrences), false) =
        (kind, starts_at, duration, weekly, form.has_errors())
    else {
        return refused(&app, &user, id, None, form).await;
    };
    let input = AppointmentInput {
        kind,
        starts_at,
        duration_minutes,
        location: form.opt("location"),
        weekly_occurrences,
        book_anyway: form.checked("book_anyway"),
    };
    match supervision::schedule(&app, &user.actor, id, input).await {
        Ok(_) => Ok(back(id)),
        Err(e) => refused(&app, &user, id, Some(e), form).await,
    }
}

pub async fn record_outcome(
    State(app): State<App>,
    user: PageUser,
    PagePath((case, id)): PagePath<(CaseId, AppointmentId)>,
    Form(mut form): Form,
) -> PageResult<Response> {
    let version = form.parse::<i64>("version", "a version number");
    let outcome = form.parse::<Outcome>("outcome", "an outcome");
    let (Some(version), Some(outcome), false) = (version, outcome, form.has_errors()) else {
        return refused(&app, &user, case, None, form).await;
    };
    let input = OutcomeInput {
        version,
        outcome,
        note: form.opt("note"),
    };
    match supervision::record_outcome(&app, &user.actor, id, input).await {
        Ok(_) => Ok(back(case)),
        Err(e) => refused(&app, &user, case, Some(e), form).await,
    }
}

pub async fn log_contact(
    State(app): State<App>,
    user: PageUser,
    PagePath(id): PagePath<CaseId>,
    Form(mut form): Form,
) -> PageResult<Response> {
    let kind = form.parse::<ContactKind>("kind", "a kind of contact");
    let occurred_at = form.local_time("occurred_at");
    let collateral = form.parse_opt::<Collateral>("collateral", "a kind of collateral contact");
    let (Some(kind), Some(occurred_at), Some(collateral), false) =
        (kind, occurred_at, collateral, form.has_errors())
    else {
        return refused(&app, &user, id, None, form).await;
    };
    let input = ContactInput {
        kind,
        occurred_at,
        place: form.opt("place"),
        collateral,
        collateral_name: form.opt("collateral_name"),
        note: form.opt("note"),
    };
    match supervision::log_contact(&app, &user.actor, id, input).await {
        Ok(_) => Ok(back(id)),
        Err(e) => refused(&app, &user, id, Some(e), form).await,
    }
}

/// This page's routes.
pub fn routes() -> PageRoutes {
    PageRoutes::new()
        .post("/cases/{id}/supervision-level", set_level)
        .post("/cases/{id}/appointments", schedule)
        .post(
            "/cases/{id}/appointments/{appointment}/outcome",
            record_outcome,
        )
        .post("/cases/{id}/contacts", log_contact)
}
