use crate::app::programs::{self, ProgramInput, ProgramUpdate};
use crate::app::App;
use crate::domain::ids::ProgramId;
use crate::web::api::views::all;
use crate::web::api::views::programs::Program;
use crate::web::error::{ApiResult, ErrorBody};
use crate::web::extract::{ApiJson, ApiPath, ApiUser};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Every program.
#[utoipa::path(
    get,
    path = "/programs",
    tag = "programs",
    responses((status = 200, body = Vec<Program>))
)]
pub async fn list(State(app): State<App>, ApiUser(_): ApiUser) -> ApiResult<Json<Vec<Program>>> {
    Ok(Json(all(programs::list(&app).await?)))
}

/// One program.
#[utoipa::path(get, path = "/programs/{id}", tag = "programs", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = Program), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(app): State<App>,
    ApiUser(_): ApiUser,
    ApiPath(id): ApiPath<ProgramId>,
) -> ApiResult<Json<Program>> {
    Ok(Json(programs::get(&app, id).await?.into()))
}

/// Creates a program (administrators).
#[utoipa::path(
    post,
    path = "/programs",
    tag = "programs",
    request_body = ProgramInput,
    responses(
        (status = 201, body = Program),
        (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn create(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<ProgramInput>,
) -> ApiResult<(StatusCode, Json<Program>)> {
    Ok((
        StatusCode::CREATED,
        Json(programs::create(&app, &actor, input).await?.into()),
    ))
}

/// Changes a program (administrators).
#[utoipa::path(
    put,
    path = "/programs/{id}",
    tag = "programs",
    params(("id" = uuid::Uuid, Path)),
    request_body = ProgramUpdate,
    responses(
        (status = 200, body = Program),
        (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn update(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<ProgramId>,
    ApiJson(input): ApiJson<ProgramUpdate>,
) -> ApiResult<Json<Program>> {
    Ok(Json(
        programs::update(&app, &actor, id, input).await?.into(),
    ))
}

/// This file's routes; each handler's `#[utoipa::path]` states its path once.
pub fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get, update))
}
