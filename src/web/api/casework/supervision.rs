//! Supervision levels, appointments and contacts.

use crate::app::casework::appointments::{self, AppointmentChange, Cancellation};
use crate::app::casework::supervision::{
    self, AppointmentInput, ContactInput, LevelChange, OutcomeInput,
};
use crate::app::App;
use crate::domain::ids::{AppointmentId, CaseId};
use crate::web::api::views::all;
use crate::web::api::views::casework::supervision::{Appointment, Contact, Overview};
use crate::web::error::{ApiResult, ErrorBody};
use crate::web::extract::{ApiJson, ApiPath, ApiUser};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// A case's supervision level, this month's contacts against its standard,
/// appointments and contacts (the read is audited).
#[utoipa::path(
    get,
    path = "/cases/{id}/supervision",
    tag = "supervision",
    params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = Overview), (status = 404, body = ErrorBody))
)]
pub async fn overview(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<CaseId>,
) -> ApiResult<Json<Overview>> {
    Ok(Json(supervision::overview(&app, &actor, id).await?.into()))
}

/// Sets a case's supervision level.
#[utoipa::path(
    put,
    path = "/cases/{id}/supervision-level",
    tag = "supervision",
    params(("id" = uuid::Uuid, Path)),
    request_body = LevelChange,
    responses(
        (status = 200, body = Overview),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn set_level(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<CaseId>,
    ApiJson(input): ApiJson<LevelChange>,
) -> ApiResult<Json<Overview>> {
    supervision::set_level(&app, &actor, id, input).await?;
    Ok(Json(supervision::overview(&app, &actor, id).await?.into()))
}

/// Schedules an appointment, or a weekly series.
#[utoipa::path(
    post,
    path = "/cases/{id}/appointments",
    tag = "supervision",
    params(("id" = uuid::Uuid, Path)),
    request_body = AppointmentInput,
    responses(
        (status = 201, body = Vec<Appointment>),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn schedule(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<CaseId>,
    ApiJson(input): ApiJson<AppointmentInput>,
) -> ApiResult<(StatusCode, Json<Vec<Appointment>>)> {
    Ok((
        StatusCode::CREATED,
        Json(all(supervision::schedule(&app, &actor, id, input).await?)),
    ))
}

/// Records what happened at an appointment.
#[utoipa::path(
    post,
    path = "/appointments/{id}/outcome",
    tag = "supervision",
    params(("id" = uuid::Uuid, Path)),
    request_body = OutcomeInput,
    responses(
        (status = 200, body = Appointment),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn record_outcome(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<AppointmentId>,
    ApiJson(input): ApiJson<OutcomeInput>,
) -> ApiResult<Json<Appointment>> {
    Ok(Json(
        supervision::record_outcome(&app, &actor, id, input)
            .await?
            .into(),
    ))
}

/// One appointment (the read is audited as a view of its case's supervision).
#[utoipa::path(
    get,
    path = "/appointments/{id}",
    tag = "supervision",
    params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = Appointment), (status = 404, body = ErrorBody))
)]
pub async fn appointment(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<AppointmentId>,
) -> ApiResult<Json<Appointment>> {
    Ok(Json(
        appointments::view(&app, &actor, id)
            .await?
            .appointment
            .into(),
    ))
}

/// Moves or edits an appointment still to be kept, or it and the later
/// occurrences of its weekly series (`span: following`); a double booking
/// is refused with 422 unless `book_anyway`. Returns what changed.
#[utoipa::path(
    put,
    path = "/appointments/{id}",
    tag = "supervision",
    params(("id" = uuid::Uuid, Path)),
    request_body = AppointmentChange,
    responses(
        (status = 200, body = Vec<Appointment>),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn reschedule(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<AppointmentId>,
    ApiJson(change): ApiJson<AppointmentChange>,
) -> ApiResult<Json<Vec<Appointment>>> {
    Ok(Json(all(appointments::reschedule(
        &app, &actor, id, change,
    )
    .await?)))
}

/// Cancels an appointment still to be kept, or it and the later
/// occurrences of its weekly series (`span: following`). Returns what was
/// cancelled.
#[utoipa::path(
    post,
    path = "/appointments/{id}/cancel",
    tag = "supervision",
    params(("id" = uuid::Uuid, Path)),
    request_body = Cancellation,
    responses(
        (status = 200, body = Vec<Appointment>),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn cancel(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<AppointmentId>,
    ApiJson(input): ApiJson<Cancellation>,
) -> ApiResult<Json<Vec<Appointment>>> {
    Ok(Json(all(
        appointments::cancel(&app, &actor, id, input).await?
    )))
}

/// Logs a contact with the participant or a collateral contact.
#[utoipa::path(
    post,
    path = "/cases/{id}/contacts",
    tag = "supervision",
    params(("id" = uuid::Uuid, Path)),
    request_body = ContactInput,
    responses(
        (status = 201, body = Contact),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn log_contact(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<CaseId>,
    ApiJson(input): ApiJson<ContactInput>,
) -> ApiResult<(StatusCode, Json<Contact>)> {
    Ok((
        StatusCode::CREATED,
        Json(
            supervision::log_contact(&app, &actor, id, input)
                .await?
                .into(),
        ),
    ))
}

/// This file's routes; each handler's `#[utoipa::path]` states its path once.
pub fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(overview))
        .routes(routes!(set_level))
        .routes(routes!(schedule))
        .routes(routes!(record_outcome))
        .routes(routes!(appointment, reschedule))
        .routes(routes!(cancel))
        .routes(routes!(log_contact))
}
