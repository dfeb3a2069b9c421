use crate::app::casework::caseload::{self, CaseloadQuery};
use crate::app::casework::cases::{self, CaseUpdate, ChargesUpdate, ShareInput, TransitionInput};
use crate::app::App;
use crate::domain::casework::cases::CaseStatus;
use crate::domain::casework::supervision::SupervisionLevel;
use crate::domain::ids::{CaseId, ProgramId, UserId};
use crate::store::casework::cases::CaseSort;
use crate::web::api::views::casework::cases::{CaseView, Share};
use crate::web::api::views::{all, Page};
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
pub struct ListQuery {
    status: Option<CaseStatus>,
    /// Include completed, terminated and closed cases.
    #[serde(default)]
    include_closed: bool,
    program_id: Option<ProgramId>,
    officer_id: Option<UserId>,
    /// Only cases with no contact with the participant for as long as
    /// raises the no-contact alert (the agency's `no_contact_days`).
    #[serde(default)]
    silent: bool,
    /// Only cases with open alerts.
    #[serde(default)]
    with_open_alerts: bool,
    /// Only cases supervised at this level.
    level: Option<SupervisionLevel>,
    cursor: Option<String>,
    /// 1 to 200 (default 50).
    limit: Option<i64>,
}

/// The caseload, by case number, a page at a time.
#[utoipa::path(get, path = "/cases", tag = "cases", params(ListQuery),
    responses((status = 200, body = Page<CaseView>), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Page<CaseView>>> {
    let query = CaseloadQuery {
        status: q.status,
        include_closed: q.include_closed,
        program: q.program_id,
        officer: q.officer_id,
        silent: q.silent,
        with_open_alerts: q.with_open_alerts,
        level: q.level,
        sort: CaseSort::CaseNumber,
        after: q.cursor,
        offset: 0,
        limit: q.limit.unwrap_or(50),
    };
    let load = caseload::caseload(&app, &actor, &query).await?;
    Ok(Json(Page {
        items: load
            .cases
            .into_iter()
            .map(|l| CaseView::from(l.row.case))
            .collect(),
        next_cursor: load.next_cursor,
    }))
}

/// One case with its charges and status history. The read is audited.
#[utoipa::path(get, path = "/cases/{id}", tag = "cases", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = CaseView), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<CaseId>,
) -> ApiResult<Json<CaseView>> {
    Ok(Json(cases::view(&app, &actor, id).await?.into()))
}

/// Corrects referral and court details, or reassigns the officer.
#[utoipa::path(
    put,
    path = "/cases/{id}",
    tag = "cases",
    params(("id" = uuid::Uuid, Path)),
    request_body = CaseUpdate,
    responses(
        (status = 200, body = CaseView),
        (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn update(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<CaseId>,
    ApiJson(input): ApiJson<CaseUpdate>,
) -> ApiResult<Json<CaseView>> {
    Ok(Json(cases::update(&app, &actor, id, input).await?.into()))
}

/// Corrects a case's charges: the list sent replaces the one recorded (a
/// case in screening is screened again).
#[utoipa::path(
    put,
    path = "/cases/{id}/charges",
    tag = "cases",
    params(("id" = uuid::Uuid, Path)),
    request_body = ChargesUpdate,
    responses(
        (status = 200, body = CaseView),
        (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn correct_charges(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<CaseId>,
    ApiJson(input): ApiJson<ChargesUpdate>,
) -> ApiResult<Json<CaseView>> {
    let (case, charges) = cases::correct_charges(&app, &actor, id, input).await?;
    Ok(Json(CaseView::new(case, charges, Vec::new())))
}

/// Moves a case along its lifecycle.
#[utoipa::path(
    post,
    path = "/cases/{id}/transitions",
    tag = "cases",
    params(("id" = uuid::Uuid, Path)),
    request_body = TransitionInput,
    responses(
        (status = 200, body = CaseView),
        (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn transition(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<CaseId>,
    ApiJson(input): ApiJson<TransitionInput>,
) -> ApiResult<Json<CaseView>> {
    Ok(Json(
        cases::transition(&app, &actor, id, input).await?.into(),
    ))
}

/// Shares a case with another officer or supervisor, who may then see and
/// work it (covering for leave, joint supervision). Whoever holds the case may.
#[utoipa::path(
    post,
    path = "/cases/{id}/shares",
    tag = "cases",
    params(("id" = uuid::Uuid, Path)),
    request_body = ShareInput,
    responses(
        (status = 201, body = Vec<Share>),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn share(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<CaseId>,
    ApiJson(input): ApiJson<ShareInput>,
) -> ApiResult<(StatusCode, Json<Vec<Share>>)> {
    Ok((
        StatusCode::CREATED,
        Json(all(cases::share(&app, &actor, id, input).await?)),
    ))
}

/// Ends a share.
#[utoipa::path(delete, path = "/cases/{id}/shares/{username}", tag = "cases",
    params(("id" = uuid::Uuid, Path), ("username" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn unshare(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath((id, username)): ApiPath<(CaseId, String)>,
) -> ApiResult<StatusCode> {
    cases::unshare(&app, &actor, id, &username).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// This file's routes; each handler's `#[utoipa::path]` states its path once.
pub fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(get, update))
        .routes(routes!(correct_charges))
        .routes(routes!(transition))
        .routes(routes!(share))
        .routes(routes!(unshare))
}
