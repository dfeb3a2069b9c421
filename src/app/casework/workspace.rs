//! The case page's read model: the case at a glance, with its conditions,
//! supervision, drug tests, latest notes and the staff it may be assigned
//! to, read in one transaction and audited as one view of the case (and of
//! its notes, when the reader may read them).

use super::cases::{record_in, CaseRecord};
use super::notes::{latest_in, NoteView};
use super::{conditions, drug_tests, supervision};
use crate::app::access::users::{case_staff_in, StaffMember};
use crate::app::assessments::case_plans::{self, PlanGlance};
use crate::app::{Actor, App, AppResult};
use crate::domain::casework::supervision::days_since;
use crate::domain::ids::CaseId;
use crate::store::casework::alerts::{self as alert_store, CaseAlert};
use crate::store::casework::supervision as supervision_store;
use crate::store::Tx;
use chrono::{DateTime, Utc};

/// What the top of the case page sums up that the rest does not hold.
pub struct Glance {
    /// The last contact with the participant (a collateral one is not).
    pub last_contact: Option<DateTime<Utc>>,
    /// Days since `last_contact`, on the agency's calendar.
    pub days_since_contact: Option<i64>,
    /// Open alerts, the most pressing first.
    pub open_alerts: Vec<CaseAlert>,
}

impl Glance {
    async fn load(tx: &mut Tx, app: &App, case: CaseId) -> Result<Self, sqlx::Error> {
        let last_contact = supervision_store::last_contact(tx, case).await?;
        let zone = app.settings.zone();
        Ok(Self {
            days_since_contact: last_contact.map(|at| days_since(at, app.now(), zone)),
            last_contact,
            open_alerts: alert_store::open_of_case(tx, case).await?,
        })
    }
}

/// Everything the case page shows.
pub struct CaseWorkspace {
    pub record: CaseRecord,
    pub glance: Glance,
    pub conditions: conditions::CaseConditions,
    pub supervision: supervision::Overview,
    pub tests: drug_tests::CaseTests,
    /// Whom the case may be assigned to (`users::case_staff`).
    pub officers: Vec<StaffMember>,
    /// The latest notes, when the reader may read the case's notes.
    pub notes: Option<Vec<NoteView>>,
    /// The case plan at a glance, when the reader may read assessments.
    pub plan: Option<PlanGlance>,
}

/// Reads the case page's content; audited as one view of the case.
pub async fn workspace(app: &App, actor: &Actor, id: CaseId) -> AppResult<CaseWorkspace> {
    let mut tx = app.db.read().await?;
    let record = record_in(&mut tx, actor, id).await?;
    let officers = case_staff_in(&mut tx, actor, record.case.fields.officer_id).await?;
    let conditions = conditions::list(&mut tx, app, id).await?;
    let plan =
        case_plans::glance(&mut tx, app, actor, &record.case, &conditions.conditions).await?;
    let workspace = CaseWorkspace {
        glance: Glance::load(&mut tx, app, id).await?,
        notes: latest_in(&mut tx, app, actor, &record.case).await?,
        record,
        officers,
        conditions,
        plan,
        supervision: supervision::load(&mut tx, app, id).await?,
        tests: drug_tests::load(&mut tx, app, id).await?,
    };
    tx.commit().await?;
    Ok(workspace)
}
