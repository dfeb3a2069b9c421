//! Conditions and the progress toward them; programs' standard conditions.

use crate::app::casework::conditions as app_conditions;
use crate::domain::casework::conditions::{
    ConditionKind, ConditionStatus, CourtAction, Unit, Verification,
};
use crate::domain::ids::{CaseId, ConditionId};
use crate::store::casework::conditions::TemplateRow;
use crate::web::api::views::all;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

/// One condition as shown.
#[derive(Debug, Serialize, utoipa::ToSchema)]
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

impl From<app_conditions::ConditionView> for ConditionView {
    fn from(r: app_conditions::ConditionView) -> Self {
        Self {
            id: r.id,
            case_id: r.case_id,
            kind: r.kind,
            title: r.title,
            details: r.details,
            target: r.target,
            unit: r.unit,
            done: r.done,
            percent: r.percent,
            start_date: r.start_date,
            due_date: r.due_date,
            status: r.status,
            behind_schedule: r.behind_schedule,
            marked_met_at: r.marked_met_at,
            court_action: r.court_action,
            court_order_date: r.court_order_date,
            court_order_reason: r.court_order_reason,
            entries: r.entries,
            version: r.version,
        }
    }
}

/// A case's conditions at a glance.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Summary {
    /// Conditions not waived.
    pub total: usize,
    pub met: usize,
    pub overdue: usize,
    pub behind_schedule: usize,
    pub waived: usize,
}

impl From<app_conditions::Summary> for Summary {
    fn from(r: app_conditions::Summary) -> Self {
        Self {
            total: r.total,
            met: r.met,
            overdue: r.overdue,
            behind_schedule: r.behind_schedule,
            waived: r.waived,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CaseConditions {
    pub summary: Summary,
    pub conditions: Vec<ConditionView>,
}

impl From<app_conditions::CaseConditions> for CaseConditions {
    fn from(r: app_conditions::CaseConditions) -> Self {
        Self {
            summary: r.summary.into(),
            conditions: all(r.conditions),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProgressView {
    pub occurred_on: NaiveDate,
    pub amount: Option<f64>,
    pub verification: Verification,
    pub note: Option<String>,
    pub recorded_by: Option<String>,
    pub recorded_at: DateTime<Utc>,
}

impl From<app_conditions::ProgressView> for ProgressView {
    fn from(r: app_conditions::ProgressView) -> Self {
        Self {
            occurred_on: r.occurred_on,
            amount: r.amount,
            verification: r.verification,
            note: r.note,
            recorded_by: r.recorded_by,
            recorded_at: r.recorded_at,
        }
    }
}

/// One condition with its progress entries.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ConditionRecord {
    #[serde(flatten)]
    pub condition: ConditionView,
    pub progress: Vec<ProgressView>,
}

impl From<app_conditions::ConditionRecord> for ConditionRecord {
    fn from(r: app_conditions::ConditionRecord) -> Self {
        Self {
            condition: r.condition.into(),
            progress: all(r.progress),
        }
    }
}

/// A program's standard condition.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StandardCondition {
    pub kind: ConditionKind,
    pub title: String,
    pub target: Option<f64>,
    pub unit: Option<Unit>,
    /// Due this many days after the case starts.
    pub due_days: Option<i32>,
}

impl From<TemplateRow> for StandardCondition {
    fn from(t: TemplateRow) -> Self {
        Self {
            kind: t.kind,
            title: t.title,
            target: t.target.map(|(q, _)| q.as_f64()),
            unit: t.target.map(|(_, u)| u),
            due_days: t.due_days,
        }
    }
}
