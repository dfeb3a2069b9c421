//! Risk and needs assessments: the instruments loaded, assessments on a
//! case (started, answered as a draft, completed and signed), and proposed
//! overrides of their levels with a supervisor's decision.

pub mod case_plans;

use crate::app::assessments::case_assessments::{self, AnswersInput, Start};
use crate::app::assessments::instruments;
use crate::app::assessments::overrides::{self, Decision, Proposal};
use crate::app::App;
use crate::domain::ids::{AssessmentId, CaseId, OverrideId};
use crate::web::api::views::all;
use crate::web::api::views::assessments::{
    Assessment, AssessmentSummary, Instrument, InstrumentDefinition,
};
use crate::web::error::{ApiResult, ErrorBody};
use crate::web::extract::{ApiJson, ApiPath, ApiUser};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Every version of every instrument loaded, by instrument and newest
/// version first.
#[utoipa::path(
    get,
    path = "/instruments",
    tag = "assessments",
    responses((status = 200, body = Vec<Instrument>), (status = 403, body = ErrorBody))
)]
pub async fn list(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
) -> ApiResult<Json<Vec<Instrument>>> {
    Ok(Json(all(instruments::list(&app, Some(&actor)).await?)))
}

/// One version of an instrument with its whole definition: the questions
/// to ask and how answers are scored.
#[utoipa::path(
    get,
    path = "/instruments/{instrument_id}/versions/{version}",
    tag = "assessments",
    params(("instrument_id" = String, Path), ("version" = i32, Path)),
    responses(
        (status = 200, body = InstrumentDefinition),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
pub async fn definition(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath((instrument_id, version)): ApiPath<(String, i32)>,
) -> ApiResult<Json<InstrumentDefinition>> {
    let (row, definition) = instruments::definition(&app, &actor, &instrument_id, version).await?;
    Ok(Json(InstrumentDefinition {
        instrument: row.into(),
        definition,
    }))
}

/// A case's assessments, newest first (the read is audited).
#[utoipa::path(
    get,
    path = "/cases/{id}/assessments",
    tag = "assessments",
    params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = Vec<AssessmentSummary>), (status = 404, body = ErrorBody))
)]
pub async fn of_case(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<CaseId>,
) -> ApiResult<Json<Vec<AssessmentSummary>>> {
    let listed = case_assessments::of_case(&app, &actor, id).await?;
    Ok(Json(all(listed.assessments)))
}

/// Starts an assessment on a case: a draft with what the record knows
/// filled in (age, charges, prior convictions), for the assessor to confirm.
#[utoipa::path(
    post,
    path = "/cases/{id}/assessments",
    tag = "assessments",
    params(("id" = uuid::Uuid, Path)),
    request_body = Start,
    responses(
        (status = 201, body = Assessment),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn start(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<CaseId>,
    ApiJson(input): ApiJson<Start>,
) -> ApiResult<(StatusCode, Json<Assessment>)> {
    let started = case_assessments::start(&app, &actor, id, input).await?;
    Ok((StatusCode::CREATED, Json(started.into())))
}

/// One assessment: answers, score, proposals and the recommended
/// supervision level (the read is audited).
#[utoipa::path(
    get,
    path = "/assessments/{id}",
    tag = "assessments",
    params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = Assessment), (status = 404, body = ErrorBody))
)]
pub async fn get(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<AssessmentId>,
) -> ApiResult<Json<Assessment>> {
    Ok(Json(case_assessments::get(&app, &actor, id).await?.into()))
}

/// Saves answers on a draft (its assessor's) and returns the live score.
/// An answer the item refuses, or answers that contradict each other, are
/// refused with 422 naming the items.
#[utoipa::path(
    put,
    path = "/assessments/{id}/answers",
    tag = "assessments",
    params(("id" = uuid::Uuid, Path)),
    request_body = AnswersInput,
    responses(
        (status = 200, body = Assessment),
        (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn answer(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<AssessmentId>,
    ApiJson(input): ApiJson<AnswersInput>,
) -> ApiResult<Json<Assessment>> {
    Ok(Json(
        case_assessments::answer(&app, &actor, id, input)
            .await?
            .into(),
    ))
}

/// The version a completion names.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Completion {
    pub version: i64,
}

/// Completes and signs a draft: every item that is not optional must be
/// answered (422 names each one that is not). The result is kept.
#[utoipa::path(
    post,
    path = "/assessments/{id}/complete",
    tag = "assessments",
    params(("id" = uuid::Uuid, Path)),
    request_body = Completion,
    responses(
        (status = 200, body = Assessment),
        (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn complete(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<AssessmentId>,
    ApiJson(input): ApiJson<Completion>,
) -> ApiResult<Json<Assessment>> {
    let done = case_assessments::complete(&app, &actor, id, input.version).await?;
    Ok(Json(done.into()))
}

/// Proposes a level other than a completed assessment's computed one,
/// with a reason from the agency's list; a supervisor decides.
#[utoipa::path(
    post,
    path = "/assessments/{id}/overrides",
    tag = "assessments",
    params(("id" = uuid::Uuid, Path)),
    request_body = Proposal,
    responses(
        (status = 201, body = Assessment),
        (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn propose(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<AssessmentId>,
    ApiJson(input): ApiJson<Proposal>,
) -> ApiResult<(StatusCode, Json<Assessment>)> {
    let proposed = overrides::propose(&app, &actor, id, input).await?;
    Ok((StatusCode::CREATED, Json(proposed.into())))
}

/// Approves or rejects a proposed level: a supervisor who neither made
/// the assessment nor proposed the level (403 otherwise).
#[utoipa::path(
    post,
    path = "/assessment-overrides/{id}/decision",
    tag = "assessments",
    params(("id" = uuid::Uuid, Path)),
    request_body = Decision,
    responses(
        (status = 200, body = Assessment),
        (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn decide(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<OverrideId>,
    ApiJson(input): ApiJson<Decision>,
) -> ApiResult<Json<Assessment>> {
    Ok(Json(
        overrides::decide(&app, &actor, id, input).await?.into(),
    ))
}

/// This file's routes.
pub fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(definition))
        .routes(routes!(of_case, start))
        .routes(routes!(get))
        .routes(routes!(answer))
        .routes(routes!(complete))
        .routes(routes!(propose))
        .routes(routes!(decide))
        .merge(case_plans::routes())
}
