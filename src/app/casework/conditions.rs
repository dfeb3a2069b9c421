//! Conditions of supervision: set from the program's templates or one by
//! one, adjusted per person and by the court, and progress recorded toward
//! them. Whoever may see a case sees its conditions; whoever holds it
//! changes them. Every read and change is audited.

use super::guard::{case_of, held_case, visible_case};
use crate::app::{audit, policy, Actor, App, AppError, AppResult};
use crate::domain::audit::Action;
use crate::domain::casework::conditions::{
    behind_schedule, check_entry, percent, ConditionKind, ConditionStatus, CourtAction, Quantity,
    StatusFacts, Unit, Verification,
};
use crate::domain::ids::{CaseId, ConditionId, ProgramId, TemplateId};
use crate::domain::input::{RequiredText, Text, Whole};
use crate::domain::validation::{DateKind, Errors};
use crate::store::casework::cases::CaseRow;
use crate::store::casework::conditions::{
    self as store, ConditionRow, NewCondition, NewProgress, ProgressRow, TemplateRow, Terms,
};
use crate::store::Tx;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;

/// A condition's title.
pub type Title = RequiredText<120>;

/// The terms of a condition, as given.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TermsInput {
    pub kind: ConditionKind,
    pub title: Title,
    /// Specifics (sealed at rest: treatment conditions may name health information).
    #[serde(default)]
    pub details: Option<Text<2000>>,
    /// How much: hours, sessions or dollars, up to two decimals.
    #[serde(default)]
    pub target: Option<f64>,
    /// The target's unit; defaults to the kind's usual one.
    #[serde(default)]
    pub unit: Option<Unit>,
    #[serde(default)]
    pub due_date: Option<NaiveDate>,
}

fn parse_terms(input: &TermsInput, errors: &mut Errors, today: NaiveDate) -> Option<Terms> {
    let title = errors.check("title", input.title.checked());
    let details = errors.check("details", Text::checked(input.details.as_ref()));
    let target = match (input.target, input.unit.or(input.kind.usual_unit())) {
        (None, _) => Some(None),
        (Some(_), None) => {
            errors.add(
                "unit",
                "is required with a target for this kind of condition",
            );
            None
        }
        (Some(t), Some(unit)) => errors
            .check("target", Quantity::parse(t))
            .map(|q| Some((q, unit))),
    };
    if let Some(due) = input.due_date {
        errors.check("due_date", DateKind::Term.check(due, today));
    }
    Some(Terms {
        kind: input.kind,
        title: title?,
        details: details?,
        target: target?,
        due_date: input.due_date,
    })
}

/// One condition as shown.
#[derive(Debug, Clone)]
pub struct ConditionView {
    pub id: ConditionId,
    pub case_id: CaseId,
    pub kind: ConditionKind,
    pub title: String,
    pub details: Option<String>,
    pub target: Option<f64>,
    pub unit: Option<Unit>,
    /// Progress recorded so far, in the target's unit.
    pub done: f64,
    /// Share of the target done, 0 to 100 (measurable conditions).
    pub percent: Option<u8>,
    pub start_date: NaiveDate,
    pub due_date: Option<NaiveDate>,
    pub status: ConditionStatus,
    /// Less done than the time passed calls for (measurable conditions with a due date).
    pub behind_schedule: bool,
    pub marked_met_at: Option<DateTime<Utc>>,
    pub court_action: Option<CourtAction>,
    pub court_order_date: Option<NaiveDate>,
    pub court_order_reason: Option<String>,
    pub entries: i64,
    pub version: i64,
}

impl ConditionView {
    fn new(r: ConditionRow, today: NaiveDate) -> Self {
        let status = ConditionStatus::derive(
            &StatusFacts {
                target: r.terms.target.map(|(q, _)| q),
                done: r.done,
                any_progress: r.entries > 0,
                marked_met: r.marked_met_at.is_some(),
                due: r.terms.due_date,
                court_action: r.court_action,
            },
            today,
        );
        let target = r.terms.target.map(|(q, _)| q);
        let behind = status.is_open()
            && target
                .zip(r.terms.due_date)
                .is_some_and(|(t, due)| behind_schedule(r.done, t, r.start_date, due, today));
        Self {
            id: r.id,
            case_id: r.case_id,
            kind: r.terms.kind,
            title: r.terms.title,
            details: r.terms.details,
            target: target.map(Quantity::as_f64),
            unit: r.terms.target.map(|(_, u)| u),
            done: r.done.as_f64(),
            percent: target.map(|t| percent(r.done, t)),
            start_date: r.start_date,
            due_date: r.terms.due_date,
            status,
            behind_schedule: behind,
            marked_met_at: r.marked_met_at,
            court_action: r.court_action,
            court_order_date: r.court_order_date,
            court_order_reason: r.court_order_reason,
            entries: r.entries,
            version: r.version,
        }
    }

    pub fn done_text(&self) -> String {
        Quantity::parse(self.done).map_or_else(|_| "0".into(), |q| q.to_string())
    }

    /// More was recorded than the target asks (shown as a warning: an
    /// entry may have been typed twice).
    pub fn past_target(&self) -> bool {
        self.target.is_some_and(|t| self.done > t)
    }

    pub fn target_text(&self) -> String {
        self.target
            .and_then(|t| Quantity::parse(t).ok())
            .map_or_else(String::new, |q| q.to_string())
    }
}

/// A case's conditions at a glance.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Conditions not waived.
    pub total: usize,
    pub met: usize,
    pub overdue: usize,
    pub behind_schedule: usize,
    pub waived: usize,
}

#[derive(Debug, Clone)]
pub struct CaseConditions {
    pub summary: Summary,
    pub conditions: Vec<ConditionView>,
}

fn summarize(conditions: &[ConditionView]) -> Summary {
    let count = |f: &dyn Fn(&ConditionView) -> bool| conditions.iter().filter(|c| f(c)).count();
    let waived = count(&|c| c.status == ConditionStatus::Waived);
    Summary {
        total: conditions.len() - waived,
        met: count(&|c| c.status == ConditionStatus::Met),
        overdue: count(&|c| c.status == ConditionStatus::Overdue),
        behind_schedule: count(&|c| c.behind_schedule),
        waived,
    }
}

pub(crate) async fn list(tx: &mut Tx, app: &App, case: CaseId) -> AppResult<CaseConditions> {
    let today = app.today();
    let conditions: Vec<ConditionView> = store::of_case(tx, &app.keys, case)
        .await?
        .into_iter()
        .map(|r| ConditionView::new(r, today))
        .collect();
    Ok(CaseConditions {
        summary: summarize(&conditions),
        conditions,
    })
}

/// A case's conditions; the read is audited.
pub async fn of_case(app: &App, actor: &Actor, case: CaseId) -> AppResult<CaseConditions> {
    let mut tx = app.db.read().await?;
    visible_case(&mut tx, actor, case).await?;
    let all = list(&mut tx, app, case).await?;
    audit::record(&mut tx, actor, Action::ConditionList.on(case));
    tx.commit().await?;
    Ok(all)
}

/// The day a case's conditions count from: its start, or today before it starts.
fn start_of(app: &App, case: &CaseRow) -> NaiveDate {
    case.fields.start_date.unwrap_or_else(|| app.today())
}

/// Adds a condition to a case.
pub async fn add(
    app: &App,
    actor: &Actor,
    case: CaseId,
    input: TermsInput,
) -> AppResult<ConditionView> {
    let mut tx = app.db.write().await?;
    let row = held_case(&mut tx, actor, case).await?;
    let mut errors = Errors::new();
    let terms = parse_terms(&input, &mut errors, app.today());
    let terms = errors.finish(|| terms)?;
    let id = ConditionId::new();
    let new = NewCondition {
        id,
        case_id: case,
        template_id: None,
        terms: &terms,
        start_date: start_of(app, &row),
    };
    store::insert_many(&mut tx, &app.keys, &[new], app.now()).await?;
    audit::record(&mut tx, actor, Action::ConditionCreate.on(id));
    reloaded(tx, app, id).await
}

/// Adds the conditions of the case's program templates that the case does
/// not have yet; their due dates count from the case's start.
pub async fn apply_program(app: &App, actor: &Actor, case: CaseId) -> AppResult<CaseConditions> {
    let mut tx = app.db.write().await?;
    let row = held_case(&mut tx, actor, case).await?;
    let applied = store::applied_templates(&mut tx, case).await?;
    let start = start_of(app, &row);
    let fresh: Vec<(TemplateId, Terms)> = store::templates(&mut tx, row.program_id)
        .await?
        .into_iter()
        .filter(|t| !applied.contains(&t.id))
        .map(|t| {
            let due = t
                .due_days
                .map(|d| start + chrono::Duration::days(i64::from(d)));
            (
                t.id,
                Terms {
                    kind: t.kind,
                    title: t.title,
                    details: None,
                    target: t.target,
                    due_date: due,
                },
            )
        })
        .collect();
    let rows: Vec<NewCondition> = fresh
        .iter()
        .map(|(template, terms)| NewCondition {
            id: ConditionId::new(),
            case_id: case,
            template_id: Some(*template),
            terms,
            start_date: start,
        })
        .collect();
    store::insert_many(&mut tx, &app.keys, &rows, app.now()).await?;
    super::alerts::raise_for_case(&mut tx, app, case).await?;
    let note = format!("{} from the program", rows.len());
    audit::record(
        &mut tx,
        actor,
        Action::ConditionCreate.on(case).because(&note),
    );
    let all = list(&mut tx, app, case).await?;
    tx.commit().await?;
    Ok(all)
}

/// One condition with its progress entries.
#[derive(Debug, Clone)]
pub struct ConditionRecord {
    pub condition: ConditionView,
    pub progress: Vec<ProgressView>,
    pub case: Option<CaseRow>,
    pub can_change: bool,
}

#[derive(Debug, Clone)]
pub struct ProgressView {
    pub occurred_on: NaiveDate,
    pub amount: Option<f64>,
    pub verification: Verification,
    pub note: Option<String>,
    pub recorded_by: Option<String>,
    pub recorded_at: DateTime<Utc>,
}

impl From<ProgressRow> for ProgressView {
    fn from(p: ProgressRow) -> Self {
        Self {
            occurred_on: p.occurred_on,
            amount: p.amount.map(Quantity::as_f64),
            verification: p.verification,
            note: p.note,
            recorded_by: p.recorded_by,
            recorded_at: p.recorded_at,
        }
    }
}

/// A condition and the case it belongs to, if the actor may see them.
async fn visible_condition(
    tx: &mut Tx,
    app: &App,
    actor: &Actor,
    id: ConditionId,
) -> AppResult<(ConditionRow, CaseRow)> {
    let condition = store::get(tx, &app.keys, id)
        .await?
        .ok_or(AppError::NotFound("condition"))?;
    let case = case_of(tx, actor, condition.case_id, "condition").await?;
    Ok((condition, case))
}

/// A condition and its progress; the read is audited.
pub async fn view(app: &App, actor: &Actor, id: ConditionId) -> AppResult<ConditionRecord> {
    let mut tx = app.db.read().await?;
    let (condition, case) = visible_condition(&mut tx, app, actor, id).await?;
    let progress = store::progress(&mut tx, &app.keys, id).await?;
    audit::record(&mut tx, actor, Action::ConditionView.on(id));
    tx.commit().await?;
    Ok(ConditionRecord {
        can_change: policy::casework::change_case(actor, &case).is_ok(),
        condition: ConditionView::new(condition, app.today()),
        progress: progress.into_iter().map(ProgressView::from).collect(),
        case: Some(case),
    })
}

/// New terms for a condition, and what the court ordered.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConditionUpdate {
    /// The version you loaded; a stale one is refused with 409.
    pub version: i64,
    pub terms: TermsInput,
    /// `waived` or `modified`, with the order's date and reason; absent when
    /// staff adjust the terms themselves.
    #[serde(default)]
    pub court_action: Option<CourtAction>,
    #[serde(default)]
    pub court_order_date: Option<NaiveDate>,
    /// Required with a court action.
    #[serde(default)]
    pub court_order_reason: Option<Text<500>>,
}

/// Adjusts a condition, or records the court's waiver or modification.
pub async fn update(
    app: &App,
    actor: &Actor,
    id: ConditionId,
    input: ConditionUpdate,
) -> AppResult<ConditionView> {
    let mut tx = app.db.write().await?;
    let (condition, case) = visible_condition(&mut tx, app, actor, id).await?;
    policy::casework::change_case(actor, &case)?;
    let mut errors = Errors::new();
    let terms = parse_terms(&input.terms, &mut errors, app.today());
    let reason = errors.check(
        "court_order_reason",
        Text::checked(input.court_order_reason.as_ref()),
    );
    let court = match input.court_action {
        None => Some(None),
        Some(action) => {
            if matches!(reason, Some(None)) {
                errors.add("court_order_reason", "is required with a court action");
            }
            if input.court_order_date.is_none() {
                errors.add("court_order_date", "is required with a court action");
            }
            if let Some(ordered) = input.court_order_date {
                errors.check(
                    "court_order_date",
                    DateKind::Happened.check(ordered, app.today()),
                );
            }
            reason
                .flatten()
                .zip(input.court_order_date)
                .map(|(r, d)| Some((action, d, r)))
        }
    };
    let (terms, court) = errors.finish(|| Some((terms?, court?)))?;
    let court_ref = court.as_ref().map(|(a, d, r)| (*a, *d, r.as_str()));
    if condition.version != input.version
        || !store::update(
            &mut tx,
            &app.keys,
            id,
            input.version,
            &terms,
            court_ref,
            app.now(),
        )
        .await?
    {
        return Err(AppError::StaleVersion("condition"));
    }
    let reason = court.as_ref().map(|(a, _, _)| a.title());
    audit::record(
        &mut tx,
        actor,
        Action::ConditionUpdate.on(id).because_if(reason),
    );
    reloaded(tx, app, id).await
}

/// The condition as stored after a change, once the change is committed
/// with the alerts it raises (a due date already past, a target falling
/// behind).
async fn reloaded(mut tx: Tx, app: &App, id: ConditionId) -> AppResult<ConditionView> {
    let stored = store::get(&mut tx, &app.keys, id)
        .await?
        .ok_or(AppError::NotFound("condition"))?;
    super::alerts::raise_for_case(&mut tx, app, stored.case_id).await?;
    tx.commit().await?;
    Ok(ConditionView::new(stored, app.today()))
}

/// A dated step toward a condition.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgressInput {
    pub occurred_on: NaiveDate,
    /// Required for a measurable condition (hours, sessions, dollars); not
    /// allowed for others.
    #[serde(default)]
    pub amount: Option<f64>,
    pub verification: Verification,
    #[serde(default)]
    pub note: Option<Text<2000>>,
}

/// Records progress toward a condition.
pub async fn record_progress(
    app: &App,
    actor: &Actor,
    id: ConditionId,
    input: ProgressInput,
) -> AppResult<ConditionView> {
    let mut tx = app.db.write().await?;
    let (condition, case) = visible_condition(&mut tx, app, actor, id).await?;
    policy::casework::change_case(actor, &case)?;
    let mut errors = Errors::new();
    let note = errors.check("note", Text::checked(input.note.as_ref()));
    let amount = match (condition.terms.target, input.amount) {
        (Some(_), None) => {
            errors.add(
                "amount",
                "is required: this condition counts toward a target",
            );
            None
        }
        (Some((target, unit)), Some(a)) => errors
            .check(
                "amount",
                Quantity::parse(a).and_then(|q| check_entry(q, target, unit).map(|()| q)),
            )
            .map(Some),
        (None, Some(_)) => {
            errors.add(
                "amount",
                "is not counted for a condition without a target; leave it empty",
            );
            None
        }
        (None, None) => Some(None),
    };
    if let Err(e) = DateKind::Happened.check(input.occurred_on, app.today()) {
        errors.add("occurred_on", e);
    } else if input.occurred_on < condition.start_date - chrono::Duration::days(366) {
        errors.add("occurred_on", "is long before the condition was set");
    }
    let (amount, note) = errors.finish(|| Some((amount?, note?)))?;
    let entry = NewProgress {
        condition: id,
        occurred_on: input.occurred_on,
        amount,
        verification: input.verification,
        note: note.as_deref(),
        recorded_by: actor.id,
    };
    store::insert_progress(&mut tx, &app.keys, &[entry], app.now()).await?;
    audit::record(
        &mut tx,
        actor,
        Action::ConditionProgress
            .on(id)
            .because(input.verification.label()),
    );
    reloaded(tx, app, id).await
}

/// Marking a condition without a measurable target as met (or not).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkMet {
    pub version: i64,
    pub met: bool,
}

pub async fn mark_met(
    app: &App,
    actor: &Actor,
    id: ConditionId,
    input: MarkMet,
) -> AppResult<ConditionView> {
    let mut tx = app.db.write().await?;
    let (condition, case) = visible_condition(&mut tx, app, actor, id).await?;
    policy::casework::change_case(actor, &case)?;
    if condition.terms.target.is_some() {
        return Err(crate::domain::validation::Invalid::one(
            "met",
            "a condition with a target is met when its progress reaches the target",
        )
        .into());
    }
    let at = input.met.then(|| app.now());
    if condition.version != input.version
        || !store::set_marked_met(&mut tx, id, input.version, at).await?
    {
        return Err(AppError::StaleVersion("condition"));
    }
    let reason = if input.met { "met" } else { "not met" };
    audit::record(
        &mut tx,
        actor,
        Action::ConditionUpdate.on(id).because(reason),
    );
    reloaded(tx, app, id).await
}

/// A program's standard condition, as given.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateInput {
    pub kind: ConditionKind,
    pub title: Title,
    #[serde(default)]
    pub target: Option<f64>,
    #[serde(default)]
    pub unit: Option<Unit>,
    /// Due this many days after the case starts.
    #[serde(default)]
    pub due_days: Option<Whole<1, 3650>>,
}

/// A program's standard conditions (anyone who may read programs).
pub async fn templates(app: &App, program: ProgramId) -> AppResult<Vec<TemplateRow>> {
    let mut tx = app.db.read().await?;
    crate::store::programs::get(&mut tx, program)
        .await?
        .ok_or(AppError::NotFound("program"))?;
    Ok(store::templates(&mut tx, program).await?)
}

/// Replaces a program's standard conditions (administrators).
pub async fn set_templates(
    app: &App,
    actor: &Actor,
    program: ProgramId,
    input: Vec<TemplateInput>,
) -> AppResult<Vec<TemplateRow>> {
    policy::programs::manage_programs(actor)?;
    let today = app.today();
    let mut errors = Errors::new();
    if input.len() > 50 {
        errors.add("templates", "a program has at most 50 standard conditions");
    }
    let rows: Vec<Option<TemplateRow>> = input
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let mut inner = Errors::new();
            let terms = parse_terms(
                &TermsInput {
                    kind: t.kind,
                    title: t.title.clone(),
                    details: None,
                    target: t.target,
                    unit: t.unit,
                    due_date: None,
                },
                &mut inner,
                today,
            );
            let due_days = inner.check("due_days", t.due_days.map(Whole::checked).transpose());
            if let Err(invalid) = inner.finish(|| Some(())) {
                errors.absorb(&format!("[{i}]."), invalid);
            }
            terms.zip(due_days).map(|(terms, due_days)| TemplateRow {
                id: TemplateId::new(),
                kind: terms.kind,
                title: terms.title,
                target: terms.target,
                due_days,
            })
        })
        .collect();
    let rows = errors.finish(|| rows.into_iter().collect::<Option<Vec<_>>>())?;
    let mut tx = app.db.write().await?;
    crate::store::programs::get(&mut tx, program)
        .await?
        .ok_or(AppError::NotFound("program"))?;
    store::replace_templates(&mut tx, program, &rows).await?;
    let note = format!("{} standard conditions", rows.len());
    audit::record(
        &mut tx,
        actor,
        Action::ProgramConditions.on(program).because(&note),
    );
    tx.commit().await?;
    Ok(rows)
}
