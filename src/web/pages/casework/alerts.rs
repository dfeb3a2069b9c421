//! The officer's home: the work queue and today's appointments.

use crate::app::casework::alerts::{self, WorkQueue};
use crate::app::{App, AppError};
use crate::domain::casework::alerts::{RaisedBy, Rule, Severity};
use crate::domain::ids::{AlertId, CaseId};
use crate::store::casework::alerts::{AlertRow, QueueFilter};
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
    /// This page's alerts by participant, the most pressing first.
    groups: Vec<AlertGroup>,
    /// Today's appointment times in the agency's zone, in order.
    times: Vec<String>,
    filter: QueueChoice,
    rules: &'static [Rule],
    severities: &'static [Severity],
    /// The page's alerts not yet seen that the reader may mark seen
    /// (together, ticked or all at once).
    markable: Vec<AlertId>,
}

/// One participant's alerts on the page.
struct AlertGroup {
    case_id: CaseId,
    person_name: String,
    case_number: String,
    alerts: Vec<AlertRow>,
}

/// Groups alerts by case, each group where its most pressing alert stood.
fn by_participant(alerts: &[AlertRow]) -> Vec<AlertGroup> {
    let mut groups: Vec<AlertGroup> = Vec::new();
    for a in alerts {
        match groups.iter_mut().find(|g| g.case_id == a.case_id) {
            Some(g) => g.alerts.push(a.clone()),
            None => groups.push(AlertGroup {
                case_id: a.case_id,
                person_name: a.person_name.clone(),
                case_number: a.case_number.clone(),
                alerts: vec![a.clone()],
            }),
        }
    }
    groups
}

/// The queue's filters as the address gives them; values it does not
/// know are ignored.
#[derive(Debug, Default)]
struct QueueChoice {
    rule: String,
    severity: String,
}

impl QueueChoice {
    fn only(&self) -> QueueFilter {
        QueueFilter {
            rule: self.rule.parse().ok(),
            severity: self.severity.parse().ok(),
        }
    }

    /// The next page's address, with the same filters.
    fn after(&self, id: &AlertId) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [("rule", &self.rule), ("severity", &self.severity)] {
            if !v.is_empty() {
                q.append_pair(k, v);
            }
        }
        q.append_pair("after", &id.to_string());
        format!("/work?{}", q.finish())
    }
}

/// `/work`, or `/work?after=ID` for the alerts after that one; `rule` and
/// `severity` narrow the alerts.
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
    let get = |k: &str| query.get(k).cloned().unwrap_or_default();
    let filter = QueueChoice {
        rule: get("rule"),
        severity: get("severity"),
    };
    let queue = alerts::work_queue(&app, &user.actor, filter.only(), after).await?;
    let zone = app.settings.zone();
    let times = queue
        .today
        .iter()
        .map(|a| a.starts_at.with_timezone(&zone).format("%H:%M").to_string())
        .collect();
    Ok(render(&WorkPage {
        nav: Nav::new(zone, &user.actor, "work"),
        groups: by_participant(&queue.alerts),
        markable: queue
            .alerts
            .iter()
            .filter(|a| a.acknowledged_at.is_none() && queue.may_settle(&a.id))
            .map(|a| a.id)
            .collect(),
        queue,
        times,
        filter,
        rules: Rule::all(),
        severities: Severity::all(),
    }))
}

/// Marks the alerts ticked (`seen.<id>`) as seen, all or none.
pub async fn acknowledge_many(
    State(app): State<App>,
    user: PageUser,
    Form(form): Form,
) -> PageResult<Response> {
    let ids: Vec<AlertId> = form
        .ticked("seen.")
        .map_err(|_| AppError::NotFound("alert"))?;
    alerts::acknowledge_many(&app, &user.actor, &ids).await?;
    Ok(Redirect::to("/work").into_response())
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
        .post("/alerts/acknowledge", acknowledge_many)
        .post("/alerts/{id}/acknowledge", acknowledge)
        .post("/alerts/{id}/resolve", resolve)
}

/// Where an alert in the queue leads: to what raised it.
pub fn raised_by_href(a: &AlertRow) -> String {
    let case = format!("/cases/{}", a.case_id);
    match a.rule.raised_by(&a.occurrence) {
        RaisedBy::Note(note) => format!("/notes/{note}"),
        RaisedBy::Condition(condition) => format!("/conditions/{condition}"),
        RaisedBy::Appointment(appointment) => format!("/appointments/{appointment}"),
        RaisedBy::Supervision => format!("{case}#supervision"),
        RaisedBy::Test => format!("{case}#tests"),
        RaisedBy::Assessments => format!("{case}/assessments"),
        RaisedBy::CasePlans => format!("{case}/case-plans"),
        RaisedBy::CasePlan(plan) => format!("/case-plans/{plan}"),
        RaisedBy::Case => case,
    }
}
