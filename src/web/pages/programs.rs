//! The programs the agency runs: their eligibility rules and standard
//! conditions, read by all staff and kept by administrators from here.

use crate::app::casework::conditions::{self as conditions, TemplateInput};
use crate::app::programs::{self, Program, ProgramInput, ProgramUpdate};
use crate::app::{policy, App, AppError};
use crate::domain::casework::conditions::{ConditionKind, Unit};
use crate::domain::ids::ProgramId;
use crate::domain::programs::{ChargeLevel, EligibilityRules, ProgramKind};
use crate::domain::validation::{FieldError, Invalid};
use crate::store::casework::conditions::TemplateRow;
use crate::web::error::PageResult;
use crate::web::extract::{PagePath, PageUser};
use crate::web::form::{Form, FormState};
use crate::web::pages::routes::PageRoutes;
use crate::web::render::{render, render_with, Nav};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Template)]
#[template(path = "programs.html")]
struct ProgramsPage {
    nav: Nav,
    programs: Vec<Program>,
    can_manage: bool,
}

pub async fn list(State(app): State<App>, user: PageUser) -> PageResult<Response> {
    Ok(render(&ProgramsPage {
        nav: Nav::new(app.settings.zone(), &user.actor, "programs"),
        programs: programs::list(&app).await?,
        can_manage: policy::programs::manage_programs(&user.actor).is_ok(),
    }))
}

/// Standard conditions are shown with this many empty rows to add more.
const SPARE_ROWS: usize = 3;
/// Most standard conditions a program holds.
const MOST_TEMPLATES: usize = 50;

#[derive(Template)]
#[template(path = "program.html")]
struct ProgramPage {
    nav: Nav,
    /// None for a program still to be created.
    program: Option<Program>,
    can_manage: bool,
    /// The program's form, filled from it or as submitted.
    details: FormState,
    /// The standard conditions' rows, filled from them or as submitted.
    standard: FormState,
    rows: Vec<usize>,
    templates: Vec<TemplateRow>,
    kinds: &'static [ProgramKind],
    levels: &'static [ChargeLevel],
    condition_kinds: &'static [ConditionKind],
    units: &'static [Unit],
}

impl ProgramPage {
    /// The field name of row `i`'s `part` in the standard conditions form.
    fn row_name(&self, i: &usize, part: &str) -> String {
        row_name(*i, part)
    }
}

fn row_name(i: usize, part: &str) -> String {
    format!("templates[{i}].{part}")
}

/// The program's form as stored.
fn details_of(p: &Program) -> FormState {
    let e = &p.eligibility;
    let number = |n: Option<u32>| n.map(|n| n.to_string()).unwrap_or_default();
    let flag = |on: bool| if on { "on" } else { "" };
    let form = FormState::default()
        .with("version", p.version.to_string())
        .with("kind", p.kind.label())
        .with("name", p.name.clone())
        .with("default_length_days", p.default_length_days.to_string())
        .with("supervising_unit", p.supervising_unit.clone())
        .with("active", flag(p.active))
        .with(
            "reassess_months",
            number(p.reassess_months.and_then(|m| u32::try_from(m).ok())),
        )
        .with("excluded_statutes", e.excluded_statutes.join("\n"))
        .with("exclude_violent", flag(e.exclude_violent))
        .with("min_age", number(e.min_age.map(u32::from)))
        .with("max_age", number(e.max_age.map(u32::from)))
        .with("max_prior_convictions", number(e.max_prior_convictions))
        .with("victim_consent_required", flag(e.victim_consent_required));
    e.excluded_levels.iter().fold(form, |form, level| {
        form.with(&format!("excluded_levels.{}", level.label()), "on")
    })
}

/// The standard conditions' form as stored.
fn standard_of(templates: &[TemplateRow]) -> FormState {
    templates
        .iter()
        .enumerate()
        .fold(FormState::default(), |form, (i, t)| {
            let (target, unit) = t
                .target
                .map_or((String::new(), ""), |(q, u)| (q.to_string(), u.label()));
            form.with(&row_name(i, "kind"), t.kind.label())
                .with(&row_name(i, "title"), t.title.clone())
                .with(&row_name(i, "target"), target)
                .with(&row_name(i, "unit"), unit)
                .with(
                    &row_name(i, "due_days"),
                    t.due_days.map(|d| d.to_string()).unwrap_or_default(),
                )
        })
}

enum Submitted {
    Nothing,
    Details(FormState),
    Standard(FormState),
}

async fn show(
    app: &App,
    user: &PageUser,
    id: Option<ProgramId>,
    status: StatusCode,
    submitted: Submitted,
) -> PageResult<Response> {
    let (program, templates) = match id {
        Some(id) => (
            Some(programs::get(app, id).await?),
            conditions::templates(app, id).await?,
        ),
        None => (None, Vec::new()),
    };
    let stored_details = || {
        program
            .as_ref()
            .map_or_else(|| FormState::default().with("active", "on"), details_of)
    };
    let (details, standard) = match submitted {
        Submitted::Nothing => (stored_details(), standard_of(&templates)),
        Submitted::Details(form) => (form, standard_of(&templates)),
        Submitted::Standard(form) => (stored_details(), form),
    };
    let sent = (0..MOST_TEMPLATES).rfind(|i| standard.holds(&row_name(*i, "title")));
    let shown = sent.map_or(0, |i| i + 1).max(templates.len());
    let rows = (0..(shown + SPARE_ROWS).min(MOST_TEMPLATES)).collect();
    Ok(render_with(
        status,
        &ProgramPage {
            nav: Nav::new(app.settings.zone(), &user.actor, "programs"),
            program,
            can_manage: policy::programs::manage_programs(&user.actor).is_ok(),
            details,
            standard,
            rows,
            templates,
            kinds: ProgramKind::all(),
            levels: ChargeLevel::all(),
            condition_kinds: ConditionKind::all(),
            units: Unit::all(),
        },
    ))
}

pub async fn page(
    State(app): State<App>,
    user: PageUser,
    PagePath(id): PagePath<ProgramId>,
) -> PageResult<Response> {
    show(&app, &user, Some(id), StatusCode::OK, Submitted::Nothing).await
}

pub async fn new_page(State(app): State<App>, user: PageUser) -> PageResult<Response> {
    policy::programs::manage_programs(&user.actor)?;
    show(&app, &user, None, StatusCode::OK, Submitted::Nothing).await
}

/// The program as the form holds it; problems are recorded on the form.
fn program_input(form: &mut FormState) -> Option<ProgramInput> {
    let kind = form.parse::<ProgramKind>("kind", "a kind of program");
    let length = form.parse("default_length_days", "a number of days");
    let min_age = form.parse_opt::<u8>("min_age", "an age in years");
    let max_age = form.parse_opt::<u8>("max_age", "an age in years");
    let priors = form.parse_opt::<u32>("max_prior_convictions", "a number");
    let reassess = form.parse_opt("reassess_months", "a number of months");
    let levels = form.ticked::<ChargeLevel>("excluded_levels.");
    if levels.is_err() {
        form.add_error("excluded_levels", "is not a charge level");
    }
    let statutes = form
        .v("excluded_statutes")
        .split([',', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    let (Some(kind), Some(length), Some(min_age), Some(max_age), Some(priors), Some(reassess)) =
        (kind, length, min_age, max_age, priors, reassess)
    else {
        return None;
    };
    let Ok(levels) = levels else {
        return None;
    };
    Some(ProgramInput {
        kind,
        name: form.v("name").into(),
        default_length_days: length,
        supervising_unit: form.v("supervising_unit").into(),
        eligibility: EligibilityRules {
            excluded_levels: levels,
            excluded_statutes: statutes,
            exclude_violent: form.checked("exclude_violent"),
            min_age,
            max_age,
            max_prior_convictions: priors,
            victim_consent_required: form.checked("victim_consent_required"),
        },
        active: form.checked("active"),
        reassess_months: reassess,
    })
}

fn back(id: ProgramId) -> Response {
    Redirect::to(&format!("/programs/{id}")).into_response()
}

pub async fn create(
    State(app): State<App>,
    user: PageUser,
    Form(mut form): Form,
) -> PageResult<Response> {
    policy::programs::manage_programs(&user.actor)?;
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if let (Some(input), false) = (program_input(&mut form), form.has_errors()) {
        match programs::create(&app, &user.actor, input).await {
            Ok(made) => return Ok(back(made.id)),
            Err(e) => status = form.absorb(e)?,
        }
    }
    show(&app, &user, None, status, Submitted::Details(form)).await
}

pub async fn update(
    State(app): State<App>,
    user: PageUser,
    PagePath(id): PagePath<ProgramId>,
    Form(mut form): Form,
) -> PageResult<Response> {
    policy::programs::manage_programs(&user.actor)?;
    let version = form.parse::<i64>("version", "a version number");
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if let (Some(program), Some(version), false) =
        (program_input(&mut form), version, form.has_errors())
    {
        match programs::update(&app, &user.actor, id, ProgramUpdate { version, program }).await {
            Ok(_) => return Ok(back(id)),
            Err(e) => status = form.absorb(e)?,
        }
    }
    show(&app, &user, Some(id), status, Submitted::Details(form)).await
}

/// The rows of the standard conditions form with a title (an empty row is
/// no condition: clearing a title removes it), each with its row number.
fn template_inputs(form: &mut FormState) -> Vec<(usize, Option<TemplateInput>)> {
    let titled: Vec<usize> = (0..MOST_TEMPLATES + SPARE_ROWS)
        .filter(|i| !form.v(&row_name(*i, "title")).trim().is_empty())
        .collect();
    titled
        .into_iter()
        .map(|i| {
            let kind = form.parse::<ConditionKind>(&row_name(i, "kind"), "a kind of condition");
            let target = form.parse_opt::<f64>(&row_name(i, "target"), "a number");
            let unit = form.parse_opt::<Unit>(&row_name(i, "unit"), "a unit");
            let due = form.parse_opt(&row_name(i, "due_days"), "a number of days");
            let input = match (kind, target, unit, due) {
                (Some(kind), Some(target), Some(unit), Some(due_days)) => Some(TemplateInput {
                    kind,
                    title: form.v(&row_name(i, "title")).into(),
                    target,
                    unit,
                    due_days,
                }),
                _ => None,
            };
            (i, input)
        })
        .collect()
}

/// `invalid` from the use case (fields like `[2].title`, counted among the
/// rows kept) placed on the form's rows.
fn on_rows(invalid: Invalid, rows: &[usize]) -> Invalid {
    let place = |field: String| {
        let (index, rest) = field.strip_prefix('[')?.split_once(']')?;
        let row = rows.get(index.parse::<usize>().ok()?)?;
        Some(format!("templates[{row}]{rest}"))
    };
    Invalid(
        invalid
            .0
            .into_iter()
            .map(|e| FieldError {
                field: place(e.field.clone()).unwrap_or(e.field),
                message: e.message,
            })
            .collect(),
    )
}

pub async fn set_conditions(
    State(app): State<App>,
    user: PageUser,
    PagePath(id): PagePath<ProgramId>,
    Form(mut form): Form,
) -> PageResult<Response> {
    policy::programs::manage_programs(&user.actor)?;
    let rows = template_inputs(&mut form);
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if !form.has_errors() {
        let numbers: Vec<usize> = rows.iter().map(|(i, _)| *i).collect();
        let inputs = rows.into_iter().filter_map(|(_, t)| t).collect();
        match conditions::set_templates(&app, &user.actor, id, inputs).await {
            Ok(_) => return Ok(back(id)),
            Err(AppError::Invalid(invalid)) => {
                form.add_invalid(on_rows(invalid, &numbers));
            }
            Err(e) => status = form.absorb(e)?,
        }
    }
    show(&app, &user, Some(id), status, Submitted::Standard(form)).await
}

/// This page's routes.
pub fn routes() -> PageRoutes {
    PageRoutes::new()
        .get("/programs", list)
        .post("/programs", create)
        .get("/programs/new", new_page)
        .get("/programs/{id}", page)
        .post("/programs/{id}", update)
        .post("/programs/{id}/conditions", set_conditions)
}
