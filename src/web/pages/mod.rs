//! Server-rendered pages (askama templates), mirroring the API: each handler
//! calls the same service as its API counterpart and renders the result.

mod access;
mod audit;
mod casework;
mod intake;
mod people;
mod programs;

use access::{account, auth, mfa, users};
use casework::{alerts, calendar, caseload, cases, conditions, drug_tests, notes, supervision};

use crate::app::App;
use crate::domain::access::users::Role;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;

const CSS: &str = include_str!("../../../static/app.css");

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        CSS,
    )
        .into_response()
}

/// Each role's home: the work queue for officers and supervisors, the audit
/// trail for auditors, the access review for administrators, the caseload
/// for everyone else.
async fn home(user: crate::web::extract::PageUser) -> Redirect {
    match user.actor.role {
        Role::Officer | Role::Supervisor => Redirect::to("/work"),
        Role::Auditor => Redirect::to("/audit"),
        Role::Admin => Redirect::to("/admin/access-review"),
        Role::Court | Role::Provider => Redirect::to("/caseload"),
    }
}

pub fn router() -> Router<App> {
    Router::new()
        .route("/", get(home))
        .route("/audit", get(audit::page).post(audit::search))
        .route("/audit/export.csv", post(audit::export))
        .route("/static/app.css", get(stylesheet))
        .route("/login", get(auth::login_page).post(auth::log_in))
        .route("/logout", post(auth::log_out))
        .route("/mfa", get(mfa::page).post(mfa::submit))
        .route("/account/sessions", get(account::sessions))
        .route("/admin/access-review", get(account::access_review))
        .route("/reauth", get(account::reauth_page).post(account::reauth))
        .route(
            "/account/password",
            get(account::password_form).post(account::change_password),
        )
        .route("/admin/users/{username}", get(users::page))
        .route("/admin/users/{username}/role", post(users::change_role))
        .route(
            "/admin/users/{username}/password-reset",
            post(users::reset_password),
        )
        .route("/account/sessions/{id}/end", post(account::end_session))
        .route("/caseload", get(caseload::page))
        .route("/search", get(people::search_form).post(people::search))
        .route("/people/{id}", get(people::participant))
        .route("/people/{id}/edit", get(people::edit).post(people::save))
        .route("/cases/{id}", get(cases::page))
        .route("/cases/{id}/status", post(cases::change_status))
        .route("/cases/{id}/details", post(cases::change_details))
        .route("/cases/{id}/shares", post(cases::share))
        .route("/cases/{id}/conditions", post(cases::add_condition))
        .route(
            "/cases/{id}/conditions/from-program",
            post(cases::apply_program_conditions),
        )
        .route(
            "/conditions/{id}",
            get(conditions::page).post(conditions::update),
        )
        .route(
            "/conditions/{id}/progress",
            post(conditions::record_progress),
        )
        .route("/conditions/{id}/met", post(conditions::mark_met))
        .route(
            "/cases/{id}/supervision-level",
            post(supervision::set_level),
        )
        .route("/cases/{id}/appointments", post(supervision::schedule))
        .route(
            "/cases/{id}/appointments/{appointment}/outcome",
            post(supervision::record_outcome),
        )
        .route("/cases/{id}/contacts", post(supervision::log_contact))
        .route("/cases/{id}/drug-tests", post(drug_tests::record_test))
        .route("/cases/{id}/notes", get(notes::of_case).post(notes::write))
        .route("/notes/search", get(notes::search_form).post(notes::search))
        .route("/notes/{id}", get(notes::page).post(notes::update))
        .route("/notes/{id}/sign", post(notes::sign))
        .route("/notes/{id}/addenda", post(notes::add_addendum))
        .route("/work", get(alerts::page))
        .route("/calendar", get(calendar::page))
        .route("/calendar/feed", post(calendar::new_feed))
        .route("/calendar/feed/revoke", post(calendar::revoke_feed))
        .route("/calendar/{file}", get(calendar::feed))
        .route("/alerts/{id}/acknowledge", post(alerts::acknowledge))
        .route("/alerts/{id}/resolve", post(alerts::resolve))
        .route("/cases/{id}/shares/{username}/end", post(cases::unshare))
        .route("/intake", get(intake::form).post(intake::submit))
        .route("/programs", get(programs::list))
}
