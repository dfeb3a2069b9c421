//! The JSON API under `/api/v1`, described by an OpenAPI 3.1 document
//! generated from these handlers.

mod access;
mod audit;
mod casework;
mod people;
mod programs;
pub mod views;

use access::users;
use casework::{alerts, cases, conditions, drug_tests, notes, supervision};

use crate::app::App;
use crate::web::error::ErrorBody;
use axum::routing::{get, post};
use axum::{Json, Router};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "Bridgeway API", description = "Case management for probation, pretrial services and diversion programs. \
        Authenticate with `Authorization: Bearer <token>` (see `bridgeway admin create-token`) or the session cookie. \
        Errors are JSON `{code, message, fields}`; bad input is 422 naming the field; a write on a stale `version` is 409."),
    paths(
        users::me, users::sessions, users::end_session, users::tokens, users::create_token, users::revoke_token, users::list, users::create, users::unlock, users::access_review,
        users::change_password, users::reset_password, users::change_role,
        users::new_calendar_feed, users::revoke_calendar_feed,
        programs::list, programs::get, programs::create, programs::update,
        people::list, people::search, people::get, people::update, people::duplicates,
        cases::intake, cases::list, cases::get, cases::update, cases::transition, cases::share, cases::unshare,
        audit::search,
        conditions::of_case, conditions::add, conditions::apply_program, conditions::get, conditions::update,
        conditions::record_progress, conditions::mark_met, conditions::templates, conditions::set_templates,
        supervision::overview, supervision::set_level, supervision::schedule, supervision::record_outcome, supervision::log_contact,
        drug_tests::of_case, drug_tests::record, drug_tests::update_results,
        alerts::work_queue, alerts::acknowledge, alerts::resolve,
        notes::of_case, notes::write, notes::get, notes::update, notes::sign, notes::add_addendum, notes::search,
    ),
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

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

pub fn router() -> Router<App> {
    Router::new()
        .route("/openapi.json", get(openapi))
        .route("/me", get(users::me))
        .route("/me/sessions", get(users::sessions))
        .route("/me/tokens", get(users::tokens).post(users::create_token))
        .route(
            "/me/tokens/{id}",
            axum::routing::delete(users::revoke_token),
        )
        .route(
            "/me/sessions/{id}",
            axum::routing::delete(users::end_session),
        )
        .route("/users", get(users::list).post(users::create))
        .route("/users/access-review", get(users::access_review))
        .route("/users/{username}/unlock", post(users::unlock))
        .route(
            "/users/{username}/password-reset",
            post(users::reset_password),
        )
        .route(
            "/users/{username}/role",
            axum::routing::put(users::change_role),
        )
        .route("/me/password", post(users::change_password))
        .route(
            "/me/calendar-feed",
            post(users::new_calendar_feed).delete(users::revoke_calendar_feed),
        )
        .route("/programs", get(programs::list).post(programs::create))
        .route("/programs/{id}", get(programs::get).put(programs::update))
        .route("/people", get(people::list))
        .route("/people/duplicates", post(people::duplicates))
        .route("/people/{id}", get(people::get).put(people::update))
        .route("/search", post(people::search))
        .route("/intake", post(cases::intake))
        .route("/cases", get(cases::list))
        .route("/cases/{id}", get(cases::get).put(cases::update))
        .route("/cases/{id}/transitions", post(cases::transition))
        .route("/cases/{id}/shares", post(cases::share))
        .route(
            "/cases/{id}/shares/{username}",
            axum::routing::delete(cases::unshare),
        )
        .route("/audit", get(audit::search))
        .route(
            "/cases/{id}/conditions",
            get(conditions::of_case).post(conditions::add),
        )
        .route(
            "/cases/{id}/conditions/from-program",
            post(conditions::apply_program),
        )
        .route(
            "/conditions/{id}",
            get(conditions::get).put(conditions::update),
        )
        .route(
            "/conditions/{id}/progress",
            post(conditions::record_progress),
        )
        .route("/conditions/{id}/met", post(conditions::mark_met))
        .route("/cases/{id}/supervision", get(supervision::overview))
        .route(
            "/cases/{id}/supervision-level",
            axum::routing::put(supervision::set_level),
        )
        .route("/cases/{id}/appointments", post(supervision::schedule))
        .route(
            "/appointments/{id}/outcome",
            post(supervision::record_outcome),
        )
        .route("/cases/{id}/contacts", post(supervision::log_contact))
        .route("/work-queue", get(alerts::work_queue))
        .route("/alerts/{id}/acknowledge", post(alerts::acknowledge))
        .route("/alerts/{id}/resolve", post(alerts::resolve))
        .route(
            "/cases/{id}/drug-tests",
            get(drug_tests::of_case).post(drug_tests::record),
        )
        .route(
            "/drug-tests/{id}/results",
            axum::routing::put(drug_tests::update_results),
        )
        .route("/cases/{id}/notes", get(notes::of_case).post(notes::write))
        .route("/notes/search", post(notes::search))
        .route("/notes/{id}", get(notes::get).put(notes::update))
        .route("/notes/{id}/sign", post(notes::sign))
        .route("/notes/{id}/addenda", post(notes::add_addendum))
        .route(
            "/programs/{id}/conditions",
            get(conditions::templates).put(conditions::set_templates),
        )
}
