//! The supervision panel of the case page (level, contact standard,
//! appointments, contacts) and the forms it posts.

use super::cases::{show, Submitted};
use super::form::{Form, FormState};
use crate::app::supervision::{self, AppointmentInput, ContactInput, OutcomeInput, Overview};
use crate::app::testing::{self, DrugTestInput};
use crate::app::{App, AppError};
use crate::domain::ids::{AppointmentId, CaseId};
use crate::domain::supervision::{
    parse_local, AppointmentKind, Collateral, ContactKind, Outcome, SupervisionLevel,
};
use crate::domain::testing::{Collection, Specimen, SubstanceLine, SubstanceResult};
use crate::store::supervision::{AppointmentRow, ContactRow};
use crate::web::error::PageResult;
use crate::web::extract::{PagePath, PageUser};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, NaiveDateTime, Utc};

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

fn back(id: CaseId) -> Response {
    Redirect::to(&format!("/cases/{id}#supervision")).into_response()
}

/// Shows the case page again with the supervision form's errors, or fails.
async fn refused(
    app: &App,
    user: &PageUser,
    case: CaseId,
    e: Option<AppError>,
    mut form: FormState,
) -> PageResult<Response> {
    let status = match e {
        None => StatusCode::UNPROCESSABLE_ENTITY,
        Some(e) => form.absorb(e)?,
    };
    show(app, &user.actor, case, status, Submitted::Supervision(form)).await
}

fn local_time(form: &mut FormState, name: &str) -> Option<NaiveDateTime> {
    match parse_local(form.v(name)) {
        Ok(t) => Some(t),
        Err(e) => {
            form.add_error(name, e);
            None
        }
    }
}

pub async fn set_level(
    State(app): State<App>,
    user: PageUser,
    PagePath(id): PagePath<CaseId>,
    Form(mut form): Form,
) -> PageResult<Response> {
    let Some(level) = form.parse_opt::<SupervisionLevel>("level", "a supervision level") else {
        return refused(&app, &user, id, None, form).await;
    };
    match supervision::set_level(&app, &user.actor, id, level).await {
        Ok(()) => Ok(back(id)),
        Err(e) => refused(&app, &user, id, Some(e), form).await,
    }
}

pub async fn schedule(
    State(app): State<App>,
    user: PageUser,
    PagePath(id): PagePath<CaseId>,
    Form(mut form): Form,
) -> PageResult<Response> {
    let kind = form.parse::<AppointmentKind>("kind", "a kind of appointment");
    let starts_at = local_time(&mut form, "starts_at");
    let duration = form.parse_opt::<i32>("duration_minutes", "a number of minutes");
    let weekly = form.parse_opt::<u32>("weekly_occurrences", "a number of weeks");
    let (Some(kind), Some(starts_at), Some(duration_minutes), Some(weekly_occurrences), false) =
        (kind, starts_at, duration, weekly, form.has_errors())
    else {
        return refused(&app, &user, id, None, form).await;
    };
    let input = AppointmentInput {
        kind,
        starts_at,
        duration_minutes,
        location: form.opt("location"),
        weekly_occurrences,
    };
    match supervision::schedule(&app, &user.actor, id, input).await {
        Ok(_) => Ok(back(id)),
        Err(e) => refused(&app, &user, id, Some(e), form).await,
    }
}

pub async fn record_outcome(
    State(app): State<App>,
    user: PageUser,
    PagePath((case, id)): PagePath<(CaseId, AppointmentId)>,
    Form(mut form): Form,
) -> PageResult<Response> {
    let version = form.parse::<i64>("version", "a version number");
    let outcome = form.parse::<Outcome>("outcome", "an outcome");
    let (Some(version), Some(outcome), false) = (version, outcome, form.has_errors()) else {
        return refused(&app, &user, case, None, form).await;
    };
    let input = OutcomeInput {
        version,
        outcome,
        note: form.opt("note"),
    };
    match supervision::record_outcome(&app, &user.actor, id, input).await {
        Ok(_) => Ok(back(case)),
        Err(e) => refused(&app, &user, case, Some(e), form).await,
    }
}

pub async fn log_contact(
    State(app): State<App>,
    user: PageUser,
    PagePath(id): PagePath<CaseId>,
    Form(mut form): Form,
) -> PageResult<Response> {
    let kind = form.parse::<ContactKind>("kind", "a kind of contact");
    let occurred_at = local_time(&mut form, "occurred_at");
    let collateral = form.parse_opt::<Collateral>("collateral", "a kind of collateral contact");
    let (Some(kind), Some(occurred_at), Some(collateral), false) =
        (kind, occurred_at, collateral, form.has_errors())
    else {
        return refused(&app, &user, id, None, form).await;
    };
    let input = ContactInput {
        kind,
        occurred_at,
        place: form.opt("place"),
        collateral,
        collateral_name: form.opt("collateral_name"),
        note: form.opt("note"),
    };
    match supervision::log_contact(&app, &user.actor, id, input).await {
        Ok(_) => Ok(back(id)),
        Err(e) => refused(&app, &user, id, Some(e), form).await,
    }
}

/// Rows of the drug-test form's result table.
pub const RESULT_ROWS: usize = 4;

/// Reads the filled rows of the result table (`results[i].substance`, …).
fn read_results(form: &mut FormState) -> Option<Vec<SubstanceLine>> {
    let mut lines = Vec::new();
    for i in 0..RESULT_ROWS {
        let substance = form.v(&format!("results[{i}].substance")).trim().to_owned();
        if substance.is_empty() {
            continue;
        }
        let result = form.parse::<SubstanceResult>(&format!("results[{i}].result"), "a result")?;
        lines.push(SubstanceLine {
            substance,
            result,
            lab_confirmed: form.checked(&format!("results[{i}].lab_confirmed")),
        });
    }
    Some(lines)
}

pub async fn record_test(
    State(app): State<App>,
    user: PageUser,
    PagePath(id): PagePath<CaseId>,
    Form(mut form): Form,
) -> PageResult<Response> {
    let specimen = form.parse::<Specimen>("specimen", "a specimen");
    let outcome = form.parse::<Collection>("outcome", "a test outcome");
    let collected_at = local_time(&mut form, "collected_at");
    let results = read_results(&mut form);
    let (Some(specimen), Some(outcome), Some(collected_at), Some(results), false) =
        (specimen, outcome, collected_at, results, form.has_errors())
    else {
        return show(
            &app,
            &user.actor,
            id,
            StatusCode::UNPROCESSABLE_ENTITY,
            Submitted::Test(form),
        )
        .await;
    };
    let input = DrugTestInput {
        collected_at,
        specimen,
        panel: form.opt("panel"),
        chain_of_custody: form.opt("chain_of_custody"),
        outcome,
        results,
    };
    match testing::record(&app, &user.actor, id, input).await {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{id}#tests")).into_response()),
        Err(e) => {
            let status = form.absorb(e)?;
            show(&app, &user.actor, id, status, Submitted::Test(form)).await
        }
    }
}
