//! Intake: a referral arrives, the person is found or entered (with a
//! duplicate check), the case is opened and screened against the program's
//! eligibility rules.

use crate::app::people::{self, PersonInput, PossibleDuplicate};
use crate::app::{audit, policy, Actor, App, AppError, AppResult};
use crate::domain::audit::Action;
use crate::domain::casework::cases::CaseStatus;
use crate::domain::ids::{CaseId, PersonId, ProgramId, UserId};
use crate::domain::input::{RequiredText, Text, Whole};
use crate::domain::people::age_on;
use crate::domain::programs::{
    Charge, ChargeLevel, PriorConvictions, Referral, ScreeningResult, StatuteCode,
};
use crate::domain::validation::{DateKind, Errors, Invalid};
use crate::store::access::users as user_store;
use crate::store::casework::cases::{self as case_store, CaseFields, NewCase, StatusChange};
use crate::store::{people as people_store, programs as program_store, Tx};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChargeInput {
    pub statute_code: StatuteCode,
    pub description: RequiredText<200>,
    pub level: ChargeLevel,
    #[serde(default)]
    pub violent: bool,
    #[serde(default)]
    pub offense_date: Option<NaiveDate>,
}

/// Referral and court details of a case.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseDetailsInput {
    /// Who referred: a court, a prosecutor, law enforcement, another agency.
    pub referral_source: RequiredText<120>,
    pub referral_date: NaiveDate,
    #[serde(default)]
    pub court: Option<Text<120>>,
    #[serde(default)]
    pub docket_number: Option<Text<60>>,
    #[serde(default)]
    pub judge: Option<Text<120>>,
    #[serde(default)]
    pub prosecutor: Option<Text<120>>,
    /// Number of prior convictions, when known.
    #[serde(default)]
    pub prior_convictions: Option<PriorConvictions>,
    /// Whether the victim consents (for programs that require it).
    #[serde(default)]
    pub victim_consent: Option<bool>,
    #[serde(default)]
    pub start_date: Option<NaiveDate>,
    #[serde(default)]
    pub expected_end_date: Option<NaiveDate>,
    /// The assigned officer.
    #[serde(default)]
    pub officer_id: Option<UserId>,
}

/// A referral: an existing person (`person_id`) or a new one (`person`).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IntakeInput {
    #[serde(default)]
    pub person_id: Option<PersonId>,
    #[serde(default)]
    pub person: Option<PersonInput>,
    /// Enter the new person although possible duplicates were found.
    #[serde(default)]
    pub confirm_new_person: bool,
    pub program_id: ProgramId,
    pub case: CaseDetailsInput,
    pub charges: Vec<ChargeInput>,
}

#[derive(Debug, Clone)]
pub struct IntakeResult {
    pub case_id: CaseId,
    pub person_id: PersonId,
    pub case_number: String,
    pub screening: ScreeningResult,
}

/// What intake did.
#[derive(Debug)]
pub enum IntakeOutcome {
    Opened(IntakeResult),
    /// Nothing was stored: these people may be the one referred.
    PossibleDuplicates(Vec<PossibleDuplicate>),
}

pub fn parse_charges(
    errors: &mut Errors,
    input: &[ChargeInput],
    today: NaiveDate,
) -> Option<Vec<Charge>> {
    if input.is_empty() {
        errors.add("charges", "at least one charge is required");
    }
    if input.len() > 50 {
        errors.add("charges", "at most 50 charges");
    }
    let mut out = Vec::new();
    for (i, c) in input.iter().enumerate() {
        let code = errors.check(
            &format!("charges[{i}].statute_code"),
            c.statute_code.checked(),
        );
        let description = errors.check(
            &format!("charges[{i}].description"),
            c.description.checked(),
        );
        if let Some(offense) = c.offense_date {
            let field = format!("charges[{i}].offense_date");
            errors.check(&field, DateKind::Happened.check(offense, today));
        }
        out.push(Charge {
            statute_code: code?,
            description: description?,
            level: c.level,
            violent: c.violent,
            offense_date: c.offense_date,
        });
    }
    Some(out)
}

pub fn parse_case_details(
    errors: &mut Errors,
    input: &CaseDetailsInput,
    today: NaiveDate,
) -> Option<CaseFields> {
    let source = errors.check("case.referral_source", input.referral_source.checked());
    let court = errors.check("case.court", Text::checked(input.court.as_ref()));
    let docket = errors.check(
        "case.docket_number",
        Text::checked(input.docket_number.as_ref()),
    );
    let judge = errors.check("case.judge", Text::checked(input.judge.as_ref()));
    let prosecutor = errors.check("case.prosecutor", Text::checked(input.prosecutor.as_ref()));
    errors.check(
        "case.referral_date",
        DateKind::Happened.check(input.referral_date, today),
    );
    for (field, date) in [
        ("case.start_date", input.start_date),
        ("case.expected_end_date", input.expected_end_date),
    ] {
        if let Some(date) = date {
            errors.check(field, DateKind::Term.check(date, today));
        }
    }
    let prior_convictions = errors.check(
        "case.prior_convictions",
        input.prior_convictions.map(Whole::checked).transpose(),
    );
    if let (Some(start), Some(end)) = (input.start_date, input.expected_end_date) {
        if end <= start {
            errors.add("case.expected_end_date", "must be after the start date");
        }
    }
    Some(CaseFields {
        referral_source: source?,
        referral_date: input.referral_date,
        court: court?,
        // Docket numbers are kept upper-case so a search finds them exactly.
        docket_number: docket?.map(|d| d.to_uppercase()),
        judge: judge?,
        prosecutor: prosecutor?,
        prior_convictions: prior_convictions?,
        victim_consent: input.victim_consent,
        start_date: input.start_date,
        expected_end_date: input.expected_end_date,
        officer_id: input.officer_id,
    })
}

/// Checks that `officer` is an active officer or supervisor the actor may assign to.
pub async fn check_officer(tx: &mut Tx, actor: &Actor, officer: Option<UserId>) -> AppResult<()> {
    if let Some(id) = officer {
        let ok = user_store::by_id(tx, id).await?.is_some_and(|u| {
            u.active
                && matches!(
                    u.role,
                    crate::domain::access::users::Role::Officer
                        | crate::domain::access::users::Role::Supervisor
                )
        });
        if !ok {
            return Err(Invalid::one("case.officer_id", "is not an active officer").into());
        }
    }
    policy::casework::assign_case(actor, officer)
}

/// Screens a case against its program's rules as the case now stands.
pub fn screen(
    program: &program_store::ProgramRow,
    dob: NaiveDate,
    fields: &CaseFields,
    charges: &[Charge],
) -> ScreeningResult {
    program.eligibility.0.screen(&Referral {
        charges,
        age: age_on(dob, fields.referral_date),
        prior_convictions: fields.prior_convictions.and_then(|n| u32::try_from(n).ok()),
        victim_consent: fields.victim_consent,
    })
}

/// The parts of a referral a form could read, when it could not read them
/// all (a date that is not a date): each part read is checked on its own,
/// so the form names every problem in one round rather than the rest only
/// after the first are mended. `None` when the parts read are valid.
pub fn check_parts(
    app: &App,
    person: Option<&PersonInput>,
    case: Option<&CaseDetailsInput>,
    charges: Option<&[ChargeInput]>,
) -> Option<Invalid> {
    let today = app.today();
    let mut errors = Errors::new();
    if let Some(Err(invalid)) =
        person.map(|p| people::validate(p, &app.settings.demographics, today))
    {
        errors.absorb("person.", invalid);
    }
    if let Some(case) = case {
        parse_case_details(&mut errors, case, today);
    }
    if let Some(charges) = charges {
        parse_charges(&mut errors, charges, today);
    }
    errors.finish(|| Some(())).err()
}

/// Takes in a referral. Nothing is stored when the input is invalid or when
/// possible duplicates need a decision.
pub async fn take_in(app: &App, actor: &Actor, input: IntakeInput) -> AppResult<IntakeOutcome> {
    policy::people::intake(actor)?;
    let today = app.today();
    let mut errors = Errors::new();
    let new_person = match (&input.person_id, &input.person) {
        (Some(_), None) => None,
        (None, Some(p)) => match people::validate(p, &app.settings.demographics, today) {
            Ok(valid) => Some(valid),
            Err(invalid) => {
                errors.absorb("person.", invalid);
                None
            }
        },
        _ => {
            errors.add(
                "person",
                "give either person_id (an existing person) or person (a new one)",
            );
            None
        }
    };
    let fields = parse_case_details(&mut errors, &input.case, today);
    let charges = parse_charges(&mut errors, &input.charges, today);
    let (fields, charges) = errors.finish(|| Some((fields?, charges?)))?;

    let mut tx = app.db.write().await?;
    let program = program_store::get(&mut tx, input.program_id)
        .await?
        .filter(|p| p.active)
        .ok_or_else(|| Invalid::one("program_id", "is not an active program"))?;
    check_officer(&mut tx, actor, fields.officer_id).await?;
    let person_id = match (input.person_id, new_person) {
        (Some(id), _) => {
            people_store::get(&mut tx, id)
                .await?
                .ok_or_else(|| Invalid::one("person_id", "no such person"))?;
            id
        }
        (None, Some(person)) => {
            let duplicates = people::find_duplicates(&mut tx, &app.keys, &person).await?;
            if !duplicates.is_empty() && !input.confirm_new_person {
                return Ok(IntakeOutcome::PossibleDuplicates(duplicates));
            }
            let id = people::insert(&mut tx, &app.keys, &person).await?;
            audit::record(&mut tx, actor, Action::PersonCreate.on(id));
            id
        }
        (None, None) => return Err(Invalid::one("person", "is required").into()),
    };
    let dob = people_store::get(&mut tx, person_id)
        .await?
        .ok_or(AppError::NotFound("participant"))?
        .date_of_birth;

    let case_id = CaseId::new();
    let case_number = case_store::next_case_number(&mut tx, today.year()).await?;
    let at = app.now();
    let screening = screen(&program, dob, &fields, &charges);
    case_store::insert(
        &mut tx,
        NewCase {
            id: case_id,
            case_number: case_number.clone(),
            person_id,
            program_id: program.id,
            status: CaseStatus::Screening,
            fields: &fields,
            screening: Some(&screening),
            screening_override: None,
            exit_reason: None,
            now: at,
        },
    )
    .await?;
    case_store::insert_charges(&mut tx, case_id, &charges).await?;
    let referred = StatusChange {
        from: None,
        to: CaseStatus::Referred,
        exit_reason: None,
        reason: "referral received",
        actor: Some(actor.id),
        at,
        start_date: None,
    };
    let screened = StatusChange {
        from: Some(CaseStatus::Referred),
        to: CaseStatus::Screening,
        reason: if screening.eligible {
            "screened: eligible"
        } else {
            "screened: not eligible"
        },
        ..referred
    };
    case_store::record_histories(&mut tx, &[(case_id, &referred), (case_id, &screened)]).await?;
    audit::record(&mut tx, actor, Action::CaseCreate.on(case_id));
    tx.commit().await?;
    Ok(IntakeOutcome::Opened(IntakeResult {
        case_id,
        person_id,
        case_number,
        screening,
    }))
}
