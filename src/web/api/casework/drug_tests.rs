//! Drug and alcohol tests.

use crate::app::casework::drug_tests::{self, DrugTestInput, ResultsUpdate};
use crate::app::App;
use crate::domain::ids::{CaseId, DrugTestId};
use crate::web::api::views::casework::drug_tests::{CaseTests, DrugTest};
use crate::web::error::{ApiResult, ErrorBody};
use crate::web::extract::{ApiJson, ApiPath, ApiUser};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// A case's drug and alcohol tests, newest first (the read is audited).
#[utoipa::path(
    get,
    path = "/cases/{id}/drug-tests",
    tag = "drug_tests",
    params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = CaseTests), (status = 404, body = ErrorBody))
)]
pub async fn of_case(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<CaseId>,
) -> ApiResult<Json<CaseTests>> {
    Ok(Json(drug_tests::of_case(&app, &actor, id).await?.into()))
}

/// Records a test: the specimen and each substance's result, or a refusal or no-show.
#[utoipa::path(
    post,
    path = "/cases/{id}/drug-tests",
    tag = "drug_tests",
    params(("id" = uuid::Uuid, Path)),
    request_body = DrugTestInput,
    responses(
        (status = 201, body = DrugTest),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn record(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<CaseId>,
    ApiJson(input): ApiJson<DrugTestInput>,
) -> ApiResult<(StatusCode, Json<DrugTest>)> {
    Ok((
        StatusCode::CREATED,
        Json(drug_tests::record(&app, &actor, id, input).await?.into()),
    ))
}

/// Replaces a test's results, e.g. with a laboratory's confirmation.
#[utoipa::path(
    put,
    path = "/drug-tests/{id}/results",
    tag = "drug_tests",
    params(("id" = uuid::Uuid, Path)),
    request_body = ResultsUpdate,
    responses(
        (status = 200, body = DrugTest),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn update_results(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<DrugTestId>,
    ApiJson(input): ApiJson<ResultsUpdate>,
) -> ApiResult<Json<DrugTest>> {
    Ok(Json(
        drug_tests::update_results(&app, &actor, id, input)
            .await?
            .into(),
    ))
}

/// This file's routes; each handler's `#[utoipa::path]` states its path once.
pub fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(of_case, record))
        .routes(routes!(update_results))
}
