//! Drug and alcohol tests.

use crate::app::casework::drug_tests as app_drug_tests;
use crate::domain::casework::drug_tests::{Collection, Specimen, SubstanceLine};
use crate::domain::ids::{CaseId, DrugTestId};
use crate::store::casework::drug_tests as store_drug_tests;
use crate::web::api::views::all;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// A case's tests, newest first, and the latest adverse one.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CaseTests {
    /// The most recent test, if it was positive, dilute, adulterated, refused or missed.
    pub latest_adverse: Option<DrugTest>,
    pub tests: Vec<DrugTest>,
}

impl From<app_drug_tests::CaseTests> for CaseTests {
    fn from(r: app_drug_tests::CaseTests) -> Self {
        Self {
            latest_adverse: r.latest_adverse.map(Into::into),
            tests: all(r.tests),
        }
    }
}

/// A test as shown.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DrugTest {
    pub id: DrugTestId,
    pub case_id: CaseId,
    pub collected_at: DateTime<Utc>,
    pub specimen: Specimen,
    pub panel: Option<String>,
    pub chain_of_custody: Option<String>,
    pub outcome: Collection,
    pub results: Vec<SubstanceLine>,
    /// Refused, missed, or a result other than negative.
    pub adverse: bool,
    pub recorded_by: Option<String>,
    pub version: i64,
}

impl From<store_drug_tests::DrugTestRow> for DrugTest {
    fn from(r: store_drug_tests::DrugTestRow) -> Self {
        Self {
            id: r.id,
            case_id: r.case_id,
            collected_at: r.collected_at,
            specimen: r.specimen,
            panel: r.panel,
            chain_of_custody: r.chain_of_custody,
            outcome: r.outcome,
            results: r.results,
            adverse: r.adverse,
            recorded_by: r.recorded_by,
            version: r.version,
        }
    }
}
