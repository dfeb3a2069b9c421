//! Taking in a referral.

use crate::app::intake::{self, IntakeInput, IntakeOutcome};
use crate::app::App;
use crate::web::api::views::all;
use crate::web::api::views::people::{DuplicatesFound, IntakeResult};
use crate::web::error::{ApiResult, ErrorBody};
use crate::web::extract::{ApiJson, ApiUser};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Takes in a referral: finds or enters the person, opens the case and screens it.
/// When possible duplicates are found nothing is stored: send again with
/// `person_id` of the existing person, or with `confirm_new_person: true`.
#[utoipa::path(
    post,
    path = "/intake",
    tag = "cases",
    request_body = IntakeInput,
    responses(
        (status = 201, body = IntakeResult),
        (status = 409, body = DuplicatesFound),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn intake(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<IntakeInput>,
) -> ApiResult<Response> {
    Ok(match intake::take_in(&app, &actor, input).await? {
        IntakeOutcome::Opened(result) => {
            (StatusCode::CREATED, Json(IntakeResult::from(result))).into_response()
        }
        IntakeOutcome::PossibleDuplicates(list) => (
            StatusCode::CONFLICT,
            Json(DuplicatesFound {
                code: "possible_duplicates",
                message: "people already on record may be the one referred".into(),
                possible_duplicates: all(list),
            }),
        )
            .into_response(),
    })
}

/// This file's routes; each handler's `#[utoipa::path]` states its path once.
pub fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::new().routes(routes!(intake))
}
