//! The work queue and alerts.

use crate::app::casework::alerts::{self, ResolutionNote};
use crate::app::App;
use crate::domain::casework::alerts::{Rule, Severity};
use crate::domain::ids::AlertId;
use crate::store::casework::alerts::QueueFilter;
use crate::web::api::views::casework::alerts::WorkQueue;
use crate::web::error::{ApiResult, ErrorBody};
use crate::web::extract::{ApiJson, ApiPath, ApiQuery, ApiUser};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct QueueQuery {
    /// Continue after this alert (the previous page's `next_after`).
    after: Option<AlertId>,
    /// Only alerts of this rule.
    rule: Option<Rule>,
    /// Only alerts of this severity.
    severity: Option<Severity>,
}

/// Your open alerts (most severe, soonest due first) a page at a time,
/// today's appointments, and for a supervisor each officer's load.
#[utoipa::path(get, path = "/work-queue", tag = "alerts", params(QueueQuery),
    responses(
        (status = 200, body = WorkQueue),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn work_queue(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiQuery(q): ApiQuery<QueueQuery>,
) -> ApiResult<Json<WorkQueue>> {
    let only = QueueFilter {
        rule: q.rule,
        severity: q.severity,
    };
    Ok(Json(
        alerts::work_queue(&app, &actor, only, q.after)
            .await?
            .into(),
    ))
}

/// Marks an alert as seen.
#[utoipa::path(
    post,
    path = "/alerts/{id}/acknowledge",
    tag = "alerts",
    params(("id" = uuid::Uuid, Path)),
    responses(
        (status = 204),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody),
    )
)]
pub async fn acknowledge(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<AlertId>,
) -> ApiResult<StatusCode> {
    alerts::acknowledge(&app, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Resolution {
    /// What was done about it.
    note: ResolutionNote,
}

/// Resolves an alert with a note.
#[utoipa::path(
    post,
    path = "/alerts/{id}/resolve",
    tag = "alerts",
    params(("id" = uuid::Uuid, Path)),
    request_body = Resolution,
    responses(
        (status = 204),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn resolve(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<AlertId>,
    ApiJson(r): ApiJson<Resolution>,
) -> ApiResult<StatusCode> {
    alerts::resolve(&app, &actor, id, &r.note).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// This file's routes; each handler's `#[utoipa::path]` states its path once.
pub fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(work_queue))
        .routes(routes!(acknowledge))
        .routes(routes!(resolve))
}
