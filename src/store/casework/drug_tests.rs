//! Drug and alcohol tests; results are stored sealed.

use crate::domain::casework::drug_tests::{Collection, Specimen, SubstanceLine};
use crate::domain::ids::{CaseId, DrugTestId, UserId};
use crate::keyring::KeyRing;
use crate::store::sealed::TEST_RESULTS;
use crate::store::Tx;
use crate::store::{exec, fetch};
use chrono::{DateTime, Utc};

/// A test as shown.
#[derive(Debug, Clone)]
pub struct DrugTestRow {
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

#[derive(sqlx::FromRow)]
struct Stored {
    id: DrugTestId,
    case_id: CaseId,
    collected_at: DateTime<Utc>,
    specimen: Specimen,
    panel: Option<String>,
    chain_of_custody: Option<String>,
    outcome: Collection,
    results: String,
    adverse: bool,
    recorded_by: Option<String>,
    version: i64,
}

impl Stored {
    fn open(self, keys: &KeyRing) -> Result<DrugTestRow, sqlx::Error> {
        let json = TEST_RESULTS.open(keys, self.id, &self.results)?;
        let results = serde_json::from_str(&json).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        Ok(DrugTestRow {
            id: self.id,
            case_id: self.case_id,
            collected_at: self.collected_at,
            specimen: self.specimen,
            panel: self.panel,
            chain_of_custody: self.chain_of_custody,
            outcome: self.outcome,
            results,
            adverse: self.adverse,
            recorded_by: self.recorded_by,
            version: self.version,
        })
    }
}

const SELECT: &str = "SELECT t.id, t.case_id, t.collected_at, t.specimen, t.panel, \
                      t.chain_of_custody, t.outcome, t.results, t.adverse, u.full_name AS \
                      recorded_by, t.version FROM drug_tests t LEFT JOIN users u ON u.id = \
                      t.recorded_by";

/// A test to store.
pub struct NewDrugTest<'a> {
    pub id: DrugTestId,
    pub case_id: CaseId,
    pub collected_at: DateTime<Utc>,
    pub specimen: Specimen,
    pub panel: Option<&'a str>,
    pub chain_of_custody: Option<&'a str>,
    pub outcome: Collection,
    pub results: &'a [SubstanceLine],
    pub adverse: bool,
    pub recorded_by: UserId,
}

const INSERT: &[&str] = &[
    "id",
    "case_id",
    "collected_at",
    "specimen",
    "panel",
    "chain_of_custody",
    "outcome",
    "results",
    "adverse",
    "recorded_by",
    "recorded_at",
];

fn sealed_results(
    keys: &KeyRing,
    id: DrugTestId,
    results: &[SubstanceLine],
) -> Result<String, sqlx::Error> {
    let json = serde_json::to_string(results).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    Ok(TEST_RESULTS.seal(keys, id, &json))
}

pub async fn insert_many(
    tx: &mut Tx,
    keys: &KeyRing,
    rows: &[NewDrugTest<'_>],
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    for chunk in rows.chunks(crate::store::sql::rows_per_insert(INSERT.len())) {
        let sql = crate::store::sql::insert_sql(tx.dialect(), "drug_tests", INSERT, chunk.len());
        let results = chunk
            .iter()
            .map(|t| sealed_results(keys, t.id, t.results))
            .collect::<Result<Vec<_>, _>>()?;
        exec!(
            tx,
            chunk
                .iter()
                .zip(results)
                .fold(sqlx::query(&sql), |q, (t, results)| {
                    q.bind(t.id)
                        .bind(t.case_id)
                        .bind(t.collected_at)
                        .bind(t.specimen)
                        .bind(t.panel)
                        .bind(t.chain_of_custody)
                        .bind(t.outcome)
                        .bind(results)
                        .bind(t.adverse)
                        .bind(t.recorded_by)
                        .bind(now)
                })
        )?;
    }
    Ok(())
}

pub async fn get(
    tx: &mut Tx,
    keys: &KeyRing,
    id: DrugTestId,
) -> Result<Option<DrugTestRow>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE t.id = $1");
    let row: Option<Stored> = fetch!(tx, fetch_optional, sqlx::query_as(&sql).bind(id))?;
    row.map(|r| r.open(keys)).transpose()
}

/// A case's tests, newest first.
pub async fn of_case(
    tx: &mut Tx,
    keys: &KeyRing,
    case: CaseId,
    limit: i64,
) -> Result<Vec<DrugTestRow>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE t.case_id = $1 ORDER BY t.collected_at DESC LIMIT $2");
    let rows: Vec<Stored> = fetch!(tx, fetch_all, sqlx::query_as(&sql).bind(case).bind(limit))?;
    rows.into_iter().map(|r| r.open(keys)).collect()
}

/// Replaces a test's results (a laboratory's confirmation arrives later).
pub async fn set_results(
    tx: &mut Tx,
    keys: &KeyRing,
    id: DrugTestId,
    version: i64,
    results: &[SubstanceLine],
    adverse: bool,
) -> Result<bool, sqlx::Error> {
    let n = exec!(
        tx,
        sqlx::query(
            "UPDATE drug_tests SET results = $1, adverse = $2, version = version + 1 WHERE id = $3 \
             AND version = $4"
        )
        .bind(sealed_results(keys, id, results)?)
        .bind(adverse)
        .bind(id)
        .bind(version)
    )?;
    Ok(n == 1)
}
