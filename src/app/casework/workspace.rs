//! The case page's read model: the case with its conditions, supervision,
//! drug tests and the staff it may be assigned to, read in one transaction
//! and audited as one view of the case.

use super::cases::{record_in, CaseRecord};
use super::{conditions, drug_tests, supervision};
use crate::app::access::users::{case_staff_in, StaffMember};
use crate::app::{Actor, App, AppResult};
use crate::domain::ids::CaseId;

/// Everything the case page shows.
pub struct CaseWorkspace {
    pub record: CaseRecord,
    pub conditions: conditions::CaseConditions,
    pub supervision: supervision::Overview,
    pub tests: drug_tests::CaseTests,
    /// Whom the case may be assigned to (`users::case_staff`).
    pub officers: Vec<StaffMember>,
}

/// Reads the case page's content; audited as one view of the case.
pub async fn workspace(app: &App, actor: &Actor, id: CaseId) -> AppResult<CaseWorkspace> {
    let mut tx = app.db.read().await?;
    let record = record_in(&mut tx, actor, id).await?;
    let officers = case_staff_in(&mut tx, actor, record.case.fields.officer_id).await?;
    let workspace = CaseWorkspace {
        record,
        officers,
        conditions: conditions::list(&mut tx, app, id).await?,
        supervision: supervision::load(&mut tx, app, id).await?,
        tests: drug_tests::load(&mut tx, app, id).await?,
    };
    tx.commit().await?;
    Ok(workspace)
}
