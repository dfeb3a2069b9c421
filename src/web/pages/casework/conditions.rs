//! One condition: its progress, and the forms to record progress, mark it
//! met, adjust it or record what the court ordered.

use super::workspace::read_terms;
use crate::app::casework::conditions::{
    self, ConditionRecord, ConditionUpdate, MarkMet, ProgressInput,
};
use crate::app::App;
use crate::domain::casework::conditions::{ConditionKind, CourtAction, Unit, Verification};
use crate::domain::ids::ConditionId;
use crate::web::error::PageResult;
use crate::web::extract::{PagePath, PageUser};
use crate::web::form::{Form, FormState};
use crate::web::pages::routes::PageRoutes;
use crate::web::render::{render_with, Nav, Show as _, When as _};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Template)]
#[template(path = "casework/condition.html")]
struct ConditionPage {
    nav: Nav,
    r: ConditionRecord,
    /// The progress form, as submitted.
    progress: FormState,
    /// The adjust form, filled from the condition or as submitted.
    terms: FormState,
    kinds: &'static [ConditionKind],
    units: &'static [Unit],
    verifications: &'static [Verification],
    court_actions: &'static [CourtAction],
}

enum Submitted {
    Nothing,
    Progress(FormState),
    Terms(FormState),
}

async fn show(
    app: &App,
    user: &PageUser,
    id: ConditionId,
    status: StatusCode,
    submitted: Submitted,
) -> PageResult<Response> {
    let r = conditions::view(app, &user.actor, id).await?;
    let c = &r.condition;
    let stored = || {
        FormState::default()
            .with("kind", c.kind.label())
            .with("title", c.title.clone())
            .with("details", c.details.clone().unwrap_or_default())
            .with("target", c.target_text())
            .with("unit", c.unit.map_or("", Unit::label))
            .with(
                "due_date",
                c.due_date.map(|d| d.to_string()).unwrap_or_default(),
            )
            .with("version", c.version.to_string())
    };
    // Progress is recorded on the day it happened, most often today.
    let today = || FormState::default().with("occurred_on", app.today().to_string());
    let (progress, terms) = match submitted {
        Submitted::Nothing => (today(), stored()),
        Submitted::Progress(form) => (form, stored()),
        Submitted::Terms(form) => (today(), form),
    };
    Ok(render_with(
        status,
        &ConditionPage {
            nav: Nav::new(app.settings.zone(), &user.actor, "caseload"),
            r,
            progress,
            terms,
            kinds: ConditionKind::all(),
            units: Unit::all(),
            verifications: Verification::all(),
            court_actions: CourtAction::all(),
        },
    ))
}

pub async fn page(
    State(app): State<App>,
    user: PageUser,
    PagePath(id): PagePath<ConditionId>,
) -> PageResult<Response> {
    show(&app, &user, id, StatusCode::OK, Submitted::Nothing).await
}

fn back(id: ConditionId) -> Response {
    Redirect::to(&format!("/conditions/{id}")).into_response()
}

pub async fn record_progress(
    State(app): State<App>,
    user: PageUser,
    PagePath(id): PagePath<ConditionId>,
    Form(mut form): Form,
) -> PageResult<Response> {
    let occurred_on = form.date("occurred_on");
    let amount = form.parse_opt::<f64>("amount", "a number");
    let verification = form.parse::<Verification>("verification", "a kind of verification");
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if let (Some(occurred_on), Some(amount), Some(verification), false) =
        (occurred_on, amount, verification, form.has_errors())
    {
        let input = ProgressInput {
            occurred_on,
            amount,
            verification,
            note: form.opt("note"),
        };
        match conditions::record_progress(&app, &user.actor, id, input).await {
            Ok(_) => return Ok(back(id)),
            Err(e) => status = form.absorb(e)?,
        }
    }
    show(&app, &user, id, status, Submitted::Progress(form)).await
}

pub async fn update(
    State(app): State<App>,
    user: PageUser,
    PagePath(id): PagePath<ConditionId>,
    Form(mut form): Form,
) -> PageResult<Response> {
    let version = form.parse::<i64>("version", "a version number");
    let terms = read_terms(&mut form);
    let court_action = form.parse_opt::<CourtAction>("court_action", "a court action");
    let court_order_date = form.date_opt("court_order_date");
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if let (Some(version), Some(terms), Some(court_action), Some(court_order_date), false) = (
        version,
        terms,
        court_action,
        court_order_date,
        form.has_errors(),
    ) {
        let input = ConditionUpdate {
            version,
            terms,
            court_action,
            court_order_date,
            court_order_reason: form.opt("court_order_reason"),
        };
        match conditions::update(&app, &user.actor, id, input).await {
            Ok(_) => return Ok(back(id)),
            Err(e) => status = form.absorb(e)?,
        }
    }
    show(&app, &user, id, status, Submitted::Terms(form)).await
}

pub async fn mark_met(
    State(app): State<App>,
    user: PageUser,
    PagePath(id): PagePath<ConditionId>,
    Form(mut form): Form,
) -> PageResult<Response> {
    let version = form.parse::<i64>("version", "a version number");
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if let (Some(version), false) = (version, form.has_errors()) {
        let input = MarkMet {
            version,
            met: form.checked("met"),
        };
        match conditions::mark_met(&app, &user.actor, id, input).await {
            Ok(_) => return Ok(back(id)),
            Err(e) => status = form.absorb(e)?,
        }
    }
    show(&app, &user, id, status, Submitted::Terms(form)).await
}

/// This page's routes.
pub fn routes() -> PageRoutes {
    PageRoutes::new()
        .get("/conditions/{id}", page)
        .post("/conditions/{id}", update)
        .post("/conditions/{id}/progress", record_progress)
        .post("/conditions/{id}/met", mark_met)
}
