//! The auditor's pages: search the trail, export it as CSV.

use crate::app::audit::trail::{self, TrailQuery};
use crate::app::{App, AppError};
use crate::domain::audit::ActionFilter;
use crate::store::audit::AuditEntry;
use crate::web::error::PageResult;
use crate::web::extract::PageUser;
use crate::web::form::{Form, FormState};
use crate::web::pages::routes::PageRoutes;
use crate::web::render::{csv_download, render_with, Nav, Show as _, When as _};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

const PAGE_SIZE: i64 = 100;

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    nav: Nav,
    form: FormState,
    entries: Vec<AuditEntry>,
    /// The filters of this search, carried by the export and next-page forms
    /// (posted, so participant numbers and usernames stay out of URLs).
    filters: Vec<(&'static str, String)>,
    next: Option<i64>,
    actions: Vec<ActionFilter>,
}

/// Reads the filter form, recording what cannot be read.
fn read(form: &mut FormState) -> Option<TrailQuery> {
    let from = form.date_opt("from");
    let to = form.date_opt("to");
    let before = form.parse_opt::<i64>("before", "an event number");
    Some(TrailQuery {
        person: None,
        person_number: form.opt("person_number"),
        username: form.opt("username"),
        action: form.opt("action"),
        from: from?,
        to: to?,
        before_seq: before?,
    })
}

fn filters(form: &FormState) -> Vec<(&'static str, String)> {
    ["person_number", "username", "action", "from", "to"]
        .into_iter()
        .filter_map(|name| form.opt(name).map(|v| (name, v)))
        .collect()
}

/// The newest events, unfiltered.
pub async fn page(State(app): State<App>, user: PageUser) -> PageResult<Response> {
    show(&app, &user, FormState::default()).await
}

/// The events the posted filters select.
pub async fn search(
    State(app): State<App>,
    user: PageUser,
    Form(form): Form,
) -> PageResult<Response> {
    show(&app, &user, form).await
}

async fn show(app: &App, user: &PageUser, mut form: FormState) -> PageResult<Response> {
    let mut entries = Vec::new();
    let mut status = StatusCode::OK;
    if let Some(q) = read(&mut form).filter(|_| !form.has_errors()) {
        match trail::search(app, &user.actor, &q, PAGE_SIZE).await {
            Ok(found) => entries = found,
            Err(AppError::Invalid(invalid)) => {
                form.add_invalid(invalid);
                status = StatusCode::UNPROCESSABLE_ENTITY;
            }
            Err(e) => return Err(e.into()),
        }
    } else {
        crate::app::policy::audit::read_audit_trail(&user.actor)?;
        status = StatusCode::UNPROCESSABLE_ENTITY;
    }
    let next = (entries.len() as i64 == PAGE_SIZE)
        .then(|| entries.last().map(|e| e.seq))
        .flatten();
    Ok(render_with(
        status,
        &AuditPage {
            nav: Nav::new(app.settings.zone(), &user.actor, "audit"),
            filters: filters(&form),
            form,
            entries,
            next,
            actions: ActionFilter::all(),
        },
    ))
}

pub async fn export(
    State(app): State<App>,
    user: PageUser,
    Form(mut form): Form,
) -> PageResult<Response> {
    let q = read(&mut form)
        .filter(|_| !form.has_errors())
        .ok_or_else(|| {
            let message = form
                .errors()
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; ");
            AppError::Invalid(crate::domain::validation::Invalid::one("filter", message))
        })?;
    let csv = trail::export_csv(&app, &user.actor, &q).await?;
    Ok(csv_download("audit", app.today(), csv))
}

/// This page's routes.
pub fn routes() -> PageRoutes {
    PageRoutes::new()
        .get("/audit", page)
        .post("/audit", search)
        .post("/audit/export.csv", export)
}
