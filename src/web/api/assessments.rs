//! Risk and needs assessments: the instruments loaded.

use crate::app::assessments::instruments;
use crate::app::App;
use crate::web::api::views::all;
use crate::web::api::views::assessments::Instrument;
use crate::web::error::{ApiResult, ErrorBody};
use crate::web::extract::ApiUser;
use axum::extract::State;
use axum::Json;
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

/// This file's routes.
pub fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::new().routes(routes!(list))
}
