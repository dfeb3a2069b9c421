//! Conditions of supervision and progress toward them.

use crate::app::casework::conditions::{
    self, ConditionUpdate, MarkMet, ProgressInput, TemplateInput, TermsInput,
};
use crate::app::App;
use crate::domain::ids::{CaseId, ConditionId, ProgramId};
use crate::web::api::views::all;
use crate::web::api::views::casework::conditions::{
    CaseConditions, ConditionRecord, ConditionView, StandardCondition,
};
use crate::web::error::{ApiResult, ErrorBody};
use crate::web::extract::{ApiJson, ApiPath, ApiUser};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// A case's conditions and how far along each is (the read is audited).
#[utoipa::path(
    get,
    path = "/cases/{id}/conditions",
    tag = "conditions",
    params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = CaseConditions), (status = 404, body = ErrorBody))
)]
pub async fn of_case(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<CaseId>,
) -> ApiResult<Json<CaseConditions>> {
    Ok(Json(conditions::of_case(&app, &actor, id).await?.into()))
}

/// Adds a condition to a case.
#[utoipa::path(
    post,
    path = "/cases/{id}/conditions",
    tag = "conditions",
    params(("id" = uuid::Uuid, Path)),
    request_body = TermsInput,
    responses(
        (status = 201, body = ConditionView),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn add(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<CaseId>,
    ApiJson(input): ApiJson<TermsInput>,
) -> ApiResult<(StatusCode, Json<ConditionView>)> {
    Ok((
        StatusCode::CREATED,
        Json(conditions::add(&app, &actor, id, input).await?.into()),
    ))
}

/// Adds the program's standard conditions the case does not have yet.
#[utoipa::path(
    post,
    path = "/cases/{id}/conditions/from-program",
    tag = "conditions",
    params(("id" = uuid::Uuid, Path)),
    responses(
        (status = 200, body = CaseConditions),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
pub async fn apply_program(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<CaseId>,
) -> ApiResult<Json<CaseConditions>> {
    Ok(Json(
        conditions::apply_program(&app, &actor, id).await?.into(),
    ))
}

/// One condition with its progress entries (the read is audited).
#[utoipa::path(
    get,
    path = "/conditions/{id}",
    tag = "conditions",
    params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = ConditionRecord), (status = 404, body = ErrorBody))
)]
pub async fn get(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<ConditionId>,
) -> ApiResult<Json<ConditionRecord>> {
    Ok(Json(conditions::view(&app, &actor, id).await?.into()))
}

/// Adjusts a condition's terms, or records a court's waiver or modification.
#[utoipa::path(
    put,
    path = "/conditions/{id}",
    tag = "conditions",
    params(("id" = uuid::Uuid, Path)),
    request_body = ConditionUpdate,
    responses(
        (status = 200, body = ConditionView),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn update(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<ConditionId>,
    ApiJson(input): ApiJson<ConditionUpdate>,
) -> ApiResult<Json<ConditionView>> {
    Ok(Json(
        conditions::update(&app, &actor, id, input).await?.into(),
    ))
}

/// Records progress toward a condition (hours, sessions, a payment, or a note).
#[utoipa::path(
    post,
    path = "/conditions/{id}/progress",
    tag = "conditions",
    params(("id" = uuid::Uuid, Path)),
    request_body = ProgressInput,
    responses(
        (status = 201, body = ConditionView),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn record_progress(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<ConditionId>,
    ApiJson(input): ApiJson<ProgressInput>,
) -> ApiResult<(StatusCode, Json<ConditionView>)> {
    Ok((
        StatusCode::CREATED,
        Json(
            conditions::record_progress(&app, &actor, id, input)
                .await?
                .into(),
        ),
    ))
}

/// Marks a condition without a target as met, or not.
#[utoipa::path(
    post,
    path = "/conditions/{id}/met",
    tag = "conditions",
    params(("id" = uuid::Uuid, Path)),
    request_body = MarkMet,
    responses(
        (status = 200, body = ConditionView),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn mark_met(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<ConditionId>,
    ApiJson(input): ApiJson<MarkMet>,
) -> ApiResult<Json<ConditionView>> {
    Ok(Json(
        conditions::mark_met(&app, &actor, id, input).await?.into(),
    ))
}

/// A program's standard conditions.
#[utoipa::path(
    get,
    path = "/programs/{id}/conditions",
    tag = "conditions",
    params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = Vec<StandardCondition>), (status = 404, body = ErrorBody))
)]
pub async fn templates(
    State(app): State<App>,
    ApiUser(_actor): ApiUser,
    ApiPath(id): ApiPath<ProgramId>,
) -> ApiResult<Json<Vec<StandardCondition>>> {
    Ok(Json(all(conditions::templates(&app, id).await?)))
}

/// Replaces a program's standard conditions (administrators).
#[utoipa::path(
    put,
    path = "/programs/{id}/conditions",
    tag = "conditions",
    params(("id" = uuid::Uuid, Path)),
    request_body = Vec<TemplateInput>,
    responses(
        (status = 200, body = Vec<StandardCondition>),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn set_templates(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<ProgramId>,
    ApiJson(input): ApiJson<Vec<TemplateInput>>,
) -> ApiResult<Json<Vec<StandardCondition>>> {
    Ok(Json(all(conditions::set_templates(
        &app, &actor, id, input,
    )
    .await?)))
}

/// This file's routes; each handler's `#[utoipa::path]` states its path once.
pub fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(of_case, add))
        .routes(routes!(apply_program))
        .routes(routes!(get, update))
        .routes(routes!(record_progress))
        .routes(routes!(mark_met))
        .routes(routes!(templates, set_templates))
}
