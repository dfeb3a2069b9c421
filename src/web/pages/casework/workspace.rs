//! The case page: what it shows (the case with its conditions, supervision
//! and drug tests, from `app::casework::workspace`), the forms it holds, and
//! showing it again with the errors of the form that was posted. The form
//! handlers live with their subject (`cases`, `conditions`, `supervision`,
//! `drug_tests`); they read their input with the readers here, which the
//! intake form shares.

use crate::app::access::users::StaffMember;
use crate::app::casework::cases::CaseRecord;
use crate::app::casework::conditions::{CaseConditions, TermsInput};
use crate::app::casework::drug_tests::CaseTests;
use crate::app::casework::supervision::Overview;
use crate::app::casework::workspace;
use crate::app::intake::CaseDetailsInput;
use crate::app::{Actor, App};
use crate::domain::casework::cases::{CaseStatus, ExitReason};
use crate::domain::casework::conditions::{ConditionKind, Unit};
use crate::domain::casework::drug_tests::{Collection, Specimen, SubstanceResult};
use crate::domain::casework::supervision::{
    AppointmentKind, Collateral, ContactKind, Outcome, SupervisionLevel,
};
use crate::domain::ids::{CaseId, UserId};
use crate::domain::programs::{Charge, ChargeLevel};
use crate::store::casework::cases::CaseRow;
use crate::store::casework::supervision::{AppointmentRow, ContactRow};
use crate::web::error::PageResult;
use crate::web::form::FormState;
use crate::web::pages::charges::ChargeRow;
use crate::web::render::{render_with, Nav, Show as _, When as _};
use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Duration, NaiveDateTime, Timelike, Utc};

/// One possible next status, with the exit reasons that go with it.
pub struct NextStatus {
    pub status: CaseStatus,
    pub exit_reasons: Vec<ExitReason>,
    /// Enrolment of a referral screening found not eligible needs a reason.
    pub needs_override: bool,
}

#[derive(Template)]
#[template(path = "casework/case.html")]
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
    drug_testing: FormState,
    tests: CaseTests,
    /// The local times of `tests`, in order.
    test_times: Vec<String>,
    specimens: &'static [Specimen],
    collections: &'static [Collection],
    test_results: &'static [SubstanceResult],
    result_rows: usize,
    officers: Vec<StaffMember>,
    /// The charges' correction, filled from the case or as submitted.
    charging: FormState,
    charge_rows: Vec<ChargeRow>,
    levels: &'static [ChargeLevel],
}

/// Which of the page's forms was submitted, if any.
pub(super) enum Submitted {
    Nothing,
    Status(FormState),
    Details(FormState),
    Charges(FormState),
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
    charging: Option<FormState>,
    sharing: FormState,
    adding: FormState,
    supervising: FormState,
    drug_testing: FormState,
}

/// A local time as a `datetime-local` input holds it.
fn local_input(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M").to_string()
}

impl Forms {
    /// The page's forms, the submitted one as typed; the others start at
    /// `now` (the agency's wall clock): a contact or a test is recorded as
    /// it happens, an appointment is set from the next whole hour.
    fn new(submitted: Submitted, now: NaiveDateTime) -> Self {
        let next_hour =
            now.date().and_hms_opt(now.hour(), 0, 0).unwrap_or(now) + Duration::hours(1);
        let mut forms = Self {
            supervising: FormState::default()
                .with("occurred_at", local_input(now))
                .with("starts_at", local_input(next_hour)),
            drug_testing: FormState::default().with("collected_at", local_input(now)),
            ..Self::default()
        };
        match submitted {
            Submitted::Nothing => {}
            Submitted::Status(f) => forms.status = f,
            Submitted::Details(f) => forms.details = Some(f),
            Submitted::Charges(f) => forms.charging = Some(f),
            Submitted::Share(f) => forms.sharing = f,
            Submitted::Condition(f) => forms.adding = f,
            Submitted::Supervision(f) => forms.supervising = f,
            Submitted::Test(f) => forms.drug_testing = f,
        }
        forms
    }
}

/// The details form filled from the case as stored.
fn details_of(case: &CaseRow) -> FormState {
    let c = &case.fields;
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
        .with("version", case.version.to_string())
        .opened()
}

/// The charges' correction filled from the charges recorded, on the case's
/// `version` (a form refused as stale keeps its own: sent again, it is
/// refused again rather than replacing charges its sender has not seen).
fn charges_of(charges: &[Charge], version: i64) -> FormState {
    let mut form = FormState::default().with("version", version.to_string());
    for (i, c) in charges.iter().enumerate() {
        let name = |f: &str| format!("charges[{i}].{f}");
        form = form
            .with(&name("statute_code"), c.statute_code.clone())
            .with(&name("description"), c.description.clone())
            .with(&name("level"), c.level.label())
            .with(
                &name("offense_date"),
                c.offense_date.map(|d| d.to_string()).unwrap_or_default(),
            );
        if c.violent {
            form = form.with(&name("violent"), "on");
        }
    }
    form
}

/// The details form as submitted; after a save refused on a stale version,
/// reconciled with the case as stored now.
fn details_again(mut form: FormState, case: &CaseRow, officers: &[StaffMember]) -> FormState {
    form.reconcile(&details_of(case));
    form.show_change_as("case.officer_id", |id| {
        officers
            .iter()
            .find(|o| o.id.to_string() == id)
            .map(|o| o.full_name.clone())
    });
    form
}

/// What the case page shows of a case's supervision, with times in the
/// agency's zone.
pub struct SupervisionPanel {
    pub overview: Overview,
    pub upcoming: Vec<(String, AppointmentRow)>,
    pub recent: Vec<(String, AppointmentRow)>,
    pub contacts: Vec<(String, ContactRow)>,
    pub levels: &'static [SupervisionLevel],
    pub appointment_kinds: &'static [AppointmentKind],
    pub outcomes: &'static [Outcome],
    pub contact_kinds: &'static [ContactKind],
    pub collaterals: &'static [Collateral],
}

impl SupervisionPanel {
    pub fn new(app: &App, overview: Overview) -> Self {
        let zone = app.settings.zone();
        let local = |at: DateTime<Utc>| {
            at.with_timezone(&zone)
                .format("%a %Y-%m-%d %H:%M")
                .to_string()
        };
        let lines = |rows: &[AppointmentRow]| {
            rows.iter()
                .map(|a| (local(a.starts_at), a.clone()))
                .collect()
        };
        Self {
            upcoming: lines(&overview.upcoming),
            recent: lines(&overview.recent),
            contacts: overview
                .contacts
                .iter()
                .map(|c| (local(c.occurred_at), c.clone()))
                .collect(),
            overview,
            levels: SupervisionLevel::all(),
            appointment_kinds: AppointmentKind::all(),
            outcomes: Outcome::all(),
            contact_kinds: ContactKind::all(),
            collaterals: Collateral::all(),
        }
    }
}

/// Rows of the drug-test form's result table.
pub const RESULT_ROWS: usize = 4;

/// Reads referral and court details; the intake form and the case page share the input names.
pub(crate) fn read_details(form: &mut FormState) -> Option<CaseDetailsInput> {
    let referral_date = form.date("case.referral_date");
    let prior = form.parse_opt("case.prior_convictions", "a whole number");
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

/// Reads the terms of a condition from a form (shared by the add form here
/// and the adjust form on the condition page).
pub(super) fn read_terms(form: &mut FormState) -> Option<TermsInput> {
    let kind = form.parse::<ConditionKind>("kind", "a kind of condition");
    let target = form.parse_opt::<f64>("target", "a number");
    let unit = form.parse_opt::<Unit>("unit", "a unit");
    let due_date = form.date_opt("due_date");
    Some(TermsInput {
        kind: kind?,
        title: form.v("title").into(),
        details: form.opt("details"),
        target: target?,
        unit: unit?,
        due_date: due_date?,
    })
}

pub(super) async fn show(
    app: &App,
    actor: &Actor,
    id: CaseId,
    status: StatusCode,
    submitted: Submitted,
) -> PageResult<Response> {
    let workspace::CaseWorkspace {
        record: r,
        conditions,
        supervision,
        tests,
        officers,
    } = workspace::workspace(app, actor, id).await?;
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
    let forms = Forms::new(submitted, app.now().with_timezone(&zone).naive_local());
    Ok(render_with(
        status,
        &CasePage {
            nav: Nav::new(zone, actor, "caseload"),
            charge_rows: ChargeRow::offered(r.charges.len()),
            levels: ChargeLevel::all(),
            charging: forms
                .charging
                .unwrap_or_else(|| charges_of(&r.charges, r.case.version)),
            details: match forms.details {
                Some(form) => details_again(form, &r.case, &officers),
                None => details_of(&r.case),
            },
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
            drug_testing: forms.drug_testing,
            tests,
            test_times,
            specimens: Specimen::all(),
            collections: Collection::all(),
            test_results: SubstanceResult::all(),
            result_rows: RESULT_ROWS,
            officers,
        },
    ))
}
