//! The case page and its status changes.

use super::form::{Form, FormState};
use super::supervision::SupervisionPanel;
use super::{render_with, Nav, Show as _, When as _};
use crate::app::cases::{self, CaseRecord, CaseUpdate, ShareInput, TransitionInput};
use crate::app::conditions::{self, CaseConditions, TermsInput};
use crate::app::intake::CaseDetailsInput;
use crate::app::testing::CaseTests;
use crate::app::users::{self, StaffMember};
use crate::app::{Actor, App};
use crate::domain::conditions::{ConditionKind, Unit};
use crate::domain::ids::{CaseId, UserId};
use crate::domain::lifecycle::{CaseStatus, ExitReason};
use crate::domain::testing::{Collection, Specimen, SubstanceResult};
use crate::domain::users::Role;
use crate::store::cases::CaseFields;
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
    /// The details form, filled from the case or as submitted.
    details: FormState,
    /// The share form, as submitted.
    sharing: FormState,
    /// The add-a-condition form, as submitted.
    adding: FormState,
    conditions: CaseConditions,
    kinds: &'static [ConditionKind],
    units: &'static [Unit],
    /// The supervision forms (level, appointments, contacts), as submitted.
    supervising: FormState,
    supervision: SupervisionPanel,
    /// The drug-test form, as submitted.
    testing: FormState,
    tests: CaseTests,
    /// The local times of `tests`, in order.
    test_times: Vec<String>,
    specimens: &'static [Specimen],
    collections: &'static [Collection],
    test_results: &'static [SubstanceResult],
    result_rows: usize,
    officers: Vec<StaffMember>,
}

/// Which of the page's forms was submitted, if any.
pub(super) enum Submitted {
    Nothing,
    Status(FormState),
    Details(FormState),
    Share(FormState),
    Condition(FormState),
    Supervision(FormState),
    Test(FormState),
}

/// The page's forms: the one submitted holds what was typed and its errors.
#[derive(Default)]
struct Forms {
    status: FormState,
    details: Option<FormState>,
    sharing: FormState,
    adding: FormState,
    supervising: FormState,
    testing: FormState,
}

impl From<Submitted> for Forms {
    fn from(submitted: Submitted) -> Self {
        let mut forms = Self::default();
        match submitted {
            Submitted::Nothing => {}
            Submitted::Status(f) => forms.status = f,
            Submitted::Details(f) => forms.details = Some(f),
            Submitted::Share(f) => forms.sharing = f,
            Submitted::Condition(f) => forms.adding = f,
            Submitted::Supervision(f) => forms.supervising = f,
            Submitted::Test(f) => forms.testing = f,
        }
        forms
    }
}

/// The details form filled from the case as stored.
fn details_of(c: &CaseFields) -> FormState {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let shown = |v: Option<String>| v.unwrap_or_default();
    let consent = match c.victim_consent {
        Some(true) => "yes",
        Some(false) => "no",
        None => "",
    };
    FormState::default()
        .with("case.referral_source", c.referral_source.clone())
        .with("case.referral_date", c.referral_date.to_string())
        .with("case.court", text(&c.court))
        .with("case.docket_number", text(&c.docket_number))
        .with("case.judge", text(&c.judge))
        .with("case.prosecutor", text(&c.prosecutor))
        .with(
            "case.prior_convictions",
            shown(c.prior_convictions.map(|n| n.to_string())),
        )
        .with("case.victim_consent", consent)
        .with(
            "case.start_date",
            shown(c.start_date.map(|d| d.to_string())),
        )
        .with(
            "case.expected_end_date",
            shown(c.expected_end_date.map(|d| d.to_string())),
        )
        .with(
            "case.officer_id",
            shown(c.officer_id.map(|o| o.to_string())),
        )
}

/// Reads referral and court details; the intake form and the case page share the input names.
pub(super) fn read_details(form: &mut FormState) -> Option<CaseDetailsInput> {
    let referral_date = form.date("case.referral_date");
    let prior = form.parse_opt::<i32>("case.prior_convictions", "a whole number");
    let officer = form.parse_opt::<UserId>("case.officer_id", "an officer");
    let start = form.date_opt("case.start_date");
    let end = form.date_opt("case.expected_end_date");
    let victim_consent = match form.v("case.victim_consent") {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    };
    Some(CaseDetailsInput {
        referral_source: form.v("case.referral_source").into(),
        referral_date: referral_date?,
        court: form.opt("case.court"),
        docket_number: form.opt("case.docket_number"),
        judge: form.opt("case.judge"),
        prosecutor: form.opt("case.prosecutor"),
        prior_convictions: prior?,
        victim_consent,
        start_date: start?,
        expected_end_date: end?,
        officer_id: officer?,
    })
}

pub(super) async fn show(
    app: &App,
    actor: &Actor,
    id: CaseId,
    status: StatusCode,
    submitted: Submitted,
) -> PageResult<Response> {
    let cases::CaseWorkspace {
        record: r,
        conditions,
        supervision,
        tests,
    } = cases::workspace(app, actor, id).await?;
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
    let officers = match users::list(app, actor).await {
        Ok(all) => all
            .into_iter()
            .filter(|u| u.active && matches!(u.role, Role::Officer | Role::Supervisor))
            .collect(),
        Err(_) => Vec::new(),
    };
    let supervision = SupervisionPanel::new(app, supervision);
    let zone = app.settings.zone();
    let test_times = tests
        .tests
        .iter()
        .map(|t| {
            t.collected_at
                .with_timezone(&zone)
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .collect();
    let forms = Forms::from(submitted);
    Ok(render_with(
        status,
        &CasePage {
            nav: Nav::new(zone, actor, "caseload"),
            details: forms.details.unwrap_or_else(|| details_of(&r.case.fields)),
            r,
            next,
            form: forms.status,
            sharing: forms.sharing,
            adding: forms.adding,
            conditions,
            kinds: ConditionKind::all(),
            units: Unit::all(),
            supervising: forms.supervising,
            supervision,
            testing: forms.testing,
            tests,
            test_times,
            specimens: Specimen::all(),
            collections: Collection::all(),
            test_results: SubstanceResult::all(),
            result_rows: super::supervision::RESULT_ROWS,
            officers,
        },
    ))
}

pub async fn page(
    State(app): State<App>,
    user: PageUser,
    PagePath(id): PagePath<CaseId>,
) -> PageResult<Response> {
    show(&app, &user.actor, id, StatusCode::OK, Submitted::Nothing).await
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
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
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
            Err(e) => status = form.absorb(e)?,
        }
    }
    show(&app, &user.actor, id, status, Submitted::Status(form)).await
}

pub async fn change_details(
    State(app): State<App>,
    user: PageUser,
    PagePath(id): PagePath<CaseId>,
    Form(mut form): Form,
) -> PageResult<Response> {
    let version = form.parse::<i64>("version", "a version number");
    let details = read_details(&mut form);
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if let (Some(version), Some(case), false) = (version, details, form.has_errors()) {
        match cases::update(&app, &user.actor, id, CaseUpdate { version, case }).await {
            Ok(_) => return Ok(Redirect::to(&format!("/cases/{id}")).into_response()),
            Err(e) => status = form.absorb(e)?,
        }
    }
    show(&app, &user.actor, id, status, Submitted::Details(form)).await
}

pub async fn share(
    State(app): State<App>,
    user: PageUser,
    PagePath(id): PagePath<CaseId>,
    Form(mut form): Form,
) -> PageResult<Response> {
    let input = ShareInput {
        username: form.v("username").to_owned(),
        reason: form.v("reason").to_owned(),
    };
    let status = match cases::share(&app, &user.actor, id, input).await {
        Ok(_) => return Ok(Redirect::to(&format!("/cases/{id}#sharing")).into_response()),
        Err(e) => form.absorb(e)?,
    };
    show(&app, &user.actor, id, status, Submitted::Share(form)).await
}

pub async fn unshare(
    State(app): State<App>,
    user: PageUser,
    PagePath((id, username)): PagePath<(CaseId, String)>,
) -> PageResult<Response> {
    cases::unshare(&app, &user.actor, id, &username).await?;
    Ok(Redirect::to(&format!("/cases/{id}#sharing")).into_response())
}

/// Reads the terms of a condition from a form (shared by the add form here
/// and the adjust form on the condition page).
pub(super) fn read_terms(form: &mut FormState) -> Option<TermsInput> {
    let kind = form.parse::<ConditionKind>("kind", "a kind of condition");
    let target = form.parse_opt::<f64>("target", "a number");
    let unit = form.parse_opt::<Unit>("unit", "a unit");
    let due_date = form.date_opt("due_date");
    Some(TermsInput {
        kind: kind?,
        title: form.v("title").to_owned(),
        details: form.opt("details"),
        target: target?,
        unit: unit?,
        due_date: due_date?,
    })
}

pub async fn add_condition(
    State(app): State<App>,
    user: PageUser,
    PagePath(id): PagePath<CaseId>,
    Form(mut form): Form,
) -> PageResult<Response> {
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if let Some(terms) = read_terms(&mut form).filter(|_| !form.has_errors()) {
        match conditions::add(&app, &user.actor, id, terms).await {
            Ok(_) => return Ok(Redirect::to(&format!("/cases/{id}#conditions")).into_response()),
            Err(e) => status = form.absorb(e)?,
        }
    }
    show(&app, &user.actor, id, status, Submitted::Condition(form)).await
}

pub async fn apply_program_conditions(
    State(app): State<App>,
    user: PageUser,
    PagePath(id): PagePath<CaseId>,
) -> PageResult<Response> {
    conditions::apply_program(&app, &user.actor, id).await?;
    Ok(Redirect::to(&format!("/cases/{id}#conditions")).into_response())
}
