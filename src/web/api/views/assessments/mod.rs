//! Risk and needs instruments and assessments, as the API returns them.

pub mod case_plans;

use crate::app::assessments::case_assessments::Assessing;
use crate::domain::assessments::instrument::Definition;
use crate::domain::assessments::recommendation::OverrideDecision;
use crate::domain::assessments::scoring::{Given, Scored};
use crate::domain::casework::supervision::SupervisionLevel;
use crate::domain::ids::{AssessmentId, CaseId, InstrumentId, OverrideId};
use crate::labelled_enum;
use crate::store::assessments::case_assessments::AssessmentRow;
use crate::store::assessments::instruments::InstrumentRow;
use crate::store::assessments::overrides::OverrideRow;
use crate::web::api::views::all;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;

/// One version of an instrument loaded.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Instrument {
    pub id: InstrumentId,
    /// The definition's own id, stable across versions (e.g. `bw-needs`).
    pub instrument_id: String,
    pub version: i32,
    pub name: String,
    /// SHA-256 of the definition's text: what an assessment under it pins.
    pub digest: String,
    pub imported_at: DateTime<Utc>,
    /// Set once retired: it starts no new assessment.
    pub retired_at: Option<DateTime<Utc>>,
}

impl From<InstrumentRow> for Instrument {
    fn from(r: InstrumentRow) -> Self {
        Self {
            id: r.id,
            instrument_id: r.instrument_id,
            version: r.version,
            name: r.name,
            digest: r.digest,
            imported_at: r.imported_at,
            retired_at: r.retired_at,
        }
    }
}

/// One version of an instrument with its definition: sections, items
/// (their text, answer type, choices, bands, prefills), scales,
/// combinations, constraints and levels, as the format in
/// docs/INSTRUMENTS.md names them.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct InstrumentDefinition {
    pub instrument: Instrument,
    #[schema(value_type = Object)]
    pub definition: Definition,
}

labelled_enum! {
    /// Where an assessment stands.
    pub enum Stage ("assessment stage") {
        Draft => ("draft", "Draft"),
        Completed => ("completed", "Completed"),
    }
}

impl Stage {
    fn of(row: &AssessmentRow) -> Self {
        if row.completed_at.is_some() {
            Self::Completed
        } else {
            Self::Draft
        }
    }
}

/// An assessment in a case's list.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AssessmentSummary {
    pub id: AssessmentId,
    pub case_id: CaseId,
    /// The definition's id and version, pinned.
    pub instrument_id: String,
    pub instrument_version: i32,
    pub instrument_name: String,
    pub stage: Stage,
    /// The computed risk level, once completed.
    pub level: Option<String>,
    /// The level an approved override gives, if one does.
    pub override_level: Option<String>,
    /// A proposed level waits for a supervisor.
    pub override_waiting: bool,
    pub assessor: String,
    pub started_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
}

impl From<AssessmentRow> for AssessmentSummary {
    fn from(r: AssessmentRow) -> Self {
        Self {
            id: r.id,
            case_id: r.case_id,
            stage: Stage::of(&r),
            instrument_id: r.instrument_id,
            instrument_version: r.instrument_version,
            instrument_name: r.instrument_name,
            level: r.level,
            override_level: r.override_level,
            override_waiting: r.override_waiting,
            assessor: r.assessor,
            started_at: r.started_at,
            completed_at: r.completed_at,
        }
    }
}

/// A proposed level other than the computed one, and its decision.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Override {
    pub id: OverrideId,
    pub level: String,
    pub reason_code: String,
    pub reason: String,
    pub proposer: String,
    pub proposed_at: DateTime<Utc>,
    /// `null` while it waits for a supervisor.
    pub decision: Option<OverrideDecision>,
    pub decider: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_note: Option<String>,
}

impl From<OverrideRow> for Override {
    fn from(o: OverrideRow) -> Self {
        Self {
            id: o.id,
            level: o.level,
            reason_code: o.reason_code,
            reason: o.reason,
            proposer: o.proposer,
            proposed_at: o.proposed_at,
            decision: o.decision,
            decider: o.decider,
            decided_at: o.decided_at,
            decision_note: o.decision_note,
        }
    }
}

/// An assessment whole: its answers, its score (kept at completion, live
/// for a draft), proposals of another level, and the supervision level it
/// recommends.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Assessment {
    #[serde(flatten)]
    pub summary: AssessmentSummary,
    /// SHA-256 of the instrument's definition, pinned when it started.
    pub digest: String,
    /// The population whose cut-offs apply; the default's if none.
    pub population: Option<String>,
    /// Answers by item id.
    pub answers: BTreeMap<String, Given>,
    pub scored: Scored,
    /// The supervision level the standing level recommends (completed only).
    pub recommended_supervision_level: Option<SupervisionLevel>,
    pub overrides: Vec<Override>,
    /// Send it back with answers and to complete; a stale one is refused.
    pub version: i64,
}

impl From<Assessing> for Assessment {
    fn from(a: Assessing) -> Self {
        let answers = a.row.answers.clone();
        let (digest, population, version) = (
            a.row.digest.clone(),
            a.row.population.clone(),
            a.row.version,
        );
        Self {
            summary: a.row.into(),
            digest,
            population,
            answers,
            scored: a.scored,
            recommended_supervision_level: a.recommended,
            overrides: all(a.overrides),
            version,
        }
    }
}
