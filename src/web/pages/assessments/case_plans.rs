//! A case's plan: its versions with the form to start one, and one
//! version's page: a draft's goals and steps as rows to fill in (spare rows
//! add more, a row left blank is dropped), a signed one's goals and steps
//! with where each stands, what changed, progress, the participant's
//! agreement and a supervisor's countersignature.

use crate::app::assessments::case_plans::{
    self as plans, AgreementInput, CasePlans, DraftInput, GoalInput, NewVersion, PlanView,
    ProgressInput, Signing, StepInput,
};
use crate::app::App;
use crate::domain::assessments::case_plans::{
    Agreement, ChangeKind, GoalStatus, ItemStatus, Link, Stage, StepOwner, StepStatus, MOST_GOALS,
    MOST_STEPS,
};
use crate::domain::ids::{CaseId, PlanId, PlanItemId};
use crate::domain::validation::Invalid;
use crate::web::error::PageResult;
use crate::web::extract::{PagePath, PageUser};
use crate::web::form::{label_of, Form, FormState};
use crate::web::pages::routes::PageRoutes;
use crate::web::render::{render_with, Nav, Show as _, When as _};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

/// Empty step rows under each goal, and empty goals, to add more.
const SPARE_STEPS: usize = 2;
const SPARE_GOALS: usize = 1;

#[derive(Template)]
#[template(path = "assessments/case_plans.html")]
struct PlansPage {
    nav: Nav,
    r: CasePlans,
    form: FormState,
}

async fn show_plans(
    app: &App,
    user: &PageUser,
    id: CaseId,
    status: StatusCode,
    form: FormState,
) -> PageResult<Response> {
    let r = plans::of_case(app, &user.actor, id).await?;
    let nav = Nav::new(app.settings.zone(), &user.actor, "caseload");
    Ok(render_with(status, &PlansPage { nav, r, form }))
}

pub async fn of_case(
    State(app): State<App>,
    user: PageUser,
    PagePath(id): PagePath<CaseId>,
) -> PageResult<Response> {
    show_plans(&app, &user, id, StatusCode::OK, FormState::default()).await
}

pub async fn start(
    State(app): State<App>,
    user: PageUser,
    PagePath(id): PagePath<CaseId>,
    Form(mut form): Form,
) -> PageResult<Response> {
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if let Some(kind) = form.parse("kind", "a kind of plan") {
        match plans::start(&app, &user.actor, id, NewVersion { kind }).await {
            Ok(started) => return Ok(to_plan(started.row.id)),
            Err(e) => status = form.absorb(e)?,
        }
    }
    show_plans(&app, &user, id, status, form).await
}

fn to_plan(id: PlanId) -> Response {
    Redirect::to(&format!("/case-plans/{id}")).into_response()
}

/// A goal's rows on the draft's form: its number and its steps' numbers.
struct GoalRows {
    g: usize,
    steps: Vec<usize>,
}

#[derive(Template)]
#[template(path = "assessments/case_plan.html")]
struct PlanPage {
    nav: Nav,
    p: PlanView,
    /// The draft's form, with its rows.
    drafting: FormState,
    rows: Vec<GoalRows>,
    progressing: FormState,
    agreeing: FormState,
    countersigning: FormState,
    owners: &'static [StepOwner],
    goal_statuses: &'static [GoalStatus],
    step_statuses: &'static [StepStatus],
    agreements: &'static [Agreement],
}

impl PlanPage {
    fn goal_name(&self, g: &usize, field: &str) -> String {
        format!("goals.{g}.{field}")
    }

    fn related_name(&self, g: &usize, domain: &str) -> String {
        format!("goals.{g}.related.{domain}")
    }

    fn step_name(&self, g: &usize, s: &usize, field: &str) -> String {
        format!("goals.{g}.steps.{s}.{field}")
    }

    /// An error's field as people read it: "Goal 1, step 2: due".
    fn label(&self, field: &str) -> String {
        let parts: Vec<&str> = field.split('.').collect();
        let number = |s: &str| s.parse::<usize>().map(|n| n + 1).ok();
        match parts.as_slice() {
            ["goals", g, "steps", s, rest @ ..] => match (number(g), number(s)) {
                (Some(g), Some(s)) => {
                    format!("Goal {g}, step {s}: {}", rest.join(" ").replace('_', " "))
                }
                _ => label_of(field),
            },
            ["goals", g, rest @ ..] => match number(g) {
                Some(g) => format!("Goal {g}: {}", rest.join(" ").replace('_', " ")),
                None => label_of(field),
            },
            _ => label_of(field),
        }
    }

    fn is_draft(&self) -> bool {
        self.p.stage == Stage::Draft
    }

    fn status_title(&self, key: &PlanItemId) -> String {
        match self.p.status_of(*key).map(|s| s.status) {
            Some(ItemStatus::Goal(s)) => s.title().to_owned(),
            Some(ItemStatus::Step(s)) => s.title().to_owned(),
            None => String::new(),
        }
    }

    /// Who last set an item's status by hand, and when.
    fn set_note(&self, key: &PlanItemId) -> Option<String> {
        let (by, at) = self.p.status_of(*key)?.set.as_ref()?;
        Some(format!(
            "set by {by}, {}",
            at.with_timezone(&self.nav.zone).format("%-d %b %Y")
        ))
    }

    /// A status recorded with progress, in words.
    fn status_words(&self, label: &str) -> String {
        let goal = label.parse::<GoalStatus>().map(GoalStatus::title);
        let step = label.parse::<StepStatus>().map(StepStatus::title);
        goal.or(step).unwrap_or(label).to_owned()
    }

    fn follows(&self, key: &PlanItemId) -> Option<String> {
        self.p.status_of(*key).and_then(|s| s.follows.clone())
    }

    fn evidence_name(&self, link: &Link) -> String {
        self.p
            .linkable
            .iter()
            .find(|l| l.link == *link)
            .map_or_else(
                || "evidence no longer on the case".to_owned(),
                |l| l.name.clone(),
            )
    }

    fn change_text(&self, kind: &ChangeKind) -> &'static str {
        match kind {
            ChangeKind::Added => "Added",
            ChangeKind::Removed => "Removed",
            ChangeKind::Changed => "Changed",
        }
    }

    /// The label of the item progress was recorded on.
    fn item_label(&self, key: &PlanItemId) -> String {
        self.p
            .row
            .content
            .goals
            .iter()
            .find_map(|g| {
                (g.key == *key)
                    .then(|| format!("Goal: {}", g.outcome))
                    .or_else(|| {
                        g.steps
                            .iter()
                            .find(|s| s.key == *key)
                            .map(|s| format!("Step: {}", s.action))
                    })
            })
            .unwrap_or_default()
    }
}

/// The forms as the page opens them (or as submitted).
#[derive(Default)]
struct Forms {
    drafting: Option<FormState>,
    progressing: Option<FormState>,
    agreeing: Option<FormState>,
    countersigning: Option<FormState>,
}

/// A draft's goals and steps as its form holds them, with spare rows.
fn draft_form(p: &PlanView) -> (FormState, Vec<GoalRows>) {
    let mut form = FormState::default().with("version", p.row.version.to_string());
    let mut rows = Vec::new();
    for (g, goal) in p.row.content.goals.iter().enumerate() {
        let at = |f: &str| format!("goals.{g}.{f}");
        form = form
            .with(&at("key"), goal.key.to_string())
            .with(&at("domain"), goal.domain.clone())
            .with(&at("outcome"), goal.outcome.clone())
            .with(&at("target"), goal.target.to_string());
        for related in &goal.related {
            form = form.with(&at(&format!("related.{related}")), "on");
        }
        for (s, step) in goal.steps.iter().enumerate() {
            let at = |f: &str| format!("goals.{g}.steps.{s}.{f}");
            form = form
                .with(&at("key"), step.key.to_string())
                .with(&at("action"), step.action.clone())
                .with(&at("owner"), step.owner.label())
                .with(
                    &at("owner_name"),
                    step.owner_name.clone().unwrap_or_default(),
                )
                .with(
                    &at("due"),
                    step.due.map(|d| d.to_string()).unwrap_or_default(),
                )
                .with(
                    &at("link"),
                    step.link.map(|l| l.to_string()).unwrap_or_default(),
                );
        }
        rows.push(GoalRows {
            g,
            steps: (0..goal.steps.len() + SPARE_STEPS).collect(),
        });
    }
    let goals = rows.len();
    rows.extend((goals..goals + SPARE_GOALS).map(|g| GoalRows {
        g,
        steps: (0..SPARE_STEPS + 1).collect(),
    }));
    (form, rows)
}

/// The rows a submitted draft form had (its hidden row counts).
fn submitted_rows(form: &FormState) -> Vec<GoalRows> {
    // A plan's most rows and their spares: more is not a form this page made.
    let most = MOST_GOALS.max(MOST_STEPS) + SPARE_STEPS + SPARE_GOALS + 1;
    let count = |name: &str| form.v(name).parse::<usize>().unwrap_or(0).min(most);
    (0..count("goal_rows"))
        .map(|g| GoalRows {
            g,
            steps: (0..count(&format!("goals.{g}.step_rows"))).collect(),
        })
        .collect()
}

async fn show(
    app: &App,
    user: &PageUser,
    id: PlanId,
    status: StatusCode,
    forms: Forms,
) -> PageResult<Response> {
    let p = plans::get(app, &user.actor, id).await?;
    let (drafting, rows) = match forms.drafting {
        Some(form) => {
            let rows = submitted_rows(&form);
            (form, rows)
        }
        None => draft_form(&p),
    };
    let version = || FormState::default().with("version", p.row.version.to_string());
    let page = PlanPage {
        nav: Nav::new(app.settings.zone(), &user.actor, "caseload"),
        drafting,
        rows,
        progressing: forms
            .progressing
            .unwrap_or_else(|| FormState::default().with("on", app.today().to_string())),
        agreeing: forms
            .agreeing
            .unwrap_or_else(|| version().with("on", app.today().to_string())),
        countersigning: forms.countersigning.unwrap_or_else(version),
        owners: StepOwner::all(),
        goal_statuses: GoalStatus::all(),
        step_statuses: StepStatus::all(),
        agreements: Agreement::all(),
        p,
    };
    Ok(render_with(status, &page))
}

pub async fn page(
    State(app): State<App>,
    user: PageUser,
    PagePath(id): PagePath<PlanId>,
) -> PageResult<Response> {
    show(&app, &user, id, StatusCode::OK, Forms::default()).await
}

/// Where each kept goal and step came from on the form: goal rows, and
/// for each the step rows, so the use case's errors (which count the kept
/// ones) land on the rows the person filled in.
struct Kept {
    goals: Vec<(usize, Vec<usize>)>,
}

impl Kept {
    fn place(&self, invalid: Invalid) -> Invalid {
        Invalid(
            invalid
                .0
                .into_iter()
                .map(|mut e| {
                    e.field = self.field(&e.field).unwrap_or(e.field);
                    e
                })
                .collect(),
        )
    }

    fn field(&self, field: &str) -> Option<String> {
        let rest = field.strip_prefix("goals.")?;
        let (goal, rest) = rest.split_once('.')?;
        let (g, steps) = self.goals.get(goal.parse::<usize>().ok()?)?;
        let Some(rest) = rest.strip_prefix("steps.") else {
            return Some(format!("goals.{g}.{rest}"));
        };
        let (step, rest) = rest.split_once('.')?;
        let s = steps.get(step.parse::<usize>().ok()?)?;
        Some(format!("goals.{g}.steps.{s}.{rest}"))
    }
}

/// The draft's goals and steps from its rows: a goal row whose outcome and
/// steps are blank is dropped, and so is a step row whose action is blank.
fn draft_of(form: &mut FormState, rows: &[GoalRows]) -> (Vec<GoalInput>, Kept) {
    let mut goals = Vec::new();
    let mut kept = Kept { goals: Vec::new() };
    for row in rows {
        let g = row.g;
        let at = |f: &str| format!("goals.{g}.{f}");
        let filled: Vec<usize> = row
            .steps
            .iter()
            .copied()
            .filter(|s| {
                !form
                    .v(&format!("goals.{g}.steps.{s}.action"))
                    .trim()
                    .is_empty()
            })
            .collect();
        if form.v(&at("outcome")).trim().is_empty() && filled.is_empty() {
            continue;
        }
        let mut steps = Vec::new();
        for s in &filled {
            let at = |f: &str| format!("goals.{g}.steps.{s}.{f}");
            let key = form.parse_opt(&at("key"), "a step's key");
            let owner = form.parse(&at("owner"), "a step's owner");
            let due = form.date_opt(&at("due"));
            let link = form.parse_opt(&at("link"), "a condition or series");
            if let (Some(key), Some(owner), Some(due), Some(link)) = (key, owner, due, link) {
                steps.push(StepInput {
                    key,
                    action: form.v(&at("action")).into(),
                    owner,
                    owner_name: form.opt(&at("owner_name")),
                    due,
                    link,
                });
            }
        }
        let key = form.parse_opt(&at("key"), "a goal's key");
        let target = form.date(&at("target"));
        let mut related: Vec<String> = form.ticked(&at("related.")).unwrap_or_default();
        related.sort();
        if let (Some(key), Some(target)) = (key, target) {
            goals.push(GoalInput {
                key,
                domain: form.v(&at("domain")).to_owned(),
                related,
                outcome: form.v(&at("outcome")).into(),
                target,
                steps,
            });
            kept.goals.push((g, filled));
        }
    }
    (goals, kept)
}

/// Saves a draft's rows, and signs it when asked to.
pub async fn save(
    State(app): State<App>,
    user: PageUser,
    PagePath(id): PagePath<PlanId>,
    Form(mut form): Form,
) -> PageResult<Response> {
    let rows = submitted_rows(&form);
    let version = form.parse::<i64>("version", "a version number");
    let (goals, kept) = draft_of(&mut form, &rows);
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if let (Some(version), false) = (version, form.has_errors()) {
        let saved = plans::save(&app, &user.actor, id, DraftInput { version, goals }).await;
        let done = match saved {
            Ok(saved) if form.v("then") == "sign" => {
                let signing = Signing {
                    version: saved.row.version,
                };
                plans::sign(&app, &user.actor, id, signing)
                    .await
                    .map(|_| ())
            }
            other => other.map(|_| ()),
        };
        match done {
            Ok(()) => return Ok(to_plan(id)),
            Err(crate::app::AppError::Invalid(invalid)) => form.add_invalid(kept.place(invalid)),
            Err(e) => status = form.absorb(e)?,
        }
    }
    let forms = Forms {
        drafting: Some(form),
        ..Forms::default()
    };
    show(&app, &user, id, status, forms).await
}

pub async fn progress(
    State(app): State<App>,
    user: PageUser,
    PagePath(id): PagePath<PlanId>,
    Form(mut form): Form,
) -> PageResult<Response> {
    let item = form.parse::<PlanItemId>("item", "a goal or step of this plan");
    let on = form.date("on");
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if let (Some(item), Some(on)) = (item, on) {
        let input = ProgressInput {
            on,
            status: form.opt("status"),
            note: form.opt("note"),
        };
        match plans::record_progress(&app, &user.actor, item, input).await {
            Ok(_) => return Ok(to_plan(id)),
            Err(e) => status = form.absorb(e)?,
        }
    }
    let forms = Forms {
        progressing: Some(form),
        ..Forms::default()
    };
    show(&app, &user, id, status, forms).await
}

pub async fn agreement(
    State(app): State<App>,
    user: PageUser,
    PagePath(id): PagePath<PlanId>,
    Form(mut form): Form,
) -> PageResult<Response> {
    let version = form.parse::<i64>("version", "a version number");
    let agreement = form.parse::<Agreement>("agreement", "an answer");
    let on = form.date("on");
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if let (Some(version), Some(agreement), Some(on)) = (version, agreement, on) {
        let input = AgreementInput {
            version,
            agreement,
            comment: form.opt("comment"),
            on,
        };
        match plans::record_agreement(&app, &user.actor, id, input).await {
            Ok(_) => return Ok(to_plan(id)),
            Err(e) => status = form.absorb(e)?,
        }
    }
    let forms = Forms {
        agreeing: Some(form),
        ..Forms::default()
    };
    show(&app, &user, id, status, forms).await
}

pub async fn countersign(
    State(app): State<App>,
    user: PageUser,
    PagePath(id): PagePath<PlanId>,
    Form(mut form): Form,
) -> PageResult<Response> {
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if let Some(version) = form.parse::<i64>("version", "a version number") {
        match plans::countersign(&app, &user.actor, id, Signing { version }).await {
            Ok(_) => return Ok(to_plan(id)),
            Err(e) => status = form.absorb(e)?,
        }
    }
    let forms = Forms {
        countersigning: Some(form),
        ..Forms::default()
    };
    show(&app, &user, id, status, forms).await
}

/// This page's routes.
pub fn routes() -> PageRoutes {
    PageRoutes::new()
        .get("/cases/{id}/case-plans", of_case)
        .post("/cases/{id}/case-plans", start)
        .get("/case-plans/{id}", page)
        .post("/case-plans/{id}", save)
        .post("/case-plans/{id}/progress", progress)
        .post("/case-plans/{id}/agreement", agreement)
        .post("/case-plans/{id}/countersign", countersign)
}
