use crate::app::offices::{self, OfficeInput, OfficeUpdate, Placement};
use crate::app::App;
use crate::domain::ids::OfficeId;
use crate::web::api::views::all;
use crate::web::api::views::offices::Office;
use crate::web::error::{ApiResult, ErrorBody};
use crate::web::extract::{ApiJson, ApiPath, ApiUser};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Every office, by name, with how many active staff each holds.
#[utoipa::path(get, path = "/offices", tag = "offices", responses((status = 200, body = Vec<Office>)))]
pub async fn list(State(app): State<App>, ApiUser(_): ApiUser) -> ApiResult<Json<Vec<Office>>> {
    Ok(Json(all(offices::list(&app).await?)))
}

/// Opens an office (administrators).
#[utoipa::path(
    post,
    path = "/offices",
    tag = "offices",
    request_body = OfficeInput,
    responses(
        (status = 201, body = Office),
        (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn create(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<OfficeInput>,
) -> ApiResult<(StatusCode, Json<Office>)> {
    let office = offices::create(&app, &actor, input).await?;
    Ok((StatusCode::CREATED, Json(office.into())))
}

/// Changes an office, or closes it (administrators).
#[utoipa::path(
    put,
    path = "/offices/{id}",
    tag = "offices",
    params(("id" = uuid::Uuid, Path)),
    request_body = OfficeUpdate,
    responses(
        (status = 200, body = Office),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn update(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<OfficeId>,
    ApiJson(input): ApiJson<OfficeUpdate>,
) -> ApiResult<Json<Office>> {
    Ok(Json(offices::update(&app, &actor, id, input).await?.into()))
}

/// Places a member of staff in an office, or in none (administrators).
#[utoipa::path(
    put,
    path = "/users/{username}/office",
    tag = "users",
    params(("username" = String, Path)),
    request_body = Placement,
    responses(
        (status = 204),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn place(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath(username): ApiPath<String>,
    ApiJson(placement): ApiJson<Placement>,
) -> ApiResult<StatusCode> {
    offices::place(&app, &actor, &username, placement).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// This file's routes; each handler's `#[utoipa::path]` states its path once.
pub fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(update))
        .routes(routes!(place))
}
