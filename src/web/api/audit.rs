use crate::app::audit::trail::{self, TrailQuery};
use crate::app::App;
use crate::domain::ids::PersonId;
use crate::web::api::views::audit::AuditEntry;
use crate::web::api::views::{all, Page};
use crate::web::error::{ApiResult, ErrorBody};
use crate::web::extract::{ApiQuery, ApiUser};
use axum::extract::State;
use axum::Json;
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Events on this participant's record or any of their cases.
    person_id: Option<PersonId>,
    /// Events by this user.
    username: Option<String>,
    /// One action (`person.view`) or a family of them (`auth.`); see docs/SECURITY.md for the list.
    action: Option<String>,
    /// First day (UTC), inclusive.
    from: Option<NaiveDate>,
    /// Last day (UTC), inclusive.
    to: Option<NaiveDate>,
    cursor: Option<i64>,
    /// 1 to 500 (default 100).
    limit: Option<i64>,
}

/// The audit trail, newest first (auditors). Reading it is audited.
#[utoipa::path(
    get,
    path = "/audit",
    tag = "audit",
    params(AuditQuery),
    responses(
        (status = 200, body = Page<AuditEntry>),
        (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn search(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Json<Page<AuditEntry>>> {
    let limit = q.limit.unwrap_or(100).clamp(1, 500);
    let query = TrailQuery {
        person: q.person_id,
        person_number: None,
        username: q.username,
        action: q.action,
        from: q.from,
        to: q.to,
        before_seq: q.cursor,
    };
    let items = trail::search(&app, &actor, &query, limit).await?;
    let next_cursor = (items.len() as i64 == limit)
        .then(|| items.last().map(|e| e.seq.to_string()))
        .flatten();
    Ok(Json(Page {
        items: all(items),
        next_cursor,
    }))
}

/// This file's routes; each handler's `#[utoipa::path]` states its path once.
pub fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::new().routes(routes!(search))
}
