//! Case plans: written against the needs the case's latest assessment
//! identified, kept in versions (a signed one never changes; the next copies
//! it and says what changed), agreed by the participant, countersigned by a
//! supervisor on high-risk cases, and tracked: each goal's and step's status
//! and dated progress, a step linked to a condition or a series following it.
//! A plan's review falls due by rule, and the sweep raises it.

use crate::app::casework::conditions::{self, ConditionView};
use crate::app::casework::guard::{case_of, held_case, visible_case};
use crate::app::{audit, policy, Actor, App, AppError, AppResult};
use crate::domain::assessments::case_plans::{
    changes, needs_countersignature, review_after_signing, Agreement, Change, Evidence, Goal,
    GoalStatus, ItemKind, ItemStatus, Link, Plan, PlanKind, Stage, Step, StepOwner, StepStatus,
    MOST_GOALS, MOST_STEPS,
};
use crate::domain::assessments::scoring::Need;
use crate::domain::audit::Action;
use crate::domain::casework::alerts::Rule;
use crate::domain::casework::cases::CaseStatus;
use crate::domain::ids::{CaseId, PlanId, PlanItemId, PlanUpdateId};
use crate::domain::input::{Paragraphs, RequiredText, Text};
use crate::domain::validation::{DateKind, Errors, Invalid};
use crate::store::assessments::case_assessments::{self as assessments, AssessmentRow};
use crate::store::assessments::case_plans::{
    self as store, AgreementGiven, ItemRow, NewPlan, NewProgress, PlanRow, ProgressRow,
};
use crate::store::assessments::instruments;
use crate::store::casework::alerts;
use crate::store::casework::cases::{self as cases, CaseRow, Due};
use crate::store::casework::supervision::{self as supervision, SeriesRow};
use crate::store::Tx;
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap, HashSet};

/// A need domain a goal may answer: an instrument section with a threshold,
/// and what the plan's assessment found in it.
#[derive(Debug, Clone)]
pub struct Domain {
    pub id: String,
    pub title: String,
    pub need: Need,
}

/// Evidence a step may be linked to, named for people.
#[derive(Debug, Clone)]
pub struct Linkable {
    pub link: Link,
    pub name: String,
    /// The status a linked step takes from it.
    pub evidence: Evidence,
}

/// A version of a case's plan with what reading it needs.
#[derive(Debug, Clone)]
pub struct PlanView {
    pub case: CaseRow,
    pub row: PlanRow,
    pub stage: Stage,
    /// The domains its goals may answer (its assessment's instrument's).
    pub domains: Vec<Domain>,
    /// Where each goal and step stands (a linked step: as its evidence says).
    pub standing: HashMap<PlanItemId, Standing>,
    /// Progress on its goals and steps, newest first.
    pub progress: Vec<ProgressRow>,
    /// What changed from the version before (empty for the first).
    pub changes: Vec<Change>,
    /// The case's conditions and series a step may be linked to.
    pub linkable: Vec<Linkable>,
    /// Whether the actor may write on it (draft, progress, agreement).
    pub can_write: bool,
    /// Whether the actor may countersign it now.
    pub can_countersign: bool,
}

/// Where an item stands, and who or what says so.
#[derive(Debug, Clone)]
pub struct Standing {
    pub status: ItemStatus,
    /// Set when the status follows linked evidence.
    pub follows: Option<String>,
    /// Who set it by hand, and when.
    pub set: Option<(String, chrono::DateTime<chrono::Utc>)>,
}

impl PlanView {
    pub fn status_of(&self, key: PlanItemId) -> Option<&Standing> {
        self.standing.get(&key)
    }

    /// The title of a domain id, or the id itself.
    pub fn domain_title<'a>(&'a self, id: &'a str) -> &'a str {
        self.domains
            .iter()
            .find(|d| d.id == id)
            .map_or(id, |d| d.title.as_str())
    }
}

/// A case's plan versions and what starting one offers.
#[derive(Debug, Clone)]
pub struct CasePlans {
    pub case: CaseRow,
    /// Newest first.
    pub versions: Vec<(PlanRow, Stage)>,
    /// When the plan is next due for review (or the first plan due).
    pub review_by: Option<NaiveDate>,
    /// Whether the actor may start a version.
    pub can_start: bool,
    /// The kinds the next version may be.
    pub next_kinds: Vec<PlanKind>,
}

/// The case page's view of the plan: the version in force (or the draft,
/// while none is signed), its goals with their steps done, and the review.
#[derive(Debug, Clone)]
pub struct PlanGlance {
    pub current: Option<(PlanId, i32, Stage)>,
    pub review_by: Option<NaiveDate>,
    pub goals: Vec<GoalGlance>,
}

/// A goal at a glance.
#[derive(Debug, Clone)]
pub struct GoalGlance {
    pub outcome: String,
    pub status: GoalStatus,
    pub done: usize,
    pub steps: usize,
}

/// What starts a version.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewVersion {
    pub kind: PlanKind,
}

/// A draft's goals and steps, saved whole.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DraftInput {
    /// The version the draft was read at.
    pub version: i64,
    pub goals: Vec<GoalInput>,
}

/// A goal as given: with its key when it is one the plan has already.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GoalInput {
    #[serde(default)]
    pub key: Option<PlanItemId>,
    /// The need domain it answers (an id from the plan's `domains`).
    pub domain: String,
    /// Other domains it touches.
    #[serde(default)]
    pub related: Vec<String>,
    /// What will show the goal is reached.
    pub outcome: RequiredText<300>,
    pub target: NaiveDate,
    #[serde(default)]
    pub steps: Vec<StepInput>,
}

/// A step as given.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepInput {
    #[serde(default)]
    pub key: Option<PlanItemId>,
    pub action: RequiredText<300>,
    pub owner: StepOwner,
    /// Who, where the owner is a provider or someone else.
    #[serde(default)]
    pub owner_name: Option<Text<120>>,
    #[serde(default)]
    pub due: Option<NaiveDate>,
    /// The condition or series whose evidence the step follows.
    #[serde(default)]
    pub link: Option<Link>,
}

/// A signature (or countersignature) on the version it was read at.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Signing {
    pub version: i64,
}

/// The participant's answer to a signed version, as the officer records it.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgreementInput {
    pub version: i64,
    pub agreement: Agreement,
    /// What the participant said, in their words.
    #[serde(default)]
    pub comment: Option<Text<1000>>,
    /// The day they answered.
    pub on: NaiveDate,
}

/// Progress on a goal or step: a dated note, a new status, or both.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgressInput {
    pub on: NaiveDate,
    /// A goal's status (active, future, achieved, removed) or a step's
    /// (not_started, in_progress, done, not_yet, no_longer_needed).
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub note: Option<Paragraphs<2000>>,
}

/// A case's plan versions; the read is audited.
pub async fn of_case(app: &App, actor: &Actor, case: CaseId) -> AppResult<CasePlans> {
    let mut tx = app.db.read().await?;
    let case = visible_case(&mut tx, actor, case).await?;
    policy::assessments::read_assessments(actor, &case)?;
    let rows = store::of_case(&mut tx, &app.keys, case.id).await?;
    let review_by = cases::due(&mut tx, case.id, Due::PlanReview).await?;
    audit::record(&mut tx, actor, Action::CasePlanList.on(case.id));
    tx.commit().await?;
    let signed = rows.iter().filter(|r| r.signed_at.is_some()).count();
    let has_draft = rows.iter().any(|r| r.signed_at.is_none());
    Ok(CasePlans {
        can_start: policy::casework::change_case(actor, &case).is_ok() && !has_draft,
        next_kinds: PlanKind::all()
            .iter()
            .copied()
            .filter(|k| k.may_follow(signed).is_ok())
            .collect(),
        versions: stages(rows),
        case,
        review_by,
    })
}

/// Each version with its stage (newest first: only the newest signed one
/// is in force).
fn stages(rows: Vec<PlanRow>) -> Vec<(PlanRow, Stage)> {
    let mut seen_signed = false;
    rows.into_iter()
        .map(|r| {
            let signed = r.signed_at.is_some();
            let stage = Stage::of(signed, r.awaits_countersignature(), signed && seen_signed);
            seen_signed |= signed;
            (r, stage)
        })
        .collect()
}

/// The plan at a glance, for a reader who may read the case's
/// assessments (`None` for others), in the caller's transaction, with the
/// case's `conditions` the caller has read.
pub(crate) async fn glance(
    tx: &mut Tx,
    app: &App,
    actor: &Actor,
    case: &CaseRow,
    conditions: &[ConditionView],
) -> AppResult<Option<PlanGlance>> {
    if policy::assessments::read_assessments(actor, case).is_err() {
        return Ok(None);
    }
    let review_by = cases::due(tx, case.id, Due::PlanReview).await?;
    let staged = stages(store::of_case(tx, &app.keys, case.id).await?);
    let current = staged
        .iter()
        .find(|(_, stage)| *stage != Stage::Draft)
        .or(staged.first());
    let Some((row, stage)) = current else {
        return Ok(Some(PlanGlance {
            current: None,
            review_by,
            goals: Vec::new(),
        }));
    };
    let linkable = evidence(tx, app, case.id, conditions).await?;
    let items = store::items_of_case(tx, case.id).await?;
    let standing = standing(&row.content, &items, &linkable);
    let status = |key| standing.get(&key).map(|s| s.status);
    let goals = row
        .content
        .goals
        .iter()
        .map(|g| GoalGlance {
            outcome: g.outcome.clone(),
            status: match status(g.key) {
                Some(ItemStatus::Goal(s)) => s,
                _ => GoalStatus::Active,
            },
            done: g
                .steps
                .iter()
                .filter(|s| status(s.key) == Some(ItemStatus::Step(StepStatus::Done)))
                .count(),
            steps: g.steps.len(),
        })
        .collect();
    Ok(Some(PlanGlance {
        current: Some((row.id, row.number, *stage)),
        review_by,
        goals,
    }))
}

/// Starts a version: the first (the initial plan, empty), or one copying
/// the version in force (a review, a transfer, a closing plan). It answers
/// the case's latest assessment that identifies needs.
pub async fn start(
    app: &App,
    actor: &Actor,
    case: CaseId,
    input: NewVersion,
) -> AppResult<PlanView> {
    let mut tx = app.db.write().await?;
    let case = held_case(&mut tx, actor, case).await?;
    let versions = store::of_case(&mut tx, &app.keys, case.id).await?;
    if let Some(draft) = versions.iter().find(|v| v.signed_at.is_none()) {
        return Err(AppError::Conflict(format!(
            "version {} of this plan is a draft still: finish it first",
            draft.number
        )));
    }
    input
        .kind
        .may_follow(versions.len())
        .map_err(|m| Invalid::one("kind", m))?;
    let assessment = needs_assessment(&mut tx, app, case.id)
        .await?
        .ok_or_else(|| {
            Invalid::one(
            "kind",
            "assess the participant's needs first: a plan's goals answer the needs an assessment \
             identified",
        )
        })?;
    let content = versions
        .first()
        .map(|v| v.content.clone())
        .unwrap_or_default();
    let id = PlanId::new();
    let number = versions.first().map_or(1, |v| v.number + 1);
    let new = NewPlan {
        id,
        case_id: case.id,
        number,
        kind: input.kind,
        assessment_id: Some(assessment.id),
        content: &content,
        created_by: actor.id,
        signed: None,
    };
    store::insert_many(&mut tx, &app.keys, &[new], app.now()).await?;
    audit::record(
        &mut tx,
        actor,
        Action::CasePlanCreate
            .on(id)
            .because(format!("version {number}, {}", input.kind)),
    );
    let started = view(&mut tx, app, actor, case, id).await?;
    tx.commit().await?;
    Ok(started)
}

/// The case's latest completed assessment whose instrument names needs.
async fn needs_assessment(
    tx: &mut Tx,
    app: &App,
    case: CaseId,
) -> AppResult<Option<AssessmentRow>> {
    let rows = assessments::of_case(tx, &app.keys, case).await?;
    Ok(rows.into_iter().find(|a| {
        a.completed_at.is_some() && a.result.as_ref().is_some_and(|r| !r.needs.is_empty())
    }))
}

/// One version, for whoever may read the case's assessments; audited.
pub async fn get(app: &App, actor: &Actor, id: PlanId) -> AppResult<PlanView> {
    let mut tx = app.db.read().await?;
    let case = readable(&mut tx, actor, id).await?;
    let found = view(&mut tx, app, actor, case, id).await?;
    audit::record(&mut tx, actor, Action::CasePlanView.on(id));
    tx.commit().await?;
    Ok(found)
}

/// The case of a version the actor may read; otherwise it is "not found".
async fn readable(tx: &mut Tx, actor: &Actor, id: PlanId) -> AppResult<CaseRow> {
    let case = store::case_of(tx, id)
        .await?
        .ok_or(AppError::NotFound("case plan"))?;
    let case = case_of(tx, actor, case, "case plan").await?;
    policy::assessments::read_assessments(actor, &case)
        .map_err(|_| AppError::NotFound("case plan"))?;
    Ok(case)
}

/// The case of a version the actor may write on.
async fn writable(tx: &mut Tx, actor: &Actor, id: PlanId) -> AppResult<CaseRow> {
    let case = readable(tx, actor, id).await?;
    policy::casework::change_case(actor, &case)?;
    Ok(case)
}

/// A version read whole in the caller's transaction (callers check access).
async fn view(
    tx: &mut Tx,
    app: &App,
    actor: &Actor,
    case: CaseRow,
    id: PlanId,
) -> AppResult<PlanView> {
    let mut versions = store::of_case(tx, &app.keys, case.id).await?;
    let position = versions
        .iter()
        .position(|v| v.id == id)
        .ok_or(AppError::NotFound("case plan"))?;
    // Newest first: a signed version after it supersedes it, and the
    // signed one before it is what it changed.
    let superseded = versions
        .iter()
        .take(position)
        .any(|v| v.signed_at.is_some());
    let row = versions.remove(position);
    let earlier = versions
        .iter()
        .skip(position)
        .find(|v| v.signed_at.is_some());
    let signed = row.signed_at.is_some();
    let stage = Stage::of(signed, row.awaits_countersignature(), signed && superseded);
    let domains = domains_of(tx, app, row.assessment_id).await?;
    let linkable = linkable(tx, app, case.id).await?;
    let items = store::items_of_case(tx, case.id).await?;
    let standing = standing(&row.content, &items, &linkable);
    let mine: HashSet<PlanItemId> = row.content.items().map(|(key, _)| key).collect();
    let mut progress = store::progress_of_case(tx, &app.keys, case.id).await?;
    progress.retain(|p| mine.contains(&p.item));
    let can_write = policy::casework::change_case(actor, &case).is_ok();
    let can_countersign = stage == Stage::AwaitingCountersignature
        && policy::assessments::countersign_plan(actor, row.signed_by).is_ok();
    Ok(PlanView {
        changes: earlier.map_or_else(Vec::new, |e| changes(&e.content, &row.content)),
        case,
        row,
        stage,
        domains,
        standing,
        progress,
        linkable,
        can_write,
        can_countersign,
    })
}

/// The need domains of a plan's assessment, with what it found in each.
async fn domains_of(
    tx: &mut Tx,
    app: &App,
    assessment: Option<crate::domain::ids::AssessmentId>,
) -> AppResult<Vec<Domain>> {
    let Some(assessment) = assessment else {
        return Ok(Vec::new());
    };
    let row = assessments::get(tx, &app.keys, assessment)
        .await?
        .ok_or(AppError::NotFound("assessment"))?;
    let instrument = instruments::get(tx, row.instrument)
        .await?
        .ok_or(AppError::NotFound("instrument"))?;
    let definition = super::case_assessments::definition_of(tx, &instrument).await?;
    let found: BTreeMap<&str, Need> = row
        .result
        .iter()
        .flat_map(|r| r.needs.iter().map(|n| (n.section.as_str(), n.need)))
        .collect();
    Ok(definition
        .sections
        .iter()
        .filter(|s| s.need_at.is_some())
        .map(|s| Domain {
            id: s.id.clone(),
            title: s.title.en.clone(),
            need: found
                .get(s.id.as_str())
                .copied()
                .unwrap_or(Need::NotAssessed),
        })
        .collect())
}

/// The case's conditions and series, as evidence a step may follow.
async fn linkable(tx: &mut Tx, app: &App, case: CaseId) -> AppResult<Vec<Linkable>> {
    let listed = conditions::list(tx, app, case).await?;
    evidence(tx, app, case, &listed.conditions).await
}

/// The case's `conditions` (read already) and its series, as evidence.
async fn evidence(
    tx: &mut Tx,
    app: &App,
    case: CaseId,
    conditions: &[ConditionView],
) -> AppResult<Vec<Linkable>> {
    let series = supervision::series_of_case(tx, case, app.now()).await?;
    let zone = app.settings.zone();
    Ok(conditions
        .iter()
        .map(condition_evidence)
        .chain(series.iter().map(|s| series_evidence(s, zone)))
        .collect())
}

fn condition_evidence(c: &ConditionView) -> Linkable {
    Linkable {
        link: Link::Condition(c.id),
        name: format!("Condition: {}", c.title),
        evidence: Evidence::Condition {
            status: c.status,
            any_progress: c.entries > 0,
        },
    }
}

fn series_evidence(s: &SeriesRow, zone: chrono_tz::Tz) -> Linkable {
    let count = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
    Linkable {
        link: Link::Series(s.series_id),
        name: format!(
            "Weekly {} from {}",
            s.kind.title().to_lowercase(),
            s.first_at
                .with_timezone(&zone)
                .format("%a %-d %b %Y, %-I:%M %p")
        ),
        evidence: Evidence::Series {
            kept: count(s.kept),
            missed: count(s.missed),
            ahead: count(s.ahead),
        },
    }
}

/// Where each of a plan's items stands: a linked step as its evidence says
/// (a link to evidence no longer on the case: as set by hand), the rest as
/// set by hand.
fn standing(
    plan: &Plan,
    items: &[ItemRow],
    linkable: &[Linkable],
) -> HashMap<PlanItemId, Standing> {
    let set: HashMap<PlanItemId, &ItemRow> = items.iter().map(|i| (i.id, i)).collect();
    let evidence: HashMap<Link, &Linkable> = linkable.iter().map(|l| (l.link, l)).collect();
    let mut found = HashMap::new();
    for (key, kind) in plan.items() {
        let by_hand = set.get(&key).map(|i| Standing {
            status: i.status,
            follows: None,
            set: Some((i.changed_by.clone(), i.changed_at)),
        });
        let linked = step_of(plan, key)
            .and_then(|s| s.link)
            .and_then(|l| evidence.get(&l));
        let standing = match linked {
            Some(l) => Some(Standing {
                status: ItemStatus::Step(l.evidence.step_status()),
                follows: Some(l.name.clone()),
                set: None,
            }),
            None => by_hand,
        };
        found.insert(
            key,
            standing.unwrap_or(Standing {
                status: ItemStatus::initial(kind),
                follows: None,
                set: None,
            }),
        );
    }
    found
}

fn step_of(plan: &Plan, key: PlanItemId) -> Option<&Step> {
    plan.goals
        .iter()
        .flat_map(|g| g.steps.iter())
        .find(|s| s.key == key)
}

/// A draft the actor may write on, with its case.
async fn own_draft(
    tx: &mut Tx,
    app: &App,
    actor: &Actor,
    id: PlanId,
) -> AppResult<(CaseRow, PlanRow)> {
    let case = writable(tx, actor, id).await?;
    let row = store::get(tx, &app.keys, id)
        .await?
        .ok_or(AppError::NotFound("case plan"))?;
    if let Some(at) = row.signed_at {
        return Err(AppError::Conflict(format!(
            "version {} was signed on {}; it no longer changes (start a review instead)",
            row.number,
            at.with_timezone(&app.settings.zone()).format("%-d %b %Y")
        )));
    }
    Ok((case, row))
}

/// Saves a draft's goals and steps whole.
pub async fn save(app: &App, actor: &Actor, id: PlanId, input: DraftInput) -> AppResult<PlanView> {
    let mut tx = app.db.write().await?;
    let (case, draft) = own_draft(&mut tx, app, actor, id).await?;
    let domains = domains_of(&mut tx, app, draft.assessment_id).await?;
    let linkable = linkable(&mut tx, app, case.id).await?;
    let items = store::items_of_case(&mut tx, case.id).await?;
    let known: HashMap<PlanItemId, ItemKind> = items
        .iter()
        .map(|i| (i.id, kind_of(i.status)))
        .chain(draft.content.items())
        .collect();
    let allowed = Allowed {
        domains: domains.iter().map(|d| d.id.as_str()).collect(),
        links: linkable.iter().map(|l| l.link).collect(),
        known: &known,
        today: app.today(),
    };
    let content = parse_plan(&input.goals, &allowed)?;
    if !store::save_content(&mut tx, &app.keys, id, input.version, &content, app.now()).await? {
        return Err(AppError::StaleVersion("case plan"));
    }
    let new: Vec<_> = content
        .items()
        .map(|(key, kind)| (case.id, key, kind, actor.id))
        .collect();
    store::add_items(&mut tx, &new, app.now()).await?;
    audit::record(
        &mut tx,
        actor,
        Action::CasePlanUpdate
            .on(id)
            .because(format!("{} goals", content.goals.len())),
    );
    let saved = view(&mut tx, app, actor, case, id).await?;
    tx.commit().await?;
    Ok(saved)
}

fn kind_of(status: ItemStatus) -> ItemKind {
    match status {
        ItemStatus::Goal(_) => ItemKind::Goal,
        ItemStatus::Step(_) => ItemKind::Step,
    }
}

/// What a draft's goals and steps may name.
struct Allowed<'a> {
    domains: HashSet<&'a str>,
    links: HashSet<Link>,
    /// The case's items by key, with their kinds.
    known: &'a HashMap<PlanItemId, ItemKind>,
    today: NaiveDate,
}

impl Allowed<'_> {
    /// A given key of `kind`, or a new one; a key is used once.
    fn key(
        &self,
        given: Option<PlanItemId>,
        kind: ItemKind,
        used: &mut HashSet<PlanItemId>,
    ) -> Result<PlanItemId, String> {
        let Some(key) = given else {
            return Ok(PlanItemId::new());
        };
        if self.known.get(&key) != Some(&kind) {
            return Err(format!("is not a {kind} of this case's plan"));
        }
        if !used.insert(key) {
            return Err(format!("names the same {kind} twice"));
        }
        Ok(key)
    }

    fn domain(&self, id: &str) -> Result<String, String> {
        let id = id.trim();
        if self.domains.contains(id) {
            return Ok(id.to_owned());
        }
        let mut known: Vec<&str> = self.domains.iter().copied().collect();
        known.sort_unstable();
        Err(format!(
            "'{id}' is not a need domain of the plan's assessment (one of: {})",
            known.join(", ")
        ))
    }
}

/// A draft's goals and steps, checked whole: every problem named by its
/// place (`goals.0.steps.1.action`).
fn parse_plan(goals: &[GoalInput], allowed: &Allowed) -> Result<Plan, Invalid> {
    let mut errors = Errors::new();
    if goals.len() > MOST_GOALS {
        errors.add("goals", format!("a plan holds at most {MOST_GOALS} goals"));
    }
    let mut used = HashSet::new();
    let mut parsed = Vec::new();
    for (g, goal) in goals.iter().enumerate() {
        if goal.steps.len() > MOST_STEPS {
            errors.add(
                &format!("goals.{g}.steps"),
                format!("a goal holds at most {MOST_STEPS} steps"),
            );
        }
        let at = |field: &str| format!("goals.{g}.{field}");
        let key = errors.check(&at("key"), allowed.key(goal.key, ItemKind::Goal, &mut used));
        let domain = errors.check(&at("domain"), allowed.domain(&goal.domain));
        let mut related = Vec::new();
        for (r, other) in goal.related.iter().enumerate() {
            let field = format!("goals.{g}.related.{r}");
            if let Some(other) = errors.check(&field, allowed.domain(other)) {
                if Some(&other) == domain.as_ref() || related.contains(&other) {
                    errors.add(&field, format!("'{other}' is named already"));
                } else {
                    related.push(other);
                }
            }
        }
        let outcome = errors.check(&at("outcome"), goal.outcome.checked());
        errors.check(
            &at("target"),
            DateKind::Term.check(goal.target, allowed.today),
        );
        let mut steps = Vec::new();
        for (s, step) in goal.steps.iter().enumerate() {
            let at = |field: &str| format!("goals.{g}.steps.{s}.{field}");
            let key = errors.check(&at("key"), allowed.key(step.key, ItemKind::Step, &mut used));
            let action = errors.check(&at("action"), step.action.checked());
            let owner_name =
                errors.check(&at("owner_name"), Text::checked(step.owner_name.as_ref()));
            if let Some(due) = step.due {
                errors.check(&at("due"), DateKind::Term.check(due, allowed.today));
            }
            if let Some(link) = step.link.filter(|l| !allowed.links.contains(l)) {
                let what = match link {
                    Link::Condition(_) => "condition",
                    Link::Series(_) => "appointment series",
                };
                errors.add(&at("link"), format!("is not a {what} of this case"));
            }
            if let (Some(key), Some(action), Some(owner_name)) = (key, action, owner_name) {
                steps.push(Step {
                    key,
                    action,
                    owner: step.owner,
                    owner_name,
                    due: step.due,
                    link: step.link,
                });
            }
        }
        if let (Some(key), Some(domain), Some(outcome)) = (key, domain, outcome) {
            parsed.push(Goal {
                key,
                domain,
                related,
                outcome,
                target: goal.target,
                steps,
            });
        }
    }
    errors.finish(|| Some(Plan { goals: parsed }))
}

/// Signs a draft: it no longer changes. A high-risk case's plan then waits
/// for a supervisor's countersignature. The next review falls due by rule,
/// and the case's review alerts are settled.
pub async fn sign(app: &App, actor: &Actor, id: PlanId, input: Signing) -> AppResult<PlanView> {
    let mut tx = app.db.write().await?;
    let (case, draft) = own_draft(&mut tx, app, actor, id).await?;
    let mut errors = Errors::new();
    if draft.content.goals.is_empty() {
        errors.add("goals", "a plan needs a goal before it is signed");
    }
    for (g, goal) in draft.content.goals.iter().enumerate() {
        if goal.steps.is_empty() {
            errors.add(
                &format!("goals.{g}.steps"),
                format!("'{}' needs a step before the plan is signed", goal.outcome),
            );
        }
    }
    errors.finish(|| Some(()))?;
    let (level, _) = supervision::level(&mut tx, case.id).await?;
    let countersign = needs_countersignature(level);
    if !store::sign(&mut tx, id, input.version, actor.id, countersign, app.now()).await? {
        return Err(AppError::StaleVersion("case plan"));
    }
    let review = CaseStatus::IN_PROGRAM
        .contains(&case.status)
        .then(|| review_after_signing(app.today(), app.settings.assessments.plan_review_days));
    cases::set_due(&mut tx, case.id, Due::PlanReview, review).await?;
    let answered = [Rule::PlanReviewDue, Rule::PlanReviewOverdue];
    let note = "Settled: a case plan was signed";
    alerts::resolve_rules(&mut tx, case.id, &answered, actor.id, app.now(), note).await?;
    if countersign {
        crate::app::casework::alerts::raise_for_case(&mut tx, app, case.id).await?;
    }
    let reason = if countersign {
        format!(
            "version {}; awaits a supervisor's countersignature",
            draft.number
        )
    } else {
        format!("version {}", draft.number)
    };
    audit::record(&mut tx, actor, Action::CasePlanSign.on(id).because(reason));
    let signed = view(&mut tx, app, actor, case, id).await?;
    tx.commit().await?;
    Ok(signed)
}

/// Countersigns a high-risk case's signed plan: a supervisor other than the
/// signer.
pub async fn countersign(
    app: &App,
    actor: &Actor,
    id: PlanId,
    input: Signing,
) -> AppResult<PlanView> {
    let mut tx = app.db.write().await?;
    let case = readable(&mut tx, actor, id).await?;
    let row = store::get(&mut tx, &app.keys, id)
        .await?
        .ok_or(AppError::NotFound("case plan"))?;
    policy::assessments::countersign_plan(actor, row.signed_by)?;
    if !row.awaits_countersignature() {
        return Err(AppError::Conflict(
            "this version does not wait for a countersignature".into(),
        ));
    }
    if !store::countersign(&mut tx, id, input.version, actor.id, app.now()).await? {
        return Err(AppError::StaleVersion("case plan"));
    }
    let note = "Settled: the plan was countersigned";
    let answered = [Rule::PlanCountersign];
    alerts::resolve_rules(&mut tx, case.id, &answered, actor.id, app.now(), note).await?;
    audit::record(&mut tx, actor, Action::CasePlanCountersign.on(id));
    let done = view(&mut tx, app, actor, case, id).await?;
    tx.commit().await?;
    Ok(done)
}

/// Records the participant's answer to a signed version (once).
pub async fn record_agreement(
    app: &App,
    actor: &Actor,
    id: PlanId,
    input: AgreementInput,
) -> AppResult<PlanView> {
    let mut tx = app.db.write().await?;
    let case = writable(&mut tx, actor, id).await?;
    let row = store::get(&mut tx, &app.keys, id)
        .await?
        .ok_or(AppError::NotFound("case plan"))?;
    let mut errors = Errors::new();
    let comment = errors.check("comment", Text::checked(input.comment.as_ref()));
    errors.check("on", DateKind::Happened.check(input.on, app.today()));
    let comment = errors.finish(|| comment)?;
    if row.signed_at.is_none() {
        return Err(AppError::Conflict(
            "the participant answers a signed plan: sign this draft first".into(),
        ));
    }
    if let Some(given) = row.agreement {
        return Err(AppError::Conflict(format!(
            "the participant's answer to this version is recorded already ({})",
            given.title().to_lowercase()
        )));
    }
    let given = AgreementGiven {
        agreement: input.agreement,
        comment: comment.as_deref(),
        on: input.on,
        by: actor.id,
    };
    if !store::record_agreement(&mut tx, id, input.version, &given, app.now()).await? {
        return Err(AppError::StaleVersion("case plan"));
    }
    audit::record(
        &mut tx,
        actor,
        Action::CasePlanAgreement
            .on(id)
            .because(input.agreement.label()),
    );
    let done = view(&mut tx, app, actor, case, id).await?;
    tx.commit().await?;
    Ok(done)
}

/// Records progress on a goal or step of a case's plan: a dated note, a
/// new status, or both. A step linked to evidence takes no status by hand.
/// Returns the newest version holding the item.
pub async fn record_progress(
    app: &App,
    actor: &Actor,
    item: PlanItemId,
    input: ProgressInput,
) -> AppResult<PlanView> {
    let mut tx = app.db.write().await?;
    let found = store::item(&mut tx, item)
        .await?
        .ok_or(AppError::NotFound("plan goal or step"))?;
    let case = case_of(&mut tx, actor, found.case_id, "plan goal or step").await?;
    policy::assessments::read_assessments(actor, &case)
        .map_err(|_| AppError::NotFound("plan goal or step"))?;
    policy::casework::change_case(actor, &case)?;
    let versions = store::of_case(&mut tx, &app.keys, case.id).await?;
    let holding = versions
        .iter()
        .find(|v| v.content.items().any(|(key, _)| key == item))
        .ok_or(AppError::NotFound("plan goal or step"))?;
    let mut errors = Errors::new();
    errors.check("on", DateKind::Happened.check(input.on, app.today()));
    let note = match &input.note {
        Some(n) => errors.check("note", n.checked().map(Some)),
        None => Some(None),
    };
    let status = match input
        .status
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => Some(None),
        Some(label) => errors.check(
            "status",
            ItemStatus::parse(kind_of(found.status), label).map(Some),
        ),
    };
    if let Some(link) = step_of(&holding.content, item).and_then(|s| s.link) {
        if matches!(status, Some(Some(_))) {
            let what = match link {
                Link::Condition(_) => "its condition: record progress on the condition",
                Link::Series(_) => "its appointment series: record the appointments' outcomes",
            };
            errors.add("status", format!("this step follows {what}"));
        }
    }
    let (status, note) = errors.finish(|| Some((status?, note?)))?;
    if status.is_none() && note.is_none() {
        return Err(Invalid::one("note", "give a note, a new status, or both").into());
    }
    let progress = NewProgress {
        id: PlanUpdateId::new(),
        case_id: case.id,
        item,
        on: input.on,
        status,
        note: note.as_deref(),
        author: actor.id,
    };
    store::record_progress(&mut tx, &app.keys, &progress, app.now()).await?;
    let reason = status.map_or("note", ItemStatus::label);
    audit::record(
        &mut tx,
        actor,
        Action::CasePlanProgress.on(item).because(reason),
    );
    let plan = holding.id;
    let shown = view(&mut tx, app, actor, case, plan).await?;
    tx.commit().await?;
    Ok(shown)
}
