//! Case notes: drafts, signing, addenda and search.

use crate::app::casework::notes::{
    self, AddendumInput, DraftInput, NoteInput, SearchInput, SignInput,
};
use crate::app::App;
use crate::domain::ids::{CaseId, NoteId};
use crate::web::api::views::all;
use crate::web::api::views::casework::notes::{CaseNotes, NoteHit, NoteView};
use crate::web::error::{ApiResult, ErrorBody};
use crate::web::extract::{ApiJson, ApiPath, ApiUser};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// A case's signed notes and the caller's own drafts, newest first, with
/// addenda and risk-lexicon words highlighted (the read is audited).
#[utoipa::path(
    get,
    path = "/cases/{id}/notes",
    tag = "notes",
    params(("id" = uuid::Uuid, Path)),
    responses(
        (status = 200, body = CaseNotes),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
pub async fn of_case(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<CaseId>,
) -> ApiResult<Json<CaseNotes>> {
    Ok(Json(notes::of_case(&app, &actor, id).await?.into()))
}

/// Writes a note, kept as a draft unless `sign` is set.
#[utoipa::path(
    post,
    path = "/cases/{id}/notes",
    tag = "notes",
    params(("id" = uuid::Uuid, Path)),
    request_body = NoteInput,
    responses(
        (status = 201, body = NoteView),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn write(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<CaseId>,
    ApiJson(input): ApiJson<NoteInput>,
) -> ApiResult<(StatusCode, Json<NoteView>)> {
    Ok((
        StatusCode::CREATED,
        Json(notes::write(&app, &actor, id, input).await?.into()),
    ))
}

/// One note with its addenda (the read is audited).
#[utoipa::path(get, path = "/notes/{id}", tag = "notes", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = NoteView), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<NoteId>,
) -> ApiResult<Json<NoteView>> {
    Ok(Json(notes::get(&app, &actor, id).await?.into()))
}

/// Changes one's own draft; a signed note answers 409.
#[utoipa::path(
    put,
    path = "/notes/{id}",
    tag = "notes",
    params(("id" = uuid::Uuid, Path)),
    request_body = DraftInput,
    responses(
        (status = 200, body = NoteView),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn update(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<NoteId>,
    ApiJson(input): ApiJson<DraftInput>,
) -> ApiResult<Json<NoteView>> {
    Ok(Json(
        notes::update_draft(&app, &actor, id, input).await?.into(),
    ))
}

/// Signs one's own draft: from then on it cannot change.
#[utoipa::path(
    post,
    path = "/notes/{id}/sign",
    tag = "notes",
    params(("id" = uuid::Uuid, Path)),
    request_body = SignInput,
    responses(
        (status = 200, body = NoteView),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody),
    )
)]
pub async fn sign(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<NoteId>,
    ApiJson(input): ApiJson<SignInput>,
) -> ApiResult<Json<NoteView>> {
    Ok(Json(notes::sign(&app, &actor, id, input).await?.into()))
}

/// Adds an addendum (a correction or later fact) to a signed note.
#[utoipa::path(
    post,
    path = "/notes/{id}/addenda",
    tag = "notes",
    params(("id" = uuid::Uuid, Path)),
    request_body = AddendumInput,
    responses(
        (status = 201, body = NoteView),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn add_addendum(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<NoteId>,
    ApiJson(input): ApiJson<AddendumInput>,
) -> ApiResult<(StatusCode, Json<NoteView>)> {
    Ok((
        StatusCode::CREATED,
        Json(notes::add_addendum(&app, &actor, id, input).await?.into()),
    ))
}

/// Searches the signed notes of the cases the caller holds (every word must
/// appear, in any form); posted so the words stay out of URLs and logs.
#[utoipa::path(
    post,
    path = "/notes/search",
    tag = "notes",
    request_body = SearchInput,
    responses(
        (status = 200, body = Vec<NoteHit>),
        (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn search(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<SearchInput>,
) -> ApiResult<Json<Vec<NoteHit>>> {
    Ok(Json(all(notes::search(&app, &actor, input).await?)))
}

/// This file's routes; each handler's `#[utoipa::path]` states its path once.
pub fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(of_case, write))
        .routes(routes!(search))
        .routes(routes!(get, update))
        .routes(routes!(sign))
        .routes(routes!(add_addendum))
}
