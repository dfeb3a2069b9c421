//! The JSON API under `/api/v1`, described by an OpenAPI 3.1 document
//! generated from these handlers.

mod access;
mod assessments;
mod audit;
mod casework;
mod intake;
mod offices;
mod people;
mod programs;
mod refusals;
pub mod views;

use crate::app::App;
use crate::web::error::ErrorBody;
use axum::routing::get;
use axum::{Json, Router};
use std::sync::Arc;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

#[derive(OpenApi)]
#[openapi(
    info(title = "Bridgeway API", description = "Case management for probation, pretrial services \
                                                 and diversion programs. Authenticate with \
                                                 `Authorization: Bearer <token>` (see `bridgeway \
                                                 admin create-token`) or the session cookie. \
                                                 Errors are JSON `{code, message, fields}`; bad \
                                                 input is 422 naming the field; a write on a stale \
                                                 `version` is 409 `stale_version` (reload and \
                                                 apply the change again); other 409s (`conflict`) \
                                                 are refusals by the record's state, such as an \
                                                 alert already resolved. A write (POST, PUT, \
                                                 PATCH, DELETE) may carry an `Idempotency-Key` \
                                                 header (1 to 255 visible ASCII characters, \
                                                 unique per request, kept a day): a repeat of \
                                                 the request with the same key is not carried \
                                                 out again but answered with the first answer \
                                                 (marked `Idempotent-Replayed: true`); the same \
                                                 key with a different request is 422 naming \
                                                 `Idempotency-Key`."),
    components(schemas(ErrorBody)),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Every API route with its OpenAPI description, under `/api/v1`: each
/// context's file states its own routes.
fn routes() -> OpenApiRouter<App> {
    let v1 = OpenApiRouter::new()
        .merge(access::users::routes())
        .merge(assessments::routes())
        .merge(audit::routes())
        .merge(casework::alerts::routes())
        .merge(casework::cases::routes())
        .merge(casework::conditions::routes())
        .merge(casework::drug_tests::routes())
        .merge(casework::notes::routes())
        .merge(casework::supervision::routes())
        .merge(intake::routes())
        .merge(offices::routes())
        .merge(people::routes())
        .merge(programs::routes());
    OpenApiRouter::with_openapi(ApiDoc::openapi()).nest("/api/v1", v1)
}

/// The API's routes and their OpenAPI document, which also describes the
/// refusals every operation can answer.
fn described_routes() -> (Router<App>, utoipa::openapi::OpenApi) {
    let (router, mut doc) = routes().split_for_parts();
    refusals::describe(&mut doc);
    (router, doc)
}

/// The OpenAPI document of the API.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    described_routes().1
}

/// The API's routes (nested under `/api/v1` by the caller's prefix) and
/// `GET /api/v1/openapi.json`, which serves their description.
pub fn router() -> Router<App> {
    let (router, doc) = described_routes();
    let doc = Arc::new(doc);
    router.route(
        "/api/v1/openapi.json",
        get(move || {
            let doc = Arc::clone(&doc);
            async move { Json(doc) }
        }),
    )
}
