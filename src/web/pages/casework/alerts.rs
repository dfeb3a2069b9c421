//! The officer's home: the work queue and today's appointments.

use crate::app::casework::alerts::{self, WorkQueue};
use crate::app::{App, AppError};
use crate::domain::casework::alerts::RaisedBy;
use crate::domain::ids::AlertId;
use crate::store::casework::alerts::AlertRow;
use crate::web::error::PageResult;
use crate::web::extract::{PagePath, PageUser};
use crate::web::form::Form;
use crate::web::pages::routes::PageRoutes;
use crate::web::render::{render, Nav, Show as _, When as _};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "casework/work.html")]
struct WorkPage {
    nav: Nav,
    queue: WorkQueue,
    /// Today's appointment times in the agency's zone, in order.
    times: Vec<String>,
}

/// `/work`, or `/work?after=ID` for the alerts after that one.
pub async fn page(
    State(app): State<App>,
    user: PageUser,
    Query(query): Query<HashMap<String, String>>,
) -> PageResult<Response> {
    let after = match query.get("after") {
        Some(id) => Some(
            id.parse()
                .map_err(|_| AppError::NotFound("alert to continue after"))?,
        ),
        None => None,
    };
    let queue = alerts::work_queue(&app, &user.actor, after).await?;
    let zone = app.settings.zone();
    let times = queue
        .today
        .iter()
        .map(|a| a.starts_at.with_timezone(&zone).format("%H:%M").to_string())
        .collect();
    Ok(render(&WorkPage {
        nav: Nav::new(zone, &user.actor, "work"),
        queue,
        times,
    }))
}

pub async fn acknowledge(
    State(app): State<App>,
    user: PageUser,
    PagePath(id): PagePath<AlertId>,
) -> PageResult<Response> {
    alerts::acknowledge(&app, &user.actor, id).await?;
    Ok(Redirect::to("/work").into_response())
}

pub async fn resolve(
    State(app): State<App>,
    user: PageUser,
    PagePath(id): PagePath<AlertId>,
    Form(form): Form,
) -> PageResult<Response> {
    alerts::resolve(&app, &user.actor, id, &form.v("note").into()).await?;
    Ok(Redirect::to("/work").into_response())
}

/// This page's routes.
pub fn routes() -> PageRoutes {
    PageRoutes::new()
        .get("/work", page)
        .post("/alerts/{id}/acknowledge", acknowledge)
        .post("/alerts/{id}/resolve", resolve)
}

/// Where an alert in the queue leads: to what raised it.
pub fn raised_by_href(a: &AlertRow) -> String {
    let case = format!("/cases/{}", a.case_id);
    match a.rule.raised_by(&a.occurrence) {
        RaisedBy::Note(note) => format!("/notes/{note}"),
        RaisedBy::Condition(condition) => format!("/conditions/{condition}"),
        RaisedBy::Supervision => format!("{case}#supervision"),
        RaisedBy::Test => format!("{case}#tests"),
        RaisedBy::Case => case,
    }
}
