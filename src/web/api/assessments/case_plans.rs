//! Case plans: a case's versions, one version whole, a draft saved, signed,
//! countersigned and agreed, and progress on its goals and steps.

use crate::app::assessments::case_plans::{
    self as plans, AgreementInput, DraftInput, NewVersion, ProgressInput, Signing,
};
use crate::app::App;
use crate::domain::ids::{CaseId, PlanId, PlanItemId};
use crate::web::api::views::assessments::case_plans::{CasePlan, CasePlanList};
use crate::web::error::{ApiResult, ErrorBody};
use crate::web::extract::{ApiJson, ApiPath, ApiUser};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// A case's plan versions, newest first, and when its review is due (the
/// read is audited).
#[utoipa::path(
    get,
    path = "/cases/{id}/case-plans",
    tag = "case plans",
    params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = CasePlanList), (status = 404, body = ErrorBody))
)]
pub async fn of_case(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<CaseId>,
) -> ApiResult<Json<CasePlanList>> {
    Ok(Json(plans::of_case(&app, &actor, id).await?.into()))
}

/// Starts a version: the initial plan (empty), or a review, transfer or
/// closing plan copying the version in force. It answers the needs of the
/// case's latest assessment that identifies them (422 if there is none).
#[utoipa::path(
    post,
    path = "/cases/{id}/case-plans",
    tag = "case plans",
    params(("id" = uuid::Uuid, Path)),
    request_body = NewVersion,
    responses(
        (status = 201, body = CasePlan),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn start(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<CaseId>,
    ApiJson(input): ApiJson<NewVersion>,
) -> ApiResult<(StatusCode, Json<CasePlan>)> {
    let started = plans::start(&app, &actor, id, input).await?;
    Ok((StatusCode::CREATED, Json(started.into())))
}

/// One version whole: goals, steps, where each stands, what changed from
/// the version before, and progress (the read is audited).
#[utoipa::path(
    get,
    path = "/case-plans/{id}",
    tag = "case plans",
    params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = CasePlan), (status = 404, body = ErrorBody))
)]
pub async fn get(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<PlanId>,
) -> ApiResult<Json<CasePlan>> {
    Ok(Json(plans::get(&app, &actor, id).await?.into()))
}

/// Saves a draft's goals and steps whole (a goal or step keeps its key;
/// one without a key is new). A signed version is refused with 409.
#[utoipa::path(
    put,
    path = "/case-plans/{id}",
    tag = "case plans",
    params(("id" = uuid::Uuid, Path)),
    request_body = DraftInput,
    responses(
        (status = 200, body = CasePlan),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn save(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<PlanId>,
    ApiJson(input): ApiJson<DraftInput>,
) -> ApiResult<Json<CasePlan>> {
    Ok(Json(plans::save(&app, &actor, id, input).await?.into()))
}

/// Signs a draft: it never changes after. A high-risk case's plan then
/// waits for a supervisor's countersignature; the next review falls due.
#[utoipa::path(
    post,
    path = "/case-plans/{id}/sign",
    tag = "case plans",
    params(("id" = uuid::Uuid, Path)),
    request_body = Signing,
    responses(
        (status = 200, body = CasePlan),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn sign(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<PlanId>,
    ApiJson(input): ApiJson<Signing>,
) -> ApiResult<Json<CasePlan>> {
    Ok(Json(plans::sign(&app, &actor, id, input).await?.into()))
}

/// Countersigns a high-risk case's signed plan: a supervisor other than
/// its signer (403 otherwise).
#[utoipa::path(
    post,
    path = "/case-plans/{id}/countersign",
    tag = "case plans",
    params(("id" = uuid::Uuid, Path)),
    request_body = Signing,
    responses(
        (status = 200, body = CasePlan),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody),
    )
)]
pub async fn countersign(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<PlanId>,
    ApiJson(input): ApiJson<Signing>,
) -> ApiResult<Json<CasePlan>> {
    Ok(Json(
        plans::countersign(&app, &actor, id, input).await?.into(),
    ))
}

/// Records the participant's answer to a signed version: agreed, does not
/// agree or could not answer, with their comment and the day.
#[utoipa::path(
    post,
    path = "/case-plans/{id}/agreement",
    tag = "case plans",
    params(("id" = uuid::Uuid, Path)),
    request_body = AgreementInput,
    responses(
        (status = 200, body = CasePlan),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn agreement(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<PlanId>,
    ApiJson(input): ApiJson<AgreementInput>,
) -> ApiResult<Json<CasePlan>> {
    Ok(Json(
        plans::record_agreement(&app, &actor, id, input)
            .await?
            .into(),
    ))
}

/// Records progress on a goal or step (by its key): a dated note, a new
/// status, or both. A step linked to a condition or series takes its
/// status from it (422). Returns the newest version holding the item.
#[utoipa::path(
    post,
    path = "/plan-items/{key}/progress",
    tag = "case plans",
    params(("key" = uuid::Uuid, Path)),
    request_body = ProgressInput,
    responses(
        (status = 201, body = CasePlan),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn progress(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath(key): ApiPath<PlanItemId>,
    ApiJson(input): ApiJson<ProgressInput>,
) -> ApiResult<(StatusCode, Json<CasePlan>)> {
    let shown = plans::record_progress(&app, &actor, key, input).await?;
    Ok((StatusCode::CREATED, Json(shown.into())))
}

/// This file's routes.
pub fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(of_case, start))
        .routes(routes!(get, save))
        .routes(routes!(sign))
        .routes(routes!(countersign))
        .routes(routes!(agreement))
        .routes(routes!(progress))
}
