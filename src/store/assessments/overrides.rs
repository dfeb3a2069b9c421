//! Proposed overrides of an assessment's level, and supervisors' decisions.

use crate::domain::assessments::recommendation::OverrideDecision;
use crate::domain::ids::{AssessmentId, OverrideId, UserId};
use crate::store::Tx;
use crate::store::{exec, fetch};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OverrideRow {
    pub id: OverrideId,
    pub assessment_id: AssessmentId,
    pub level: String,
    pub reason_code: String,
    pub reason: String,
    pub proposed_by: UserId,
    pub proposer: String,
    pub proposed_at: DateTime<Utc>,
    /// `None` while it waits.
    pub decision: Option<OverrideDecision>,
    pub decider: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_note: Option<String>,
}

const SELECT: &str = "SELECT o.id, o.assessment_id, o.level, o.reason_code, o.reason, \
                      o.proposed_by, p.full_name AS proposer, o.proposed_at, o.decision, \
                      d.full_name AS decider, o.decided_at, o.decision_note FROM \
                      assessment_overrides o JOIN users p ON p.id = o.proposed_by LEFT JOIN users \
                      d ON d.id = o.decided_by";

pub struct NewOverride<'a> {
    pub id: OverrideId,
    pub assessment_id: AssessmentId,
    pub level: &'a str,
    pub reason_code: &'a str,
    pub reason: &'a str,
    pub proposed_by: UserId,
}

/// Stores a proposal (the partial unique index refuses a second one waiting).
pub async fn insert(
    tx: &mut Tx,
    o: &NewOverride<'_>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    exec!(
        tx,
        sqlx::query(
            "INSERT INTO assessment_overrides (id, assessment_id, level, reason_code, reason, \
             proposed_by, proposed_at) VALUES ($1, $2, $3, $4, $5, $6, $7)"
        )
        .bind(o.id)
        .bind(o.assessment_id)
        .bind(o.level)
        .bind(o.reason_code)
        .bind(o.reason)
        .bind(o.proposed_by)
        .bind(now)
    )?;
    Ok(())
}

pub async fn get(tx: &mut Tx, id: OverrideId) -> Result<Option<OverrideRow>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE o.id = $1");
    fetch!(tx, fetch_optional, sqlx::query_as(&sql).bind(id))
}

/// An assessment's proposals, oldest first.
pub async fn of_assessment(
    tx: &mut Tx,
    assessment: AssessmentId,
) -> Result<Vec<OverrideRow>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE o.assessment_id = $1 ORDER BY o.proposed_at, o.id");
    fetch!(tx, fetch_all, sqlx::query_as(&sql).bind(assessment))
}

/// Records a decision on a proposal still waiting; false if it was decided.
pub async fn decide(
    tx: &mut Tx,
    id: OverrideId,
    decision: OverrideDecision,
    by: UserId,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let n = exec!(
        tx,
        sqlx::query(
            "UPDATE assessment_overrides SET decision = $1, decided_by = $2, decided_at = $3, \
             decision_note = $4 WHERE id = $5 AND decision IS NULL"
        )
        .bind(decision)
        .bind(by)
        .bind(now)
        .bind(note)
        .bind(id)
    )?;
    Ok(n == 1)
}
