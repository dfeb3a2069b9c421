//! The auditor's pages: search the trail, export it as CSV.

use super::form::FormState;
use super::{render_with, Nav, Show as _, When as _};
use crate::app::audit_trail::{self, TrailQuery};
use crate::app::{App, AppError};
use crate::store::audit::AuditEntry;
use crate::web::error::PageResult;
use crate::web::extract::PageUser;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;

const PAGE_SIZE: i64 = 100;

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    nav: Nav,
    form: FormState,
    entries: Vec<AuditEntry>,
    /// The query string of this search (for the export link and the next page).
    query: String,
    next: Option<i64>,
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

fn query_string(form: &FormState) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for name in ["person_number", "username", "action", "from", "to"] {
        if let Some(v) = form.opt(name) {
            out.append_pair(name, &v);
        }
    }
    out.finish()
}

pub async fn page(
    State(app): State<App>,
    user: PageUser,
    Query(raw): Query<HashMap<String, String>>,
) -> PageResult<Response> {
    let mut form = FormState::from_pairs(raw);
    let mut entries = Vec::new();
    let mut status = StatusCode::OK;
    if let Some(q) = read(&mut form).filter(|_| !form.has_errors()) {
        match audit_trail::search(&app, &user.actor, &q, PAGE_SIZE).await {
            Ok(found) => entries = found,
            Err(AppError::Invalid(invalid)) => {
                form.add_invalid(invalid);
                status = StatusCode::UNPROCESSABLE_ENTITY;
            }
            Err(e) => return Err(e.into()),
        }
    } else {
        crate::app::policy::read_audit_trail(&user.actor)?;
        status = StatusCode::UNPROCESSABLE_ENTITY;
    }
    let next = (entries.len() as i64 == PAGE_SIZE)
        .then(|| entries.last().map(|e| e.seq))
        .flatten();
    let query = query_string(&form);
    Ok(render_with(
        status,
        &AuditPage {
            nav: Nav::new(&user.actor, "audit"),
            form,
            entries,
            query,
            next,
        },
    ))
}

pub async fn export(
    State(app): State<App>,
    user: PageUser,
    Query(raw): Query<HashMap<String, String>>,
) -> PageResult<Response> {
    let mut form = FormState::from_pairs(raw);
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
    let csv = audit_trail::export_csv(&app, &user.actor, &q).await?;
    let name = format!(
        "attachment; filename=\"bridgeway-audit-{}.csv\"",
        crate::app::today()
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, name),
        ],
        csv,
    )
        .into_response())
}
