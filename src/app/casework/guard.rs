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

/// A case the actor may change (and so see).
pub async fn held_case(tx: &mut Tx, actor: &Actor, id: CaseId) -> AppResult<CaseRow> {
    let case = visible_case(tx, actor, id).await?;
    policy::casework::change_case(actor, &case)?;
    Ok(case)
}
