//! Assessments on a case: drafts saved as they are answered, completed
//! ones with the result kept. Answers and results are sealed.

use crate::domain::assessments::scoring::{Given, Scored};
use crate::domain::ids::{AssessmentId, CaseId, InstrumentId, UserId};
use crate::keyring::KeyRing;
use crate::store::sealed::{ASSESSMENT_ANSWERS, ASSESSMENT_RESULT};
use crate::store::Tx;
use crate::store::{exec, fetch};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// Answers as they are kept: what each item was given, by item id.
pub type GivenAnswers = BTreeMap<String, Given>;

/// An assessment, opened.
#[derive(Debug, Clone)]
pub struct AssessmentRow {
    pub id: AssessmentId,
    pub case_id: CaseId,
    /// The instrument version's row, pinned.
    pub instrument: InstrumentId,
    /// The definition's own id and version, and its name.
    pub instrument_id: String,
    pub instrument_version: i32,
    pub instrument_name: String,
    /// SHA-256 of the definition's text when the assessment started.
    pub digest: String,
    pub population: Option<String>,
    pub answers: GivenAnswers,
    /// Kept at completion.
    pub result: Option<Scored>,
    /// The computed risk level's name, once completed.
    pub level: Option<String>,
    /// The level an approved override gives, if one does.
    pub override_level: Option<String>,
    /// Whether a proposed override waits for a supervisor.
    pub override_waiting: bool,
    pub assessor_id: UserId,
    pub assessor: String,
    pub started_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    pub version: i64,
    /// Joined for display.
    pub case_number: String,
    pub person_name: String,
}

impl AssessmentRow {
    /// The level that stands: an approved override's, else the computed one.
    pub fn effective_level(&self) -> Option<&str> {
        self.override_level.as_deref().or(self.level.as_deref())
    }
}

#[derive(sqlx::FromRow)]
struct Stored {
    id: AssessmentId,
    case_id: CaseId,
    instrument: InstrumentId,
    instrument_id: String,
    instrument_version: i32,
    instrument_name: String,
    digest: String,
    population: Option<String>,
    answers: String,
    result: Option<String>,
    level: Option<String>,
    override_level: Option<String>,
    override_waiting: bool,
    assessor_id: UserId,
    assessor: String,
    started_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    completed_at: Option<DateTime<Utc>>,
    version: i64,
    case_number: String,
    person_name: String,
}

fn decode<T: serde::de::DeserializeOwned>(json: &str) -> Result<T, sqlx::Error> {
    serde_json::from_str(json).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

fn encode<T: serde::Serialize>(value: &T) -> Result<String, sqlx::Error> {
    serde_json::to_string(value).map_err(|e| sqlx::Error::Encode(Box::new(e)))
}

impl Stored {
    fn open(self, keys: &KeyRing) -> Result<AssessmentRow, sqlx::Error> {
        let answers = decode(&ASSESSMENT_ANSWERS.open(keys, self.id, &self.answers)?)?;
        let result = self
            .result
            .map(|r| {
                ASSESSMENT_RESULT
                    .open(keys, self.id, &r)
                    .and_then(|r| decode(&r))
            })
            .transpose()?;
        Ok(AssessmentRow {
            id: self.id,
            case_id: self.case_id,
            instrument: self.instrument,
            instrument_id: self.instrument_id,
            instrument_version: self.instrument_version,
            instrument_name: self.instrument_name,
            digest: self.digest,
            population: self.population,
            answers,
            result,
            level: self.level,
            override_level: self.override_level,
            override_waiting: self.override_waiting,
            assessor_id: self.assessor_id,
            assessor: self.assessor,
            started_at: self.started_at,
            updated_at: self.updated_at,
            completed_at: self.completed_at,
            version: self.version,
            case_number: self.case_number,
            person_name: self.person_name,
        })
    }
}

const SELECT: &str = "SELECT a.id, a.case_id, a.instrument, i.instrument_id, i.version AS \
                      instrument_version, i.name AS instrument_name, a.digest, a.population, \
                      a.answers, a.result, a.level, (SELECT o.level FROM assessment_overrides o \
                      WHERE o.assessment_id = a.id AND o.decision = 'approved' ORDER BY \
                      o.decided_at DESC LIMIT 1) AS override_level, EXISTS (SELECT 1 FROM \
                      assessment_overrides o WHERE o.assessment_id = a.id AND o.decision IS \
                      NULL) AS override_waiting, a.assessor_id, u.full_name AS assessor, \
                      a.started_at, a.updated_at, a.completed_at, a.version, c.case_number, \
                      p.last_name || ', ' || p.first_name AS person_name FROM assessments a JOIN \
                      instruments i ON i.id = a.instrument JOIN users u ON u.id = a.assessor_id \
                      JOIN cases c ON c.id = a.case_id JOIN people p ON p.id = c.person_id";

/// An assessment to start.
pub struct NewAssessment<'a> {
    pub id: AssessmentId,
    pub case_id: CaseId,
    pub instrument: InstrumentId,
    pub digest: &'a str,
    pub population: Option<&'a str>,
    pub answers: &'a GivenAnswers,
    pub assessor_id: UserId,
    /// Completed already with this result and level (the demo's history).
    pub completed: Option<(&'a Scored, DateTime<Utc>)>,
}

const INSERT: &[&str] = &[
    "id",
    "case_id",
    "instrument",
    "digest",
    "population",
    "answers",
    "result",
    "level",
    "assessor_id",
    "started_at",
    "updated_at",
    "completed_at",
];

/// Stores assessments started (or, for the demo's history, completed) at `now`.
pub async fn insert_many(
    tx: &mut Tx,
    keys: &KeyRing,
    rows: &[NewAssessment<'_>],
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    for chunk in rows.chunks(crate::store::sql::rows_per_insert(INSERT.len())) {
        let mut sealed = Vec::with_capacity(chunk.len());
        for a in chunk {
            let result = match a.completed {
                Some((scored, _)) => Some(ASSESSMENT_RESULT.seal(keys, a.id, &encode(scored)?)),
                None => None,
            };
            let answers = ASSESSMENT_ANSWERS.seal(keys, a.id, &encode(a.answers)?);
            sealed.push((answers, result));
        }
        let sql = crate::store::sql::insert_sql(tx.dialect(), "assessments", INSERT, chunk.len());
        exec!(
            tx,
            chunk
                .iter()
                .zip(&sealed)
                .fold(sqlx::query(&sql), |q, (a, (answers, result))| {
                    let completed_at = a.completed.map(|(_, at)| at);
                    let level = a
                        .completed
                        .and_then(|(scored, _)| scored.level.as_ref().map(|l| l.name.clone()));
                    q.bind(a.id)
                        .bind(a.case_id)
                        .bind(a.instrument)
                        .bind(a.digest)
                        .bind(a.population)
                        .bind(answers.clone())
                        .bind(result.clone())
                        .bind(level)
                        .bind(a.assessor_id)
                        .bind(completed_at.unwrap_or(now))
                        .bind(completed_at.unwrap_or(now))
                        .bind(completed_at)
                })
        )?;
    }
    Ok(())
}

pub async fn get(
    tx: &mut Tx,
    keys: &KeyRing,
    id: AssessmentId,
) -> Result<Option<AssessmentRow>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE a.id = $1");
    let row: Option<Stored> = fetch!(tx, fetch_optional, sqlx::query_as(&sql).bind(id))?;
    row.map(|r| r.open(keys)).transpose()
}

/// The case an assessment is on (nothing sealed read).
pub async fn case_of(tx: &mut Tx, id: AssessmentId) -> Result<Option<CaseId>, sqlx::Error> {
    fetch!(
        tx,
        fetch_optional,
        sqlx::query_scalar("SELECT case_id FROM assessments WHERE id = $1").bind(id)
    )
}

/// A case's assessments, newest first.
pub async fn of_case(
    tx: &mut Tx,
    keys: &KeyRing,
    case: CaseId,
) -> Result<Vec<AssessmentRow>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE a.case_id = $1 ORDER BY a.started_at DESC, a.id");
    let rows: Vec<Stored> = fetch!(tx, fetch_all, sqlx::query_as(&sql).bind(case))?;
    rows.into_iter().map(|r| r.open(keys)).collect()
}

/// The level that stands on a case's latest completed assessment (an
/// approved override's, else the computed one), if any.
pub async fn standing_level(tx: &mut Tx, case: CaseId) -> Result<Option<String>, sqlx::Error> {
    let level: Option<Option<String>> = fetch!(
        tx,
        fetch_optional,
        sqlx::query_scalar(
            "SELECT COALESCE((SELECT o.level FROM assessment_overrides o WHERE o.assessment_id = \
             a.id AND o.decision = 'approved' ORDER BY o.decided_at DESC LIMIT 1), a.level) FROM \
             assessments a WHERE a.case_id = $1 AND a.completed_at IS NOT NULL ORDER BY \
             a.completed_at DESC LIMIT 1"
        )
        .bind(case)
    )?;
    Ok(level.flatten())
}

/// A completed assessment as the timeline tells it (nothing sealed read).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Completed {
    pub completed_at: DateTime<Utc>,
    pub instrument_name: String,
    pub instrument_version: i32,
    pub level: Option<String>,
    /// The level an approved override gives, if one does.
    pub override_level: Option<String>,
    pub assessor: String,
}

/// A case's latest `limit` completed assessments, newest first.
pub async fn completed_of_case(
    tx: &mut Tx,
    case: CaseId,
    limit: i64,
) -> Result<Vec<Completed>, sqlx::Error> {
    fetch!(
        tx,
        fetch_all,
        sqlx::query_as(
            "SELECT a.completed_at, i.name AS instrument_name, i.version AS instrument_version, \
             a.level, (SELECT o.level FROM assessment_overrides o WHERE o.assessment_id = a.id \
             AND o.decision = 'approved' ORDER BY o.decided_at DESC LIMIT 1) AS override_level, \
             u.full_name AS assessor FROM assessments a JOIN instruments i ON i.id = \
             a.instrument JOIN users u ON u.id = a.assessor_id WHERE a.case_id = $1 AND \
             a.completed_at IS NOT NULL ORDER BY a.completed_at DESC LIMIT $2"
        )
        .bind(case)
        .bind(limit)
    )
}

/// Whether a case has a completed assessment.
pub async fn any_completed(tx: &mut Tx, case: CaseId) -> Result<bool, sqlx::Error> {
    let found: Option<AssessmentId> = fetch!(
        tx,
        fetch_optional,
        sqlx::query_scalar(
            "SELECT id FROM assessments WHERE case_id = $1 AND completed_at IS NOT NULL LIMIT 1"
        )
        .bind(case)
    )?;
    Ok(found.is_some())
}

/// Saves a draft's answers; false if it is not at `version` or not a draft.
pub async fn save_answers(
    tx: &mut Tx,
    keys: &KeyRing,
    id: AssessmentId,
    version: i64,
    answers: &GivenAnswers,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let n = exec!(
        tx,
        sqlx::query(
            "UPDATE assessments SET answers = $1, updated_at = $2, version = version + 1 WHERE id \
             = $3 AND version = $4 AND completed_at IS NULL"
        )
        .bind(ASSESSMENT_ANSWERS.seal(keys, id, &encode(answers)?))
        .bind(now)
        .bind(id)
        .bind(version)
    )?;
    Ok(n == 1)
}

/// Completes a draft with its result; false if it is not at `version` or
/// not a draft.
pub async fn complete(
    tx: &mut Tx,
    keys: &KeyRing,
    id: AssessmentId,
    version: i64,
    result: &Scored,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let n = exec!(
        tx,
        sqlx::query(
            "UPDATE assessments SET result = $1, level = $2, completed_at = $3, updated_at = $3, \
             version = version + 1 WHERE id = $4 AND version = $5 AND completed_at IS NULL"
        )
        .bind(ASSESSMENT_RESULT.seal(keys, id, &encode(result)?))
        .bind(result.level.as_ref().map(|l| l.name.as_str()))
        .bind(now)
        .bind(id)
        .bind(version)
    )?;
    Ok(n == 1)
}
