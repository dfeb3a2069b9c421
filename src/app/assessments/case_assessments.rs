//! Assessments on a case: started from the case with what the record
//! knows filled in, answered as a draft saved as it goes (scored live),
//! then completed and signed by its assessor. A completed assessment keeps
//! its result and the instrument version it was made under; its level
//! recommends a supervision level.

use crate::app::casework::guard::{case_of, held_case, visible_case};
use crate::app::{audit, policy, Actor, App, AppError, AppResult};
use crate::domain::assessments::instrument::Definition;
use crate::domain::assessments::scoring::{
    factor_label, prefilled, read_all, score, Answers, Given, RecordFacts, Refusal, Scored,
};
use crate::domain::audit::Action;
use crate::domain::casework::supervision::SupervisionLevel;
use crate::domain::ids::{AssessmentId, CaseId, InstrumentId};
use crate::domain::validation::{FieldError, Invalid};
use crate::store::assessments::case_assessments::{
    self as store, AssessmentRow, GivenAnswers, NewAssessment,
};
use crate::store::assessments::instruments::{self as instruments, InstrumentRow};
use crate::store::assessments::overrides::{self, OverrideRow};
use crate::store::casework::cases::{self as cases, CaseRow};
use crate::store::Tx;
use serde::Deserialize;
use std::collections::BTreeMap;

/// What starts an assessment.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Start {
    /// The instrument's id (e.g. `bw-needs`).
    pub instrument: String,
    /// Its version; the newest one in use if none.
    #[serde(default)]
    pub version: Option<i32>,
    /// The population whose cut-offs apply (e.g. `female`), where the
    /// instrument has such; the default cut-offs if none.
    #[serde(default)]
    pub population: Option<String>,
}

/// Answers to save on a draft: an item given `null` loses its answer.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswersInput {
    /// The assessment's version the answers were given on.
    pub version: i64,
    #[schema(value_type = BTreeMap<String, Given>)]
    pub answers: BTreeMap<String, Option<Given>>,
}

/// An assessment with what reading it needs: its instrument's definition,
/// its score (kept, or live for a draft), proposals of another level, and
/// the supervision level its standing level recommends.
#[derive(Debug, Clone)]
pub struct Assessing {
    pub row: AssessmentRow,
    pub definition: Definition,
    pub scored: Scored,
    pub overrides: Vec<OverrideRow>,
    pub recommended: Option<SupervisionLevel>,
}

/// Starts an assessment on a case, with the answers the record gives.
pub async fn start(app: &App, actor: &Actor, case: CaseId, input: Start) -> AppResult<Assessing> {
    let mut tx = app.db.write().await?;
    let case = held_case(&mut tx, actor, case).await?;
    let instrument = startable(&mut tx, &input).await?;
    let definition = definition_of(&mut tx, &instrument).await?;
    let population = input.population.filter(|p| !p.trim().is_empty());
    if let Some(p) = &population {
        if !definition.populations.contains(p) {
            let message = if definition.populations.is_empty() {
                "this instrument's cut-offs are the same for everyone: leave it blank".to_owned()
            } else {
                format!("must be one of: {}", definition.populations.join(", "))
            };
            return Err(Invalid::one("population", message).into());
        }
    }
    let drafts = store::of_case(&mut tx, &app.keys, case.id).await?;
    if let Some(open) = drafts
        .iter()
        .find(|a| a.completed_at.is_none() && a.instrument_id == instrument.instrument_id)
    {
        return Err(AppError::Conflict(format!(
            "a draft of {} started {} by {} is open: resume it",
            open.instrument_name,
            open.started_at
                .with_timezone(&app.settings.zone())
                .format("%-d %b %Y"),
            open.assessor
        )));
    }
    let facts = record_facts(&mut tx, app, &case).await?;
    let answers: GivenAnswers = prefilled(&definition, &facts)
        .into_iter()
        .map(|(id, a)| (id, a.given()))
        .collect();
    let id = AssessmentId::new();
    let new = NewAssessment {
        id,
        case_id: case.id,
        instrument: instrument.id,
        digest: &instrument.digest,
        population: population.as_deref(),
        answers: &answers,
        assessor_id: actor.id,
        completed: None,
    };
    store::insert_many(&mut tx, &app.keys, &[new], app.now()).await?;
    audit::record(
        &mut tx,
        actor,
        Action::AssessmentCreate.on(id).because(format!(
            "{} v{}",
            instrument.instrument_id, instrument.version
        )),
    );
    let started = assessing(&mut tx, app, id).await?;
    tx.commit().await?;
    Ok(started)
}

/// The instrument version a start names: in use, not retired.
async fn startable(tx: &mut Tx, input: &Start) -> AppResult<InstrumentRow> {
    let versions = instruments::all(tx).await?;
    let mut of_it = versions
        .into_iter()
        .filter(|r| r.instrument_id == input.instrument.trim());
    let chosen = match input.version {
        Some(v) => of_it.find(|r| r.version == v).ok_or_else(|| {
            Invalid::one(
                "version",
                format!("{} has no version {v}", input.instrument),
            )
        })?,
        None => of_it.find(|r| r.retired_at.is_none()).ok_or_else(|| {
            Invalid::one(
                "instrument",
                format!("no instrument '{}' is in use", input.instrument),
            )
        })?,
    };
    if chosen.retired_at.is_some() {
        return Err(Invalid::one(
            "version",
            format!(
                "version {} of {} is retired: it starts no new assessment",
                chosen.version, chosen.instrument_id
            ),
        )
        .into());
    }
    Ok(chosen)
}

/// The definition of an instrument version, as loaded (it was checked then).
pub(super) async fn definition_of(
    tx: &mut Tx,
    instrument: &InstrumentRow,
) -> AppResult<Definition> {
    let text = instruments::definition(tx, instrument.id)
        .await?
        .ok_or(AppError::NotFound("instrument"))?;
    Definition::from_toml(&text).map_err(|problems| {
        AppError::Internal(anyhow::anyhow!(
            "instrument {} v{} no longer reads: {}",
            instrument.instrument_id,
            instrument.version,
            problems.join("; ")
        ))
    })
}

/// What the record says that items may be filled from.
async fn record_facts(tx: &mut Tx, app: &App, case: &CaseRow) -> AppResult<RecordFacts> {
    let person = crate::store::people::get(tx, case.person_id)
        .await?
        .ok_or(AppError::NotFound("participant"))?;
    let charges = cases::charges(tx, case.id).await?;
    Ok(RecordFacts {
        date_of_birth: Some(person.date_of_birth),
        on: Some(app.today()),
        charge_levels: charges.iter().map(|c| c.level).collect(),
        violent_charge: (!charges.is_empty()).then(|| charges.iter().any(|c| c.violent)),
        prior_convictions: case
            .fields
            .prior_convictions
            .and_then(|n| u32::try_from(n).ok()),
    })
}

/// An assessment with its definition, score and proposals, read in the
/// caller's transaction (no access check: callers check the case).
async fn assessing(tx: &mut Tx, app: &App, id: AssessmentId) -> AppResult<Assessing> {
    let row = store::get(tx, &app.keys, id)
        .await?
        .ok_or(AppError::NotFound("assessment"))?;
    let instrument = instruments::get(tx, row.instrument)
        .await?
        .ok_or(AppError::NotFound("instrument"))?;
    let definition = definition_of(tx, &instrument).await?;
    let scored = match &row.result {
        Some(kept) => kept.clone(),
        None => live_score(&definition, &row)?,
    };
    let recommended = row
        .completed_at
        .and(row.effective_level())
        .and_then(|level| app.settings.assessments.recommends(level));
    Ok(Assessing {
        overrides: overrides::of_assessment(tx, id).await?,
        row,
        definition,
        scored,
        recommended,
    })
}

/// A draft's score as its answers stand (they were checked when saved).
fn live_score(definition: &Definition, row: &AssessmentRow) -> AppResult<Scored> {
    let answers = read_all(definition, &row.answers).map_err(|_| {
        AppError::Internal(anyhow::anyhow!(
            "assessment {} holds answers its instrument refuses",
            row.id
        ))
    })?;
    score(definition, &answers, row.population.as_deref()).map_err(|_| {
        AppError::Internal(anyhow::anyhow!(
            "assessment {} holds answers its constraints refuse",
            row.id
        ))
    })
}

/// One assessment, for whoever holds its case; the read is audited.
pub async fn get(app: &App, actor: &Actor, id: AssessmentId) -> AppResult<Assessing> {
    let mut tx = app.db.read().await?;
    readable(&mut tx, actor, id).await?;
    let found = assessing(&mut tx, app, id).await?;
    audit::record(&mut tx, actor, Action::AssessmentView.on(id));
    tx.commit().await?;
    Ok(found)
}

/// The case of an assessment the actor may read; otherwise the assessment
/// is "not found".
async fn readable(tx: &mut Tx, actor: &Actor, id: AssessmentId) -> AppResult<CaseRow> {
    let case = store::case_of(tx, id)
        .await?
        .ok_or(AppError::NotFound("assessment"))?;
    let case = case_of(tx, actor, case, "assessment").await?;
    policy::assessments::read_assessments(actor, &case)
        .map_err(|_| AppError::NotFound("assessment"))?;
    Ok(case)
}

/// A case's assessments and what starting one offers.
#[derive(Debug, Clone)]
pub struct CaseAssessments {
    pub case: CaseRow,
    /// Newest first.
    pub assessments: Vec<AssessmentRow>,
    /// The instrument versions in use (newest of each first).
    pub instruments: Vec<InstrumentRow>,
    /// Whether the actor holds the case (and so may start one).
    pub can_start: bool,
    /// The supervision level the latest completed assessment recommends.
    pub recommended: Option<SupervisionLevel>,
    /// When the next assessment is due by the program's rule.
    pub due: Option<chrono::NaiveDate>,
}

/// A case's assessments, newest first; the read is audited.
pub async fn of_case(app: &App, actor: &Actor, case: CaseId) -> AppResult<CaseAssessments> {
    let mut tx = app.db.read().await?;
    let case = visible_case(&mut tx, actor, case).await?;
    policy::assessments::read_assessments(actor, &case)?;
    let assessments = store::of_case(&mut tx, &app.keys, case.id).await?;
    let mut instruments = instruments::all(&mut tx).await?;
    instruments.retain(|r| r.retired_at.is_none());
    instruments.dedup_by(|later, first| later.instrument_id == first.instrument_id);
    let recommended = recommended_level(&mut tx, app, case.id).await?;
    let due = cases::due(&mut tx, case.id, cases::Due::Reassessment).await?;
    audit::record(&mut tx, actor, Action::AssessmentList.on(case.id));
    tx.commit().await?;
    Ok(CaseAssessments {
        can_start: policy::casework::change_case(actor, &case).is_ok(),
        case,
        assessments,
        instruments,
        recommended,
        due,
    })
}

/// A draft the actor may answer (held, and theirs), with its case.
async fn own_draft(
    tx: &mut Tx,
    app: &App,
    actor: &Actor,
    id: AssessmentId,
) -> AppResult<(CaseRow, Assessing)> {
    let (case, found) = checked(tx, app, actor, id).await?;
    policy::assessments::answer_assessment(actor, found.row.assessor_id)?;
    if let Some(at) = found.row.completed_at {
        return Err(AppError::Conflict(format!(
            "this assessment was completed and signed on {}; it no longer changes (propose another level instead)",
            at.with_timezone(&app.settings.zone()).format("%-d %b %Y")
        )));
    }
    Ok((case, found))
}

/// Each refused answer as a field error on `answers.{item}`.
fn answer_errors(problems: Vec<(String, String)>) -> Invalid {
    Invalid(
        problems
            .into_iter()
            .map(|(item, message)| FieldError {
                field: format!("answers.{item}"),
                message,
            })
            .collect(),
    )
}

/// A broken constraint as an error on each of its items, naming the others.
fn constraint_errors(def: &Definition, refusals: Vec<Refusal>) -> Invalid {
    let mut errors = Vec::new();
    for r in refusals {
        for item in &r.items {
            let others: Vec<String> = r
                .items
                .iter()
                .filter(|o| *o != item)
                .map(|o| {
                    format!(
                        "'{}'",
                        def.item(o).map_or(o.as_str(), |i| i.text.en.as_str())
                    )
                })
                .collect();
            let message = if others.is_empty() {
                r.message.clone()
            } else {
                format!("{} (with {})", r.message, others.join(", "))
            };
            errors.push(FieldError {
                field: format!("answers.{item}"),
                message,
            });
        }
    }
    Invalid(errors)
}

/// Saves answers on a draft (its assessor's), and scores it live.
pub async fn answer(
    app: &App,
    actor: &Actor,
    id: AssessmentId,
    input: AnswersInput,
) -> AppResult<Assessing> {
    let mut tx = app.db.write().await?;
    let (_, draft) = own_draft(&mut tx, app, actor, id).await?;
    let mut given = draft.row.answers.clone();
    for (item, answer) in input.answers {
        match answer {
            Some(a) => given.insert(item, a),
            None => given.remove(&item),
        };
    }
    let answers: Answers = read_all(&draft.definition, &given).map_err(answer_errors)?;
    score(&draft.definition, &answers, draft.row.population.as_deref())
        .map_err(|refused| constraint_errors(&draft.definition, refused))?;
    let kept: GivenAnswers = answers
        .iter()
        .map(|(k, a)| (k.clone(), a.given()))
        .collect();
    if !store::save_answers(&mut tx, &app.keys, id, input.version, &kept, app.now()).await? {
        return Err(AppError::StaleVersion("assessment"));
    }
    audit::record(
        &mut tx,
        actor,
        Action::AssessmentUpdate
            .on(id)
            .because(format!("{} answered", kept.len())),
    );
    let saved = assessing(&mut tx, app, id).await?;
    tx.commit().await?;
    Ok(saved)
}

/// Completes and signs a draft: every item that is not optional answered.
pub async fn complete(
    app: &App,
    actor: &Actor,
    id: AssessmentId,
    version: i64,
) -> AppResult<Assessing> {
    let mut tx = app.db.write().await?;
    let (case, draft) = own_draft(&mut tx, app, actor, id).await?;
    if !draft.scored.unanswered.is_empty() {
        return Err(Invalid(
            draft
                .scored
                .unanswered
                .iter()
                .map(|item| FieldError {
                    field: format!("answers.{item}"),
                    message: "needs an answer before the assessment is completed".into(),
                })
                .collect(),
        )
        .into());
    }
    if !store::complete(&mut tx, &app.keys, id, version, &draft.scored, app.now()).await? {
        return Err(AppError::StaleVersion("assessment"));
    }
    let names_needs = !draft.scored.needs.is_empty();
    super::reassessment::after_completion(&mut tx, app, actor, &case, names_needs).await?;
    let level = draft
        .scored
        .level
        .as_ref()
        .map_or("no level", |l| l.name.as_str());
    audit::record(
        &mut tx,
        actor,
        Action::AssessmentComplete.on(id).because(level),
    );
    let done = assessing(&mut tx, app, id).await?;
    tx.commit().await?;
    Ok(done)
}

/// The supervision level a case's latest completed assessment recommends,
/// read in the caller's transaction.
pub async fn recommended_level(
    tx: &mut Tx,
    app: &App,
    case: CaseId,
) -> Result<Option<SupervisionLevel>, sqlx::Error> {
    Ok(store::standing_level(tx, case)
        .await?
        .and_then(|level| app.settings.assessments.recommends(&level)))
}

/// An assessment on a case the actor holds (and so may change), with the
/// case, read in the caller's transaction; otherwise "not found" or refused.
pub(super) async fn checked(
    tx: &mut Tx,
    app: &App,
    actor: &Actor,
    id: AssessmentId,
) -> AppResult<(CaseRow, Assessing)> {
    let case = readable(tx, actor, id).await?;
    policy::casework::change_case(actor, &case)?;
    Ok((case, assessing(tx, app, id).await?))
}

/// One scale's scores over time, oldest first.
#[derive(Debug, Clone)]
pub struct ScaleHistory {
    pub instrument: String,
    pub scale: String,
    pub points: Vec<ScorePoint>,
}

/// A completed assessment's score on a scale.
#[derive(Debug, Clone, Copy)]
pub struct ScorePoint {
    pub on: chrono::NaiveDate,
    pub score: i64,
    /// False: a lower bound (not every item counting toward it answered).
    pub complete: bool,
}

/// The latest completed assessment's result and what produced it.
#[derive(Debug, Clone)]
pub struct LatestResult {
    pub instrument: String,
    pub completed_at: chrono::DateTime<chrono::Utc>,
    /// The level that stands (an approved override's, else the computed one).
    pub level: Option<String>,
    /// The factors that weigh most (at most ten): label and points.
    pub factors: Vec<(String, i64)>,
}

/// A participant's assessments over time: each scale's history and the
/// latest result's factors.
#[derive(Debug, Clone, Default)]
pub struct AssessmentHistory {
    pub scales: Vec<ScaleHistory>,
    pub latest: Option<LatestResult>,
}

/// The completed assessments of `cases` the actor may read, as each scale's
/// history and the latest result; each case read is audited.
pub async fn history_of(
    tx: &mut Tx,
    app: &App,
    actor: &Actor,
    cases: &[CaseRow],
) -> AppResult<AssessmentHistory> {
    let mut completed = Vec::new();
    for case in cases {
        if policy::assessments::read_assessments(actor, case).is_ok() {
            let rows = store::of_case(tx, &app.keys, case.id).await?;
            if !rows.is_empty() {
                audit::record(tx, actor, Action::AssessmentList.on(case.id));
            }
            completed.extend(rows.into_iter().filter(|r| r.completed_at.is_some()));
        }
    }
    completed.sort_by_key(|r| r.completed_at);
    let mut definitions: BTreeMap<InstrumentId, Definition> = BTreeMap::new();
    let used: std::collections::BTreeSet<InstrumentId> =
        completed.iter().map(|r| r.instrument).collect();
    for version in instruments::all(tx).await? {
        if used.contains(&version.id) {
            definitions.insert(version.id, definition_of(tx, &version).await?);
        }
    }
    let zone = app.settings.zone();
    let mut scales: Vec<ScaleHistory> = Vec::new();
    for row in &completed {
        let (Some(result), Some(at), Some(def)) = (
            &row.result,
            row.completed_at,
            definitions.get(&row.instrument),
        ) else {
            continue;
        };
        for s in &result.scales {
            let title = def
                .scales
                .iter()
                .find(|d| d.id == s.scale)
                .map_or_else(|| s.scale.clone(), |d| d.title.en.clone());
            let point = ScorePoint {
                on: at.with_timezone(&zone).date_naive(),
                score: s.score(),
                complete: s.complete,
            };
            match scales
                .iter_mut()
                .find(|h| h.instrument == row.instrument_name && h.scale == title)
            {
                Some(h) => h.points.push(point),
                None => scales.push(ScaleHistory {
                    instrument: row.instrument_name.clone(),
                    scale: title,
                    points: vec![point],
                }),
            }
        }
    }
    let latest = completed.last().and_then(|row| {
        let (result, def, completed_at) = (
            row.result.as_ref()?,
            definitions.get(&row.instrument)?,
            row.completed_at?,
        );
        Some(LatestResult {
            instrument: row.instrument_name.clone(),
            completed_at,
            level: row.effective_level().map(str::to_owned),
            factors: result
                .factors
                .iter()
                .take(10)
                .map(|f| (factor_label(def, &f.id, &row.answers), f.points))
                .collect(),
        })
    });
    Ok(AssessmentHistory { scales, latest })
}
