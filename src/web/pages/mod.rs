//! Server-rendered pages (askama templates), mirroring the API: each handler
//! calls the same service as its API counterpart and renders the result.

mod account;
mod audit;
mod calendar;
mod caseload;
mod cases;
mod conditions;
pub mod form;
mod intake;
mod mfa;
mod notes;
mod people;
mod programs;
mod session;
mod staff;
mod supervision;
mod work;

use crate::app::{Actor, App};
use crate::domain::users::Role;
use askama::Template;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono_tz::Tz;

/// What the navigation bar shows for the signed-in user.
pub struct Nav {
    pub full_name: String,
    pub role: &'static str,
    pub is_admin: bool,
    pub is_supervisor: bool,
    pub does_casework: bool,
    pub is_auditor: bool,
    pub current: &'static str,
    /// The agency's zone: every time on a page is shown in it.
    pub zone: Tz,
}

impl Nav {
    pub fn new(zone: Tz, actor: &Actor, current: &'static str) -> Self {
        Self {
            zone,
            full_name: actor.full_name.clone(),
            role: actor.role.title(),
            is_admin: actor.role == Role::Admin,
            is_supervisor: actor.role == Role::Supervisor,
            does_casework: matches!(actor.role, Role::Supervisor | Role::Officer),
            is_auditor: actor.role == Role::Auditor,
            current,
        }
    }

    pub fn is(&self, page: &str) -> bool {
        self.current == page
    }
}

/// Display helpers called from templates.
pub trait Show {
    /// The value, or an em dash when there is none.
    fn or_dash(&self) -> String;
}

impl<T: std::fmt::Display> Show for Option<T> {
    fn or_dash(&self) -> String {
        self.as_ref()
            .map_or_else(|| "—".to_owned(), ToString::to_string)
    }
}

pub trait When {
    /// A time as staff read it, in the agency's zone: `2026-11-23 08:05 CST`.
    fn when(&self, zone: &Tz) -> String;
}

impl When for chrono::DateTime<chrono::Utc> {
    fn when(&self, zone: &Tz) -> String {
        self.with_timezone(zone)
            .format("%Y-%m-%d %H:%M %Z")
            .to_string()
    }
}

/// A search's hits, or the first problem with what was asked (shown on
/// the search page itself); other failures become error pages.
pub(super) fn hits_or_problem<T>(
    result: Result<Vec<T>, crate::app::AppError>,
) -> crate::web::error::PageResult<(Option<Vec<T>>, Option<String>)> {
    match result {
        Ok(hits) => Ok((Some(hits), None)),
        Err(crate::app::AppError::Invalid(crate::domain::validation::Invalid(fields))) => {
            Ok((None, fields.first().map(|f| f.message.clone())))
        }
        Err(e) => Err(e.into()),
    }
}

/// Renders a template, or a plain error page if rendering itself fails.
pub fn render<T: Template>(t: &T) -> Response {
    render_with(StatusCode::OK, t)
}

pub fn render_with<T: Template>(status: StatusCode, t: &T) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the page could not be shown",
            )
                .into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    title: &'a str,
    message: &'a str,
}

pub fn error_page(status: StatusCode, message: &str) -> Response {
    let title = status.canonical_reason().unwrap_or("Error");
    render_with(
        status,
        &ErrorPage {
            status: status.as_u16(),
            title,
            message,
        },
    )
}

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
        .route("/login", get(session::login_page).post(session::log_in))
        .route("/logout", post(session::log_out))
        .route("/mfa", get(mfa::page).post(mfa::submit))
        .route("/account/sessions", get(account::sessions))
        .route("/admin/access-review", get(account::access_review))
        .route("/reauth", get(account::reauth_page).post(account::reauth))
        .route(
            "/account/password",
            get(account::password_form).post(account::change_password),
        )
        .route("/admin/users/{username}", get(staff::page))
        .route("/admin/users/{username}/role", post(staff::change_role))
        .route(
            "/admin/users/{username}/password-reset",
            post(staff::reset_password),
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
        .route("/cases/{id}/drug-tests", post(supervision::record_test))
        .route("/cases/{id}/notes", get(notes::of_case).post(notes::write))
        .route("/notes/search", get(notes::search_form).post(notes::search))
        .route("/notes/{id}", get(notes::page).post(notes::update))
        .route("/notes/{id}/sign", post(notes::sign))
        .route("/notes/{id}/addenda", post(notes::add_addendum))
        .route("/work", get(work::page))
        .route("/calendar", get(calendar::page))
        .route("/calendar/feed", post(calendar::new_feed))
        .route("/calendar/feed/revoke", post(calendar::revoke_feed))
        .route("/calendar/{file}", get(calendar::feed))
        .route("/alerts/{id}/acknowledge", post(work::acknowledge))
        .route("/alerts/{id}/resolve", post(work::resolve))
        .route("/cases/{id}/shares/{username}/end", post(cases::unshare))
        .route("/intake", get(intake::form).post(intake::submit))
        .route("/programs", get(programs::list))
}
