//! Reassessment by the program's rule: the day a case's next assessment is
//! due is kept on the case (the alert sweep raises "due soon" and
//! "overdue" from it), moved by a completed assessment and by changes of
//! status; a completed assessment settles the alerts it answers. A
//! completed assessment also makes the case plan's review (or its first
//! plan) due within a month, and leaving the program makes none due.

use crate::app::{Actor, App, AppResult};
use crate::domain::assessments::case_plans::review_after_assessment;
use crate::domain::assessments::reassessment::{due_after_event, next_after};
use crate::domain::casework::alerts::Rule;
use crate::domain::casework::cases::CaseStatus;
use crate::store::assessments::case_assessments;
use crate::store::casework::alerts;
use crate::store::casework::cases::{self, CaseRow, Due};
use crate::store::programs;
use crate::store::Tx;

/// The months between assessments the case's program asks for, if any.
async fn rule_of(tx: &mut Tx, case: &CaseRow) -> AppResult<Option<u32>> {
    let program = programs::get(tx, case.program_id).await?;
    Ok(program
        .and_then(|p| p.reassess_months)
        .and_then(|m| u32::try_from(m).ok()))
}

/// After an assessment on `case` is completed: the next is due by the
/// rule (or none), and the case's "due" and "overdue" alerts are settled.
/// One that `names_needs` makes the plan's review due within a month.
pub(super) async fn after_completion(
    tx: &mut Tx,
    app: &App,
    actor: &Actor,
    case: &CaseRow,
    names_needs: bool,
) -> AppResult<()> {
    let due = rule_of(tx, case)
        .await?
        .map(|months| next_after(app.today(), months));
    cases::set_due(tx, case.id, Due::Reassessment, due).await?;
    if names_needs && CaseStatus::IN_PROGRAM.contains(&case.status) {
        let review = cases::due(tx, case.id, Due::PlanReview).await?;
        let review = review_after_assessment(app.today(), review);
        cases::set_due(tx, case.id, Due::PlanReview, Some(review)).await?;
    }
    let answered = [Rule::AssessmentDue, Rule::AssessmentOverdue];
    let note = "Settled: an assessment was completed";
    alerts::resolve_rules(tx, case.id, &answered, actor.id, app.now(), note).await?;
    Ok(())
}

/// After `case` (as it was) moves to `to`: supervision starting without an
/// assessment, or a change of status while in the program, makes one due
/// within a month; leaving the program makes none due.
pub(crate) async fn after_status_change(
    tx: &mut Tx,
    app: &App,
    case: &CaseRow,
    to: CaseStatus,
) -> AppResult<()> {
    if !CaseStatus::IN_PROGRAM.contains(&to) {
        cases::set_due(tx, case.id, Due::PlanReview, None).await?;
    }
    if rule_of(tx, case).await?.is_none() {
        return Ok(());
    }
    let under_way = [CaseStatus::Active, CaseStatus::Suspended];
    let due = cases::due(tx, case.id, Due::Reassessment).await?;
    let changed_in_supervision = under_way.contains(&case.status) && under_way.contains(&to);
    let starts_unassessed =
        to == CaseStatus::Active && !case_assessments::any_completed(tx, case.id).await?;
    let next = if !CaseStatus::IN_PROGRAM.contains(&to) {
        None
    } else if changed_in_supervision || starts_unassessed {
        Some(due_after_event(app.today(), due))
    } else {
        due
    };
    cases::set_due(tx, case.id, Due::Reassessment, next).await?;
    Ok(())
}
