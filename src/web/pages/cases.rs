//! The case page and its status changes.

use super::form::{Form, FormState};
use super::{render_with, Nav, Show as _, When as _};
use crate::app::cases::{self, CaseRecord, TransitionInput};
use crate::app::{Actor, App, AppError};
use crate::domain::ids::CaseId;
use crate::domain::lifecycle::{CaseStatus, ExitReason};
use crate::web::error::PageResult;
use crate::web::extract::{PagePath, PageUser};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

/// One possible next status, with the exit reasons that go with it.
pub struct NextStatus {
    pub status: CaseStatus,
    pub exit_reasons: Vec<ExitReason>,
    /// Enrolment of a referral screening found not eligible needs a reason.
    pub needs_override: bool,
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    nav: Nav,
    r: CaseRecord,
    next: Vec<NextStatus>,
    /// The status form that was submitted, with its errors.
    form: FormState,
}

async fn show(
    app: &App,
    actor: &Actor,
    id: CaseId,
    status: StatusCode,
    form: FormState,
) -> PageResult<Response> {
    let r = cases::view(app, actor, id).await?;
    let eligible = r.case.screening.as_ref().is_some_and(|s| s.0.eligible);
    let next = r
        .case
        .status
        .successors()
        .iter()
        .map(|s| NextStatus {
            status: *s,
            exit_reasons: ExitReason::for_status(*s),
            needs_override: *s == CaseStatus::Enrolled && !eligible,
        })
        .collect();
    Ok(render_with(
        status,
        &CasePage {
            nav: Nav::new(actor, "caseload"),
            r,
            next,
            form,
        },
    ))
}

pub async fn page(
    State(app): State<App>,
    user: PageUser,
    PagePath(id): PagePath<CaseId>,
) -> PageResult<Response> {
    show(&app, &user.actor, id, StatusCode::OK, FormState::default()).await
}

pub async fn change_status(
    State(app): State<App>,
    user: PageUser,
    PagePath(id): PagePath<CaseId>,
    Form(mut form): Form,
) -> PageResult<Response> {
    let version = form.parse::<i64>("version", "a version number");
    let to = form.parse::<CaseStatus>("to", "a case status");
    let exit_reason = form.parse_opt::<ExitReason>("exit_reason", "an exit reason");
    if let (Some(version), Some(to), Some(exit_reason), false) =
        (version, to, exit_reason, form.has_errors())
    {
        let input = TransitionInput {
            version,
            to,
            reason: form.v("reason").to_owned(),
            exit_reason,
            override_reason: form.opt("override_reason"),
        };
        match cases::transition(&app, &user.actor, id, input).await {
            Ok(_) => return Ok(Redirect::to(&format!("/cases/{id}")).into_response()),
            Err(AppError::Invalid(invalid)) => form.add_invalid(invalid),
            Err(AppError::Conflict(message)) => {
                form.add_error("version", message);
                return show(&app, &user.actor, id, StatusCode::CONFLICT, form).await;
            }
            Err(e) => return Err(e.into()),
        }
    }
    show(
        &app,
        &user.actor,
        id,
        StatusCode::UNPROCESSABLE_ENTITY,
        form,
    )
    .await
}
