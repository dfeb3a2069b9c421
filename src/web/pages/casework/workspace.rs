//! The case page: what it shows (the case with its conditions, supervision
//! and drug tests, from `app::casework::workspace`), the forms it holds, and
//! showing it again with the errors of the form that was posted. The form
//! handlers live with their subject (`cases`, `conditions`, `supervision`,
//! `drug_tests`); they read their input with the readers here, which the
//! intake form shares.

use crate::app::access::users::StaffMember;
use crate::app::assessments::case_plans::PlanGlance;
use crate::app::casework::cases::CaseRecord;
use crate::app::casework::conditions::{CaseConditions, TermsInput};
use crate::app::casework::drug_tests::CaseTests;
use crate::app::casework::notes::NoteView;
use crate::app::casework::supervision::Overview;
use crate::app::casework::workspace::{self, Glance};
use crate::app::intake::CaseDetailsInput;
use crate::app::{Actor, App};
use crate::domain::casework::cases::{CaseStatus, ExitReason};
use crate::domain::casework::conditions::{ConditionKind, Unit};
use crate::domain::casework::drug_tests::{Collection, Panel, Specimen, SubstanceResult};
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
    glance: Glance,
    /// A case silent this many days raises the no-contact alert.
    no_contact_days: i64,
    /// The latest notes, when the reader may read them.
    notes: Option<Vec<NoteView>>,
    /// The case plan at a glance, when the reader may read it.
    plan: Option<PlanGlance>,
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
    /// The agency's panels, and the one the test form lists.
    panels: Vec<String>,
    panel: Option<String>,
    result_rows: Vec<ResultRow>,
    /// The test form is open: it failed, or a panel was chosen for it.
    test_open: bool,
    officers: Vec<StaffMember>,
    /// The charges' correction, filled from the case or as submitted.
    charging: FormState,
    charge_rows: Vec<ChargeRow>,
    levels: &'static [ChargeLevel],
}

/// Which of the page's forms was submitted, if any.
pub(super) enum Submitted {
    Nothing,
    /// Nothing; the test form opens on this panel (or none: typed substances).
    Panel(Option<String>),
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
pub(super) fn local_input(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M").to_string()
}

impl Forms {
    /// The page's forms, the submitted one as typed; the others start at
    /// `now` (the agency's wall clock): a contact or a test is recorded as
    /// it happens, an appointment is set from the next whole hour; the test
    /// form lists `panel`'s substances, each negative until changed.
    fn new(submitted: Submitted, now: NaiveDateTime, panel: Option<&Panel>) -> Self {
        let next_hour =
            now.date().and_hms_opt(now.hour(), 0, 0).unwrap_or(now) + Duration::hours(1);
        let mut forms = Self {
            supervising: FormState::default()
                .with("occurred_at", local_input(now))
                .with("starts_at", local_input(next_hour)),
            drug_testing: panel_form(panel).with("collected_at", local_input(now)),
            ..Self::default()
        };
        match submitted {
            Submitted::Nothing | Submitted::Panel(_) => {}
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

/// One row of the test form's results: a panel's substance, named by the
/// form, or one to type.
pub struct ResultRow {
    pub index: usize,
    pub preset: Option<String>,
}

impl ResultRow {
    /// The field names of the row's parts.
    pub fn name(&self, part: &str) -> String {
        format!("results[{}].{part}", self.index)
    }
}

/// Rows to type substances in, after a panel's.
const TYPED_ROWS: usize = 2;
/// Rows to type substances in when no panel is chosen.
const TYPED_ROWS_ALONE: usize = 4;

/// The result rows for `panel`'s substances, then rows to type.
fn result_rows(panel: Option<&Panel>) -> Vec<ResultRow> {
    let presets = panel.map_or(&[][..], |p| p.substances.as_slice());
    let typed = if presets.is_empty() {
        TYPED_ROWS_ALONE
    } else {
        TYPED_ROWS
    };
    let preset = presets.iter().map(|s| Some(s.clone()));
    preset
        .chain(std::iter::repeat_n(None, typed))
        .take(MAX_RESULT_ROWS)
        .enumerate()
        .map(|(index, preset)| ResultRow { index, preset })
        .collect()
}

/// The test form before anything is typed: the panel named, its
/// substances listed and negative.
fn panel_form(panel: Option<&Panel>) -> FormState {
    let form = FormState::default().with("panel", panel.map_or("", |p| p.name.as_str()));
    result_rows(panel)
        .iter()
        .filter_map(|row| Some((row.preset.as_deref()?, row)))
        .fold(form, |form, (substance, row)| {
            form.with(&row.name("substance"), substance)
                .with(&row.name("preset"), "1")
                .with(&row.name("result"), SubstanceResult::Negative.label())
        })
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

/// An appointment with its time in the agency's zone.
#[derive(Clone)]
pub struct Occurrence {
    pub when: String,
    pub a: AppointmentRow,
}

/// A line of the appointments table: one appointment, or a weekly series
/// with its occurrences folded under it.
pub struct AppointmentLine {
    pub first: Occurrence,
    /// The series' later occurrences shown, in time order; none for an
    /// appointment on its own.
    pub rest: Vec<Occurrence>,
}

impl AppointmentLine {
    pub fn is_series(&self) -> bool {
        !self.rest.is_empty()
    }

    pub fn occurrences(&self) -> impl Iterator<Item = &Occurrence> {
        std::iter::once(&self.first).chain(&self.rest)
    }

    pub fn count(&self) -> usize {
        1 + self.rest.len()
    }

    /// The occurrences by outcome, e.g. "3 attended, 1 missed, 8 not yet
    /// recorded".
    pub fn tally(&self) -> String {
        let mut counts: Vec<(Option<Outcome>, usize)> = Vec::new();
        for o in self.occurrences() {
            match counts.iter_mut().find(|(x, _)| *x == o.a.outcome) {
                Some((_, n)) => *n += 1,
                None => counts.push((o.a.outcome, 1)),
            }
        }
        let said =
            |x: Option<Outcome>| x.map_or("not yet recorded".into(), |x| x.title().to_lowercase());
        counts
            .iter()
            .map(|&(x, n)| format!("{n} {}", said(x)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Appointments in time order, each weekly series folded into the line of
/// its first occurrence shown.
fn fold_series(occurrences: Vec<Occurrence>) -> Vec<AppointmentLine> {
    let mut lines: Vec<AppointmentLine> = Vec::new();
    for o in occurrences {
        let series = o.a.series_id;
        let same = lines
            .iter_mut()
            .find(|l| series.is_some() && l.first.a.series_id == series);
        match same {
            Some(line) => line.rest.push(o),
            None => lines.push(AppointmentLine {
                first: o,
                rest: Vec::new(),
            }),
        }
    }
    lines
}

/// What the case page shows of a case's supervision, with times in the
/// agency's zone.
pub struct SupervisionPanel {
    pub overview: Overview,
    /// Recent and upcoming appointments, series folded.
    pub lines: Vec<AppointmentLine>,
    /// The next appointment still to be kept.
    pub next: Option<Occurrence>,
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
        let occurrence = |a: &AppointmentRow| Occurrence {
            when: local(a.starts_at),
            a: a.clone(),
        };
        let in_order = overview.recent.iter().rev().chain(&overview.upcoming);
        Self {
            lines: fold_series(in_order.map(occurrence).collect()),
            next: overview
                .upcoming
                .iter()
                .find(|a| a.outcome.is_none())
                .map(occurrence),
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

/// Most rows the drug-test form's result table has (a test's limit).
pub const MAX_RESULT_ROWS: usize = crate::domain::casework::drug_tests::MAX_RESULTS;

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
        glance,
        conditions,
        supervision,
        tests,
        officers,
        notes,
        plan,
    } = workspace::workspace(app, actor, id).await?;
    let panels = &app.settings.drug_tests;
    let panel = match &submitted {
        Submitted::Panel(name) => name.as_deref().and_then(|n| panels.named(n)),
        Submitted::Test(form) => panels.named(form.v("panel")),
        _ => panels.panels.first(),
    };
    let test_open = match &submitted {
        Submitted::Panel(_) => true,
        Submitted::Test(form) => form.has_errors(),
        _ => false,
    };
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
    let forms = Forms::new(
        submitted,
        app.now().with_timezone(&zone).naive_local(),
        panel,
    );
    Ok(render_with(
        status,
        &CasePage {
            nav: Nav::new(zone, actor, "caseload"),
            glance,
            no_contact_days: app.settings.alerts.no_contact_days,
            notes,
            plan,
            panels: panels.panels.iter().map(|p| p.name.clone()).collect(),
            panel: panel.map(|p| p.name.clone()),
            result_rows: result_rows(panel),
            test_open,
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
            officers,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::AppointmentId;

    fn occurrence(series: Option<AppointmentId>, outcome: Option<Outcome>) -> Occurrence {
        Occurrence {
            when: String::new(),
            a: AppointmentRow {
                id: AppointmentId::new(),
                case_id: CaseId::new(),
                series_id: series,
                kind: AppointmentKind::OfficeVisit,
                starts_at: DateTime::UNIX_EPOCH,
                duration_minutes: 30,
                location: None,
                outcome,
                outcome_note: None,
                outcome_at: None,
                version: 1,
            },
        }
    }

    #[test]
    fn a_weekly_series_folds_into_one_line_with_its_tally() {
        let weekly = Some(AppointmentId::new());
        let lines = fold_series(vec![
            occurrence(weekly, Some(Outcome::Attended)),
            occurrence(None, None),
            occurrence(weekly, Some(Outcome::Missed)),
            occurrence(weekly, Some(Outcome::Attended)),
            occurrence(weekly, None),
            occurrence(None, None),
        ]);
        let counts: Vec<usize> = lines.iter().map(AppointmentLine::count).collect();
        assert_eq!(counts, [4, 1, 1], "the series, then each one on its own");
        assert_eq!(lines[0].tally(), "2 attended, 1 missed, 1 not yet recorded");
        assert!(!lines[1].is_series());
    }
}
