//! A case's assessments with the form to start one, and one assessment's
//! page: a draft's questions by section with its live score, or a
//! completed one's answers and result; proposing another level, and a
//! supervisor's decision on it.

use crate::app::assessments::case_assessments::{
    self, AnswersInput, Assessing, CaseAssessments, Start,
};
use crate::app::assessments::overrides::{self, Decision, Proposal};
use crate::app::{policy, App};
use crate::domain::access::users::Role;
use crate::domain::assessments::instrument::{AnswerType, Definition};
use crate::domain::assessments::recommendation::OverrideDecision;
use crate::domain::assessments::scoring::{factor_label, shown, Given};
use crate::domain::ids::{AssessmentId, CaseId, OverrideId};
use crate::store::assessments::overrides::OverrideRow;
use crate::web::error::PageResult;
use crate::web::extract::{PagePath, PageUser};
use crate::web::form::{label_of, Form, FormState};
use crate::web::pages::routes::PageRoutes;
use crate::web::render::{render_with, Nav, Show as _, When as _};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::BTreeMap;

#[derive(Template)]
#[template(path = "assessments/case.html")]
struct CasePage {
    nav: Nav,
    r: CaseAssessments,
    form: FormState,
}

async fn show_case(
    app: &App,
    user: &PageUser,
    id: CaseId,
    status: StatusCode,
    form: FormState,
) -> PageResult<Response> {
    let r = case_assessments::of_case(app, &user.actor, id).await?;
    let nav = Nav::new(app.settings.zone(), &user.actor, "caseload");
    Ok(render_with(status, &CasePage { nav, r, form }))
}

pub async fn of_case(
    State(app): State<App>,
    user: PageUser,
    PagePath(id): PagePath<CaseId>,
) -> PageResult<Response> {
    show_case(&app, &user, id, StatusCode::OK, FormState::default()).await
}

pub async fn start(
    State(app): State<App>,
    user: PageUser,
    PagePath(id): PagePath<CaseId>,
    Form(mut form): Form,
) -> PageResult<Response> {
    let input = Start {
        instrument: form.v("instrument").to_owned(),
        version: None,
        population: form.opt("population"),
    };
    match case_assessments::start(&app, &user.actor, id, input).await {
        Ok(started) => Ok(to_assessment(started.row.id)),
        Err(e) => {
            let status = form.absorb(e)?;
            show_case(&app, &user, id, status, form).await
        }
    }
}

fn to_assessment(id: AssessmentId) -> Response {
    Redirect::to(&format!("/assessments/{id}")).into_response()
}

/// A question as the page asks or shows it.
struct ItemView {
    /// The form field: `answers.{item}`.
    name: String,
    text: String,
    help: Option<String>,
    kind: AnswerType,
    /// A choice item's values and labels.
    choices: Vec<(String, String)>,
    min: i64,
    max: Option<i64>,
    sensitive: bool,
    optional: bool,
    /// The answer as people read it; "Not answered" if none.
    shown: String,
}

/// A section (a need domain) with its result and questions.
struct SectionView {
    title: String,
    need: Option<String>,
    items: Vec<ItemView>,
}

/// A scale's score as shown.
struct ScaleView {
    title: String,
    score: i64,
    raw: i64,
    complete: bool,
}

/// Why the score is what it is: an answer's or a combination's points.
struct FactorView {
    label: String,
    points: i64,
}

#[derive(Template)]
#[template(path = "assessments/assessment.html")]
struct AssessmentPage {
    nav: Nav,
    a: Assessing,
    sections: Vec<SectionView>,
    scales: Vec<ScaleView>,
    flags: Vec<String>,
    factors: Vec<FactorView>,
    answering: FormState,
    proposing: FormState,
    deciding: FormState,
    /// The actor's own draft: the form asks the questions.
    can_answer: bool,
    /// A completed assessment the actor holds, with no proposal waiting.
    can_propose: bool,
    /// The proposal waiting, if the actor may decide it.
    to_decide: Option<OverrideRow>,
    level_names: Vec<String>,
    reasons: Vec<String>,
    decisions: &'static [OverrideDecision],
}

impl AssessmentPage {
    /// An error's field as people read it: an item's text for an answer.
    fn label(&self, field: &str) -> String {
        field
            .strip_prefix("answers.")
            .and_then(|item| self.a.definition.item(item))
            .map_or_else(|| label_of(field), |item| item.text.en.clone())
    }
}

/// An answer as a form field holds it.
fn field_value(given: &Given) -> String {
    match given {
        Given::Flag(true) => "yes".into(),
        Given::Flag(false) => "no".into(),
        Given::Number(n) => n.to_string(),
        Given::Text(t) => t.clone(),
    }
}

fn sections(a: &Assessing) -> Vec<SectionView> {
    let def = &a.definition;
    def.sections
        .iter()
        .map(|s| SectionView {
            title: s.title.en.clone(),
            need: a
                .scored
                .needs
                .iter()
                .find(|n| n.section == s.id)
                .map(|n| n.need.title().to_owned()),
            items: def
                .items
                .iter()
                .filter(|i| i.section == s.id)
                .map(|i| ItemView {
                    name: format!("answers.{}", i.id),
                    text: i.text.en.clone(),
                    help: i.help.as_ref().map(|h| h.en.clone()),
                    kind: i.answer,
                    choices: i
                        .choices
                        .iter()
                        .map(|c| (c.value.clone(), c.label.en.clone()))
                        .collect(),
                    min: i.min.unwrap_or(0),
                    max: i.max,
                    sensitive: i.sensitive,
                    optional: i.optional,
                    shown: shown(i, a.row.answers.get(&i.id)),
                })
                .collect(),
        })
        .collect()
}

fn scales(a: &Assessing) -> Vec<ScaleView> {
    a.scored
        .scales
        .iter()
        .map(|s| ScaleView {
            title: a
                .definition
                .scales
                .iter()
                .find(|d| d.id == s.scale)
                .map_or_else(|| s.scale.clone(), |d| d.title.en.clone()),
            score: s.score(),
            raw: s.raw,
            complete: s.complete,
        })
        .collect()
}

fn flags(a: &Assessing) -> Vec<String> {
    let labels: BTreeMap<&str, &str> = a
        .definition
        .scales
        .iter()
        .flat_map(|s| s.flags.iter())
        .map(|f| (f.id.as_str(), f.label.en.as_str()))
        .collect();
    a.scored
        .flags
        .iter()
        .map(|f| {
            labels
                .get(f.as_str())
                .map_or_else(|| f.clone(), |l| (*l).to_owned())
        })
        .collect()
}

/// The factors that weigh most, at most ten.
fn factors(a: &Assessing) -> Vec<FactorView> {
    a.scored
        .factors
        .iter()
        .take(10)
        .map(|f| FactorView {
            label: factor_label(&a.definition, &f.id, &a.row.answers),
            points: f.points,
        })
        .collect()
}

/// The forms as the page opens them (or as submitted).
#[derive(Default)]
struct Forms {
    answering: Option<FormState>,
    proposing: Option<FormState>,
    deciding: Option<FormState>,
}

async fn show(
    app: &App,
    user: &PageUser,
    id: AssessmentId,
    status: StatusCode,
    forms: Forms,
) -> PageResult<Response> {
    let a = case_assessments::get(app, &user.actor, id).await?;
    let actor = &user.actor;
    let completed = a.row.completed_at.is_some();
    let answering = forms.answering.unwrap_or_else(|| {
        a.row.answers.iter().fold(
            FormState::default().with("version", a.row.version.to_string()),
            |form, (item, given)| form.with(&format!("answers.{item}"), field_value(given)),
        )
    });
    let waiting = a.overrides.iter().find(|o| o.decision.is_none()).cloned();
    let to_decide = waiting.filter(|o| {
        policy::assessments::decide_override(actor, a.row.assessor_id, o.proposed_by).is_ok()
    });
    let page = AssessmentPage {
        nav: Nav::new(app.settings.zone(), actor, "caseload"),
        sections: sections(&a),
        scales: scales(&a),
        flags: flags(&a),
        factors: factors(&a),
        answering,
        proposing: forms.proposing.unwrap_or_default(),
        deciding: forms.deciding.unwrap_or_default(),
        can_answer: !completed && actor.id == a.row.assessor_id,
        can_propose: completed
            && !a.row.override_waiting
            && matches!(actor.role, Role::Officer | Role::Supervisor),
        to_decide,
        level_names: a
            .definition
            .levels
            .as_ref()
            .map(|l| l.names.clone())
            .unwrap_or_default(),
        reasons: app.settings.assessments.override_reasons.clone(),
        decisions: OverrideDecision::all(),
        a,
    };
    Ok(render_with(status, &page))
}

pub async fn page(
    State(app): State<App>,
    user: PageUser,
    PagePath(id): PagePath<AssessmentId>,
) -> PageResult<Response> {
    show(&app, &user, id, StatusCode::OK, Forms::default()).await
}

/// The answers a draft's form holds, every item of the definition named
/// (a blank one loses its answer); a number that is not one is an error
/// on the form.
fn answers_of(form: &mut FormState, def: &Definition) -> BTreeMap<String, Option<Given>> {
    let mut answers = BTreeMap::new();
    for item in &def.items {
        let name = format!("answers.{}", item.id);
        let value = form.v(&name).trim().to_owned();
        let given = if value.is_empty() {
            None
        } else if item.answer == AnswerType::Number {
            match value.parse() {
                Ok(n) => Some(Given::Number(n)),
                Err(_) => {
                    form.add_error(&name, "must be a whole number");
                    None
                }
            }
        } else {
            Some(Given::Text(value))
        };
        answers.insert(item.id.clone(), given);
    }
    answers
}

/// Saves a draft's answers, and completes it when asked to.
pub async fn save(
    State(app): State<App>,
    user: PageUser,
    PagePath(id): PagePath<AssessmentId>,
    Form(mut form): Form,
) -> PageResult<Response> {
    let draft = case_assessments::get(&app, &user.actor, id).await?;
    let version = form.parse::<i64>("version", "a version number");
    let answers = answers_of(&mut form, &draft.definition);
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if let (Some(version), false) = (version, form.has_errors()) {
        let input = AnswersInput { version, answers };
        let saved = case_assessments::answer(&app, &user.actor, id, input).await;
        let done = match saved {
            Ok(saved) if form.v("then") == "complete" => {
                case_assessments::complete(&app, &user.actor, id, saved.row.version)
                    .await
                    .map(|_| ())
            }
            other => other.map(|_| ()),
        };
        match done {
            Ok(()) => return Ok(to_assessment(id)),
            Err(e) => status = form.absorb(e)?,
        }
    }
    let forms = Forms {
        answering: Some(form),
        ..Forms::default()
    };
    show(&app, &user, id, status, forms).await
}

pub async fn propose(
    State(app): State<App>,
    user: PageUser,
    PagePath(id): PagePath<AssessmentId>,
    Form(mut form): Form,
) -> PageResult<Response> {
    let input = Proposal {
        level: form.v("level").to_owned(),
        reason_code: form.v("reason_code").to_owned(),
        reason: form.v("reason").into(),
    };
    match overrides::propose(&app, &user.actor, id, input).await {
        Ok(_) => Ok(to_assessment(id)),
        Err(e) => {
            let status = form.absorb(e)?;
            let forms = Forms {
                proposing: Some(form),
                ..Forms::default()
            };
            show(&app, &user, id, status, forms).await
        }
    }
}

pub async fn decide(
    State(app): State<App>,
    user: PageUser,
    PagePath((id, proposal)): PagePath<(AssessmentId, OverrideId)>,
    Form(mut form): Form,
) -> PageResult<Response> {
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if let Some(decision) = form.parse::<OverrideDecision>("decision", "approved or rejected") {
        let input = Decision {
            decision,
            note: form.opt("note"),
        };
        match overrides::decide(&app, &user.actor, proposal, input).await {
            // The assessment the proposal is on, whatever the path named.
            Ok(decided) => return Ok(to_assessment(decided.row.id)),
            Err(e) => status = form.absorb(e)?,
        }
    }
    let forms = Forms {
        deciding: Some(form),
        ..Forms::default()
    };
    show(&app, &user, id, status, forms).await
}

/// This page's routes.
pub fn routes() -> PageRoutes {
    PageRoutes::new()
        .get("/cases/{id}/assessments", of_case)
        .post("/cases/{id}/assessments", start)
        .get("/assessments/{id}", page)
        .post("/assessments/{id}", save)
        .post("/assessments/{id}/overrides", propose)
        .post("/assessments/{id}/overrides/{proposal}/decision", decide)
}
