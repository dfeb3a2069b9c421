//! Overrides: the assessor proposes a level other than the computed one,
//! with a reason from the agency's list and a text; a supervisor who is
//! neither the assessor nor the proposer approves or rejects it. The
//! computed result never changes; the override is its own record and both
//! show.

use super::case_assessments::{checked, Assessing};
use crate::app::{audit, policy, Actor, App, AppError, AppResult};
use crate::domain::assessments::recommendation::OverrideDecision;
use crate::domain::audit::Action;
use crate::domain::ids::{AssessmentId, OverrideId};
use crate::domain::input::{Paragraphs, Text};
use crate::domain::validation::{Errors, Invalid};
use crate::store::assessments::overrides::{self as store, NewOverride};
use serde::Deserialize;

/// A level proposed instead of the computed one.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Proposal {
    /// One of the instrument's level names, other than the computed one.
    pub level: String,
    /// One of the agency's override reasons.
    pub reason_code: String,
    /// What the instrument does not see.
    pub reason: Paragraphs<2000>,
}

/// A supervisor's answer to a proposal.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    pub decision: OverrideDecision,
    /// Required to reject: why.
    #[serde(default)]
    pub note: Option<Text<1000>>,
}

/// Proposes another level on a completed assessment (by whoever holds the
/// case; one proposal waits at a time).
pub async fn propose(
    app: &App,
    actor: &Actor,
    id: AssessmentId,
    input: Proposal,
) -> AppResult<Assessing> {
    let mut tx = app.db.write().await?;
    let (_, found) = checked(&mut tx, app, actor, id).await?;
    if found.row.completed_at.is_none() {
        return Err(AppError::Conflict(
            "complete the assessment first: a draft's level is not settled".into(),
        ));
    }
    if found.row.override_waiting {
        return Err(AppError::Conflict(
            "a proposed level waits for a supervisor already".into(),
        ));
    }
    let mut errors = Errors::new();
    let names = found
        .definition
        .levels
        .as_ref()
        .map(|l| l.names.clone())
        .unwrap_or_default();
    let level = input.level.trim();
    if !names.iter().any(|n| n == level) {
        errors.add("level", format!("must be one of: {}", names.join(", ")));
    } else if found.row.level.as_deref() == Some(level) {
        errors.add("level", "is the computed level: propose a different one");
    }
    let reasons = &app.settings.assessments.override_reasons;
    if !reasons.iter().any(|r| r == input.reason_code.trim()) {
        errors.add(
            "reason_code",
            format!("must be one of: {}", reasons.join("; ")),
        );
    }
    let reason = errors.check("reason", input.reason.checked());
    let reason = errors.finish(|| reason)?;
    let new = NewOverride {
        id: OverrideId::new(),
        assessment_id: id,
        level,
        reason_code: input.reason_code.trim(),
        reason: &reason,
        proposed_by: actor.id,
    };
    store::insert(&mut tx, &new, app.now()).await?;
    audit::record(
        &mut tx,
        actor,
        Action::AssessmentOverride.on(id).because(format!(
            "{} to {level}",
            found.row.level.as_deref().unwrap_or("none")
        )),
    );
    let (_, proposed) = checked(&mut tx, app, actor, id).await?;
    tx.commit().await?;
    Ok(proposed)
}

/// Approves or rejects a proposal still waiting.
pub async fn decide(
    app: &App,
    actor: &Actor,
    id: OverrideId,
    input: Decision,
) -> AppResult<Assessing> {
    let mut tx = app.db.write().await?;
    let proposal = store::get(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound("override"))?;
    let (_, found) = checked(&mut tx, app, actor, proposal.assessment_id)
        .await
        .map_err(|e| match e {
            AppError::NotFound(_) => AppError::NotFound("override"),
            other => other,
        })?;
    policy::assessments::decide_override(actor, found.row.assessor_id, proposal.proposed_by)?;
    let note = Text::checked(input.note.as_ref()).map_err(|e| Invalid::one("note", e))?;
    if input.decision == OverrideDecision::Rejected && note.is_none() {
        return Err(Invalid::one("note", "say why the proposed level is rejected").into());
    }
    if !store::decide(
        &mut tx,
        id,
        input.decision,
        actor.id,
        note.as_deref(),
        app.now(),
    )
    .await?
    {
        return Err(AppError::Conflict(
            "this proposal was decided already".into(),
        ));
    }
    audit::record(
        &mut tx,
        actor,
        Action::AssessmentOverrideDecision
            .on(proposal.assessment_id)
            .because(format!("{} {}", input.decision.label(), proposal.level)),
    );
    let (_, decided) = checked(&mut tx, app, actor, proposal.assessment_id).await?;
    tx.commit().await?;
    Ok(decided)
}
