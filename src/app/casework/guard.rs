//! The case guard every casework use case starts from: load a case and
//! check, through the policy, that the actor may see it or change it.

use crate::app::{policy, Actor, AppError, AppResult};
use crate::domain::ids::CaseId;
use crate::store::casework::cases::{self as store, CaseRow};
use crate::store::Tx;

/// A case the actor may see; one they may not is "not found".
pub async fn visible_case(tx: &mut Tx, actor: &Actor, id: CaseId) -> AppResult<CaseRow> {
    let case = store::get(tx, id)
        .await?
        .ok_or(AppError::NotFound("case"))?;
    policy::casework::view_case(actor, &case).map_err(|_| AppError::NotFound("case"))?;
    Ok(case)
}

/// The case a record (`what`: a condition, an appointment) belongs to, if
/// the actor may see it; if not, the record itself is "not found". Other
/// failures (the database) pass through unchanged.
pub async fn case_of(
    tx: &mut Tx,
    actor: &Actor,
    id: CaseId,
    what: &'static str,
) -> AppResult<CaseRow> {
    visible_case(tx, actor, id).await.map_err(|e| match e {
        AppError::NotFound(_) => AppError::NotFound(what),
        other => other,
    })
}

/// A case the actor may change (and so see).
pub async fn held_case(tx: &mut Tx, actor: &Actor, id: CaseId) -> AppResult<CaseRow> {
    let case = visible_case(tx, actor, id).await?;
    policy::casework::change_case(actor, &case)?;
    Ok(case)
}
