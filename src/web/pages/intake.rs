//! Intake: referral -> duplicate check -> screening result.

use crate::app::access::users::{self, StaffMember};
use crate::app::intake::{self, CaseDetailsInput, ChargeInput, IntakeInput, IntakeOutcome};

use crate::app::people::{PersonInput, PossibleDuplicate};
use crate::app::programs::{self, Program};
use crate::app::{policy, App, AppError};
use crate::config::Demographics;
use crate::domain::ids::{PersonId, ProgramId};
use crate::domain::people::Language;
use crate::domain::programs::ChargeLevel;
use crate::web::error::PageResult;
use crate::web::extract::PageUser;
use crate::web::form::{Form, FormState};
use crate::web::pages::charges::{charges_from, ChargeRow};
use crate::web::pages::routes::PageRoutes;
use crate::web::render::{render_with, Nav};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Template)]
#[template(path = "intake.html")]
struct IntakePage {
    nav: Nav,
    form: FormState,
    programs: Vec<Program>,
    officers: Vec<StaffMember>,
    demographics: Demographics,
    duplicates: Vec<PossibleDuplicate>,
    charge_rows: Vec<ChargeRow>,
    levels: &'static [ChargeLevel],
    languages: &'static [Language],
}

async fn show(
    app: &App,
    user: &PageUser,
    status: StatusCode,
    form: FormState,
    duplicates: Vec<PossibleDuplicate>,
) -> PageResult<Response> {
    policy::people::intake(&user.actor)?;
    let officers = users::case_staff(app, &user.actor, None).await?;
    let programs = programs::list(app)
        .await?
        .into_iter()
        .filter(|p| p.active)
        .collect();
    Ok(render_with(
        status,
        &IntakePage {
            nav: Nav::new(app.settings.zone(), &user.actor, "intake"),
            form,
            programs,
            officers,
            demographics: app.settings.demographics.clone(),
            duplicates,
            charge_rows: ChargeRow::offered(0),
            levels: ChargeLevel::all(),
            languages: Language::all(),
        },
    ))
}

pub async fn form(State(app): State<App>, user: PageUser) -> PageResult<Response> {
    let form = FormState::default()
        .with("case.referral_date", app.today().to_string())
        .with("case.officer_id", user.actor.id.to_string())
        .with("person.preferred_language", Language::English.label());
    show(&app, &user, StatusCode::OK, form, Vec::new()).await
}

/// The form's parts, each as read (`None` where it could not be read; the
/// form records why).
struct Read {
    person_id: Option<Option<PersonId>>,
    person: Option<Option<PersonInput>>,
    program: Option<ProgramId>,
    case: Option<CaseDetailsInput>,
    charges: Option<Vec<ChargeInput>>,
}

impl Read {
    /// Reads the whole form, recording every field that cannot be read.
    fn from(form: &mut FormState) -> Self {
        let person_id = form.parse_opt::<PersonId>("person_id", "a person");
        let person = match person_id {
            Some(Some(_)) => Some(None),
            _ => crate::web::pages::people::read_person(form).map(Some),
        };
        Self {
            person_id,
            person,
            program: form.parse::<ProgramId>("program_id", "a program"),
            case: crate::web::pages::casework::workspace::read_details(form),
            charges: charges_from(form),
        }
    }

    fn input(self, form: &FormState) -> Option<IntakeInput> {
        Some(IntakeInput {
            person_id: self.person_id?,
            person: self.person?,
            confirm_new_person: form.checked("confirm_new_person"),
            program_id: self.program?,
            case: self.case?,
            charges: self.charges?,
        })
    }

    /// What is wrong with the parts that were read, beside what could not
    /// be read: every problem in one round.
    fn check_the_rest(&self, app: &App, form: &mut FormState) {
        let person = self.person.as_ref().and_then(Option::as_ref);
        let checked = intake::check_parts(app, person, self.case.as_ref(), self.charges.as_deref());
        for e in checked.map(|i| i.0).unwrap_or_default() {
            if form.err(&e.field).is_none() {
                form.add_error(&e.field, e.message);
            }
        }
    }
}

pub async fn submit(
    State(app): State<App>,
    user: PageUser,
    Form(mut form): Form,
) -> PageResult<Response> {
    let read = Read::from(&mut form);
    let mut duplicates = Vec::new();
    if form.has_errors() {
        read.check_the_rest(&app, &mut form);
    } else if let Some(input) = read.input(&form) {
        match intake::take_in(&app, &user.actor, input).await {
            Ok(IntakeOutcome::Opened(result)) => {
                return Ok(Redirect::to(&format!("/cases/{}", result.case_id)).into_response())
            }
            Ok(IntakeOutcome::PossibleDuplicates(found)) => duplicates = found,
            Err(AppError::Invalid(invalid)) => form.add_invalid(invalid),
            Err(e) => return Err(e.into()),
        }
    }
    let status = if duplicates.is_empty() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::CONFLICT
    };
    show(&app, &user, status, form, duplicates).await
}

/// This page's routes.
pub fn routes() -> PageRoutes {
    PageRoutes::new()
        .get("/intake", form)
        .post("/intake", submit)
}
