//! One appointment: what it is, and the forms to move or edit it (or it
//! and the rest of its series) and to cancel it.

use super::workspace::local_input;
use crate::app::casework::appointments::{
    self, AppointmentChange, AppointmentRecord, Cancellation,
};
use crate::app::App;
use crate::domain::casework::supervision::{AppointmentKind, Minutes, Span};
use crate::domain::ids::{AppointmentId, CaseId};
use crate::store::casework::supervision::AppointmentRow;
use crate::web::error::PageResult;
use crate::web::extract::{PagePath, PageUser};
use crate::web::form::{Form, FormState};
use crate::web::pages::routes::PageRoutes;
use crate::web::render::{render_with, Nav, Show as _};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Template)]
#[template(path = "casework/appointment.html")]
struct AppointmentPage {
    nav: Nav,
    r: AppointmentRecord,
    /// When it starts, in the agency's zone.
    when: String,
    /// The move form, filled from the appointment or as submitted.
    moving: FormState,
    /// The cancel form, as submitted.
    cancelling: FormState,
    kinds: &'static [AppointmentKind],
    spans: &'static [Span],
}

enum Submitted {
    Nothing,
    Move(FormState),
    Cancel(FormState),
}

async fn show(
    app: &App,
    user: &PageUser,
    id: AppointmentId,
    status: StatusCode,
    submitted: Submitted,
) -> PageResult<Response> {
    let r = appointments::view(app, &user.actor, id).await?;
    let a = &r.appointment;
    let local = a.starts_at.with_timezone(&app.settings.zone());
    let stored = || {
        FormState::default()
            .with("version", a.version.to_string())
            .with("kind", a.kind.label())
            .with("starts_at", local_input(local.naive_local()))
            .with("duration_minutes", a.duration_minutes.to_string())
            .with("location", a.location.clone().unwrap_or_default())
    };
    let unchanged = || FormState::default().with("version", a.version.to_string());
    let (moving, cancelling) = match submitted {
        Submitted::Nothing => (stored(), unchanged()),
        Submitted::Move(form) => (form, unchanged()),
        Submitted::Cancel(form) => (stored(), form),
    };
    let when = local.format("%a %Y-%m-%d %H:%M").to_string();
    Ok(render_with(
        status,
        &AppointmentPage {
            nav: Nav::new(app.settings.zone(), &user.actor, "caseload"),
            r,
            when,
            moving,
            cancelling,
            kinds: AppointmentKind::all(),
            spans: Span::all(),
        },
    ))
}

pub async fn page(
    State(app): State<App>,
    user: PageUser,
    PagePath(id): PagePath<AppointmentId>,
) -> PageResult<Response> {
    show(&app, &user, id, StatusCode::OK, Submitted::Nothing).await
}

/// Back to the case's appointments after a change.
fn back(changed: &[AppointmentRow]) -> Response {
    let case: Option<CaseId> = changed.first().map(|a| a.case_id);
    let to = case.map_or_else(
        || "/caseload".to_owned(),
        |c| format!("/cases/{c}#appointments"),
    );
    Redirect::to(&to).into_response()
}

pub async fn reschedule(
    State(app): State<App>,
    user: PageUser,
    PagePath(id): PagePath<AppointmentId>,
    Form(mut form): Form,
) -> PageResult<Response> {
    let version = form.parse::<i64>("version", "a version number");
    let kind = form.parse::<AppointmentKind>("kind", "a kind of appointment");
    let starts_at = form.local_time("starts_at");
    let duration = form.parse::<Minutes>("duration_minutes", "a number of minutes");
    let span = form.parse_opt::<Span>("span", "which appointments");
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if let (Some(version), Some(kind), Some(starts_at), Some(duration_minutes), Some(span), false) =
        (version, kind, starts_at, duration, span, form.has_errors())
    {
        let change = AppointmentChange {
            version,
            kind,
            starts_at,
            duration_minutes,
            location: form.opt("location"),
            span: span.unwrap_or_default(),
            book_anyway: form.checked("book_anyway"),
        };
        match appointments::reschedule(&app, &user.actor, id, change).await {
            Ok(moved) => return Ok(back(&moved)),
            Err(e) => status = form.absorb(e)?,
        }
    }
    show(&app, &user, id, status, Submitted::Move(form)).await
}

pub async fn cancel(
    State(app): State<App>,
    user: PageUser,
    PagePath(id): PagePath<AppointmentId>,
    Form(mut form): Form,
) -> PageResult<Response> {
    let version = form.parse::<i64>("version", "a version number");
    let span = form.parse_opt::<Span>("span", "which appointments");
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if let (Some(version), Some(span), false) = (version, span, form.has_errors()) {
        let input = Cancellation {
            version,
            reason: form.v("reason").into(),
            span: span.unwrap_or_default(),
        };
        match appointments::cancel(&app, &user.actor, id, input).await {
            Ok(cancelled) => return Ok(back(&cancelled)),
            Err(e) => status = form.absorb(e)?,
        }
    }
    show(&app, &user, id, status, Submitted::Cancel(form)).await
}

/// This page's routes.
pub fn routes() -> PageRoutes {
    PageRoutes::new()
        .get("/appointments/{id}", page)
        .post("/appointments/{id}", reschedule)
        .post("/appointments/{id}/cancel", cancel)
}
