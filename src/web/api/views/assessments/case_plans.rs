//! Case plans as the API returns them: versions, their goals and steps with
//! where each stands, what changed, and the progress recorded.

use crate::app::assessments::case_plans::{CasePlans, Domain, Linkable, PlanView, Standing};
use crate::domain::assessments::case_plans::{
    Agreement, Change, ChangeKind, Goal, GoalStatus, ItemKind, ItemStatus, Link, PlanKind, Stage,
    Step, StepOwner, StepStatus,
};
use crate::domain::assessments::scoring::Need;
use crate::domain::ids::{AssessmentId, CaseId, PlanId, PlanItemId, PlanUpdateId};
use crate::store::assessments::case_plans::{PlanRow, ProgressRow};
use crate::web::api::views::all;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

/// A version in a case's list.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CasePlanSummary {
    pub id: PlanId,
    pub case_id: CaseId,
    /// 1 for the initial plan, then one more for each version.
    pub number: i32,
    pub kind: PlanKind,
    pub stage: Stage,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub signed_by: Option<String>,
    pub signed_at: Option<DateTime<Utc>>,
    /// A high-risk case's plan needs a supervisor's countersignature.
    pub countersign_needed: bool,
    pub countersigned_by: Option<String>,
    pub countersigned_at: Option<DateTime<Utc>>,
    /// The participant's answer, once recorded.
    pub agreement: Option<Agreement>,
    pub agreement_on: Option<NaiveDate>,
}

impl CasePlanSummary {
    fn of(r: &PlanRow, stage: Stage) -> Self {
        Self {
            id: r.id,
            case_id: r.case_id,
            number: r.number,
            kind: r.kind,
            stage,
            created_by: r.creator.clone(),
            created_at: r.created_at,
            signed_by: r.signer.clone(),
            signed_at: r.signed_at,
            countersign_needed: r.countersign_needed,
            countersigned_by: r.countersigner.clone(),
            countersigned_at: r.countersigned_at,
            agreement: r.agreement,
            agreement_on: r.agreement_on,
        }
    }
}

/// A case's plan: its versions, newest first, and when it is next due for
/// review.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CasePlanList {
    pub case_id: CaseId,
    /// The next review (or the first plan) is due by this day.
    pub review_by: Option<NaiveDate>,
    pub versions: Vec<CasePlanSummary>,
}

impl From<CasePlans> for CasePlanList {
    fn from(p: CasePlans) -> Self {
        Self {
            case_id: p.case.id,
            review_by: p.review_by,
            versions: p
                .versions
                .iter()
                .map(|(r, stage)| CasePlanSummary::of(r, *stage))
                .collect(),
        }
    }
}

/// A need domain a goal may answer, and what the plan's assessment found.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NeedDomain {
    pub id: String,
    pub title: String,
    pub need: Need,
}

impl From<Domain> for NeedDomain {
    fn from(d: Domain) -> Self {
        Self {
            id: d.id,
            title: d.title,
            need: d.need,
        }
    }
}

/// A goal with its steps and where it stands.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PlanGoal {
    /// The same goal's key in every version (progress is recorded on it).
    pub key: PlanItemId,
    pub domain: String,
    pub related: Vec<String>,
    pub outcome: String,
    pub target: NaiveDate,
    pub status: GoalStatus,
    /// Who last set its status, and when.
    pub status_set_by: Option<String>,
    pub status_set_at: Option<DateTime<Utc>>,
    pub steps: Vec<PlanStep>,
}

/// A step and where it stands.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PlanStep {
    pub key: PlanItemId,
    pub action: String,
    pub owner: StepOwner,
    pub owner_name: Option<String>,
    pub due: Option<NaiveDate>,
    pub link: Option<Link>,
    pub status: StepStatus,
    /// The evidence its status follows, when it is linked.
    pub follows: Option<String>,
    /// Who last set its status by hand, and when (not for a linked step).
    pub status_set_by: Option<String>,
    pub status_set_at: Option<DateTime<Utc>>,
}

/// One difference from the version before.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PlanChange {
    pub kind: ChangeKind,
    pub item: ItemKind,
    pub key: PlanItemId,
    pub text: String,
    /// The fields that changed, for a changed item.
    pub fields: Vec<String>,
}

impl From<Change> for PlanChange {
    fn from(c: Change) -> Self {
        Self {
            kind: c.kind,
            item: c.item,
            key: c.key,
            text: c.text,
            fields: c.fields.into_iter().map(str::to_owned).collect(),
        }
    }
}

/// Progress recorded on a goal or step.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PlanProgress {
    pub id: PlanUpdateId,
    pub item: PlanItemId,
    pub on: NaiveDate,
    /// The status it gave, if it gave one.
    pub status: Option<String>,
    pub note: Option<String>,
    pub author: String,
    pub at: DateTime<Utc>,
}

impl From<ProgressRow> for PlanProgress {
    fn from(p: ProgressRow) -> Self {
        Self {
            id: p.id,
            item: p.item,
            on: p.on,
            status: p.status,
            note: p.note,
            author: p.author,
            at: p.at,
        }
    }
}

/// Evidence of the case a step may be linked to.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PlanEvidence {
    pub link: Link,
    pub name: String,
}

impl From<Linkable> for PlanEvidence {
    fn from(l: Linkable) -> Self {
        Self {
            link: l.link,
            name: l.name,
        }
    }
}

/// A version whole.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CasePlan {
    #[serde(flatten)]
    pub summary: CasePlanSummary,
    /// The assessment whose needs it answers.
    pub assessment_id: Option<AssessmentId>,
    pub agreement_comment: Option<String>,
    /// The need domains its goals may answer.
    pub domains: Vec<NeedDomain>,
    pub goals: Vec<PlanGoal>,
    /// What changed from the version before (none for the first).
    pub changes: Vec<PlanChange>,
    /// Progress on its goals and steps, newest first.
    pub progress: Vec<PlanProgress>,
    /// The case's conditions and series a step may follow.
    pub evidence: Vec<PlanEvidence>,
    /// Send it back to save, sign, countersign or record an agreement.
    pub version: i64,
}

fn goal_status(s: Option<&Standing>) -> GoalStatus {
    match s.map(|s| s.status) {
        Some(ItemStatus::Goal(g)) => g,
        _ => GoalStatus::Active,
    }
}

fn set_by(s: Option<&Standing>) -> Option<String> {
    s.and_then(|s| s.set.as_ref().map(|(by, _)| by.clone()))
}

fn step_of(p: &PlanView, s: &Step) -> PlanStep {
    let standing = p.status_of(s.key);
    PlanStep {
        key: s.key,
        action: s.action.clone(),
        owner: s.owner,
        owner_name: s.owner_name.clone(),
        due: s.due,
        link: s.link,
        status: match standing.map(|s| s.status) {
            Some(ItemStatus::Step(status)) => status,
            _ => StepStatus::NotStarted,
        },
        follows: standing.and_then(|s| s.follows.clone()),
        status_set_by: set_by(standing),
        status_set_at: standing.and_then(|s| s.set.as_ref().map(|(_, at)| *at)),
    }
}

fn goal_of(p: &PlanView, g: &Goal) -> PlanGoal {
    PlanGoal {
        key: g.key,
        domain: g.domain.clone(),
        related: g.related.clone(),
        outcome: g.outcome.clone(),
        target: g.target,
        status: goal_status(p.status_of(g.key)),
        status_set_by: set_by(p.status_of(g.key)),
        status_set_at: p
            .status_of(g.key)
            .and_then(|s| s.set.as_ref().map(|(_, at)| *at)),
        steps: g.steps.iter().map(|s| step_of(p, s)).collect(),
    }
}

impl From<PlanView> for CasePlan {
    fn from(p: PlanView) -> Self {
        let goals = p.row.content.goals.iter().map(|g| goal_of(&p, g)).collect();
        Self {
            summary: CasePlanSummary::of(&p.row, p.stage),
            assessment_id: p.row.assessment_id,
            agreement_comment: p.row.agreement_comment.clone(),
            version: p.row.version,
            goals,
            domains: all(p.domains),
            changes: all(p.changes),
            progress: all(p.progress),
            evidence: all(p.linkable),
        }
    }
}
