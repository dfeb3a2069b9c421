//! Rendering pages: a template into a response (or a plain error page if it
//! fails), the error page itself, the navigation bar every page carries, and
//! the display helpers templates call.

use crate::app::Actor;
use crate::domain::access::users::Role;
use askama::Template;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
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

/// A CSV download, named `bridgeway-{what}-{day}.csv`.
pub fn csv_download(what: &str, day: chrono::NaiveDate, csv: String) -> Response {
    let name = format!("attachment; filename=\"bridgeway-{what}-{day}.csv\"");
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, name),
        ],
        csv,
    )
        .into_response()
}
