use crate::app::people::{self, PersonInput, PersonUpdate, SearchText};
use crate::app::App;
use crate::domain::casework::timeline::{Depth, MomentKind, TimelineQuery};
use crate::domain::ids::PersonId;
use crate::web::api::views::people::{PersonSummary, PersonView, PossibleDuplicate, SearchResult};
use crate::web::api::views::{all, Page};
use crate::web::error::{ApiResult, ErrorBody};
use crate::web::extract::{ApiJson, ApiPath, ApiQuery, ApiUser};
use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Only people whose family name starts with this.
    name: Option<String>,
    cursor: Option<String>,
    /// 1 to 200 (default 50).
    limit: Option<i64>,
}

/// People, by name, a page at a time.
#[utoipa::path(
    get,
    path = "/people",
    tag = "people",
    params(ListQuery),
    responses(
        (status = 200, body = Page<PersonSummary>),
        (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn list(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Page<PersonSummary>>> {
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    let (rows, next_cursor) =
        people::list(&app, &actor, q.name.as_deref(), q.cursor.as_deref(), limit).await?;
    Ok(Json(Page {
        items: rows.into_iter().map(PersonSummary::from).collect(),
        next_cursor,
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    /// A name ("Smith", "Ann Smith", "Smith, Ann"), a date of birth, an identifier, a person,
    /// docket or case number.
    q: SearchText,
}

/// Searches the agency's people. The query travels in the body, so names and
/// dates of birth never appear in URLs or access logs.
#[utoipa::path(post, path = "/search", tag = "people", request_body = SearchQuery,
    responses((status = 200, body = Vec<SearchResult>), (status = 422, body = ErrorBody)))]
pub async fn search(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiJson(q): ApiJson<SearchQuery>,
) -> ApiResult<Json<Vec<SearchResult>>> {
    let found = people::search(&app, &actor, &q.q, 100).await?;
    Ok(Json(found.into_iter().map(SearchResult::from).collect()))
}

/// Which part of the timeline a record comes with.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TimelineParams {
    /// Only moments of this kind.
    timeline_kind: Option<MomentKind>,
    /// Up to a thousand of each kind on each case instead of the latest
    /// fifty, 200 moments a page.
    #[serde(default)]
    whole_history: bool,
    /// With `whole_history`, the page of moments before this time: the
    /// `timeline_older` of the page before.
    before: Option<chrono::DateTime<chrono::Utc>>,
}

/// A participant's record, with their cases and timeline. The read is audited.
#[utoipa::path(get, path = "/people/{id}", tag = "people",
    params(("id" = uuid::Uuid, Path), TimelineParams),
    responses((status = 200, body = PersonView), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn get(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<PersonId>,
    ApiQuery(q): ApiQuery<TimelineParams>,
) -> ApiResult<Json<PersonView>> {
    let timeline = TimelineQuery {
        kind: q.timeline_kind,
        depth: if q.whole_history {
            Depth::Whole
        } else {
            Depth::Recent
        },
        before: q.before,
    };
    Ok(Json(people::view(&app, &actor, id, timeline).await?.into()))
}

/// Corrects a participant's details.
#[utoipa::path(
    put,
    path = "/people/{id}",
    tag = "people",
    params(("id" = uuid::Uuid, Path)),
    request_body = PersonUpdate,
    responses(
        (status = 200, body = PersonView),
        (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn update(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<PersonId>,
    ApiJson(input): ApiJson<PersonUpdate>,
) -> ApiResult<Json<PersonView>> {
    people::update(&app, &actor, id, input).await?;
    let view = people::view(&app, &actor, id, TimelineQuery::default()).await?;
    Ok(Json(view.into()))
}

/// Existing people who may be the one described (nothing is stored).
#[utoipa::path(post, path = "/people/duplicates", tag = "people", request_body = PersonInput,
    responses((status = 200, body = Vec<PossibleDuplicate>), (status = 422, body = ErrorBody)))]
pub async fn duplicates(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<PersonInput>,
) -> ApiResult<Json<Vec<PossibleDuplicate>>> {
    Ok(Json(all(
        people::check_duplicates(&app, &actor, &input).await?
    )))
}

/// This file's routes; each handler's `#[utoipa::path]` states its path once.
pub fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(duplicates))
        .routes(routes!(get, update))
        .routes(routes!(search))
}
