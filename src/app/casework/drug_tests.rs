//! Drug and alcohol tests: recorded by whoever holds the case, seen by
//! whoever may see it; a positive, refused or missed test shows at once.

use super::guard::{held_case, visible_case};
use crate::app::{audit, Actor, App, AppError, AppResult};
use crate::domain::audit::Action;
use crate::domain::casework::drug_tests::{
    adverse, check_results, Collection, Specimen, SubstanceLine,
};
use crate::domain::casework::supervision::local_to_utc;
use crate::domain::ids::{CaseId, DrugTestId};
use crate::domain::input::Text;
use crate::domain::validation::{DateKind, Errors, Invalid};
use crate::store::casework::drug_tests::{self as store, DrugTestRow, NewDrugTest};
use crate::store::Tx;
use chrono::NaiveDateTime;
use serde::Deserialize;

/// A test to record.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DrugTestInput {
    /// Local wall-clock time in the agency's time zone.
    #[schema(value_type = String, example = "2026-11-23T08:15")]
    #[serde(with = "crate::domain::casework::supervision::local_time")]
    pub collected_at: NaiveDateTime,
    pub specimen: Specimen,
    /// e.g. "10-panel".
    #[serde(default)]
    pub panel: Option<Text<60>>,
    #[serde(default)]
    pub chain_of_custody: Option<Text<60>>,
    pub outcome: Collection,
    /// One line per substance for a collected specimen; none for a refusal or no-show.
    #[serde(default)]
    pub results: Vec<SubstanceLine>,
}

/// A case's tests, newest first, and the latest adverse one.
#[derive(Debug, Clone)]
pub struct CaseTests {
    /// The most recent test, if it was positive, dilute, adulterated, refused or missed.
    pub latest_adverse: Option<DrugTestRow>,
    pub tests: Vec<DrugTestRow>,
}

pub async fn of_case(app: &App, actor: &Actor, case: CaseId) -> AppResult<CaseTests> {
    let mut tx = app.db.read().await?;
    visible_case(&mut tx, actor, case).await?;
    let tests = load(&mut tx, app, case).await?;
    audit::record(&mut tx, actor, Action::DrugTestList.on(case));
    tx.commit().await?;
    Ok(tests)
}

/// A case's tests, read in the caller's transaction.
pub(super) async fn load(tx: &mut Tx, app: &App, case: CaseId) -> Result<CaseTests, sqlx::Error> {
    let tests = store::of_case(tx, &app.keys, case, 100).await?;
    Ok(CaseTests {
        latest_adverse: tests.first().filter(|t| t.adverse).cloned(),
        tests,
    })
}

fn trimmed(results: Vec<SubstanceLine>) -> Vec<SubstanceLine> {
    results
        .into_iter()
        .map(|r| SubstanceLine {
            substance: r.substance.trim().to_owned(),
            ..r
        })
        .collect()
}

pub async fn record(
    app: &App,
    actor: &Actor,
    case: CaseId,
    input: DrugTestInput,
) -> AppResult<DrugTestRow> {
    let mut tx = app.db.write().await?;
    held_case(&mut tx, actor, case).await?;
    let mut errors = Errors::new();
    let panel = errors.check("panel", Text::checked(input.panel.as_ref()));
    let custody = errors.check(
        "chain_of_custody",
        Text::checked(input.chain_of_custody.as_ref()),
    );
    errors.check("results", check_results(input.outcome, &input.results));
    let at = app.now();
    let collected_at = local_to_utc(input.collected_at, app.settings.zone());
    if collected_at > at + chrono::Duration::minutes(5) {
        errors.add("collected_at", "must not be in the future");
    } else {
        let day = input.collected_at.date().min(app.today());
        errors.check("collected_at", DateKind::Happened.check(day, app.today()));
    }
    let (panel, custody) = errors.finish(|| Some((panel?, custody?)))?;
    let results = trimmed(input.results);
    let id = DrugTestId::new();
    let test = NewDrugTest {
        id,
        case_id: case,
        collected_at,
        specimen: input.specimen,
        panel: panel.as_deref(),
        chain_of_custody: custody.as_deref(),
        outcome: input.outcome,
        results: &results,
        adverse: adverse(input.outcome, &results),
        recorded_by: actor.id,
    };
    store::insert_many(&mut tx, &app.keys, &[test], at).await?;
    super::alerts::raise_for_case(&mut tx, app, case).await?;
    audit::record(&mut tx, actor, Action::DrugTestCreate.on(id));
    let stored = store::get(&mut tx, &app.keys, id)
        .await?
        .ok_or(AppError::NotFound("drug test"))?;
    tx.commit().await?;
    Ok(stored)
}

/// New results for a test (typically a laboratory's confirmation).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResultsUpdate {
    pub version: i64,
    pub results: Vec<SubstanceLine>,
}

pub async fn update_results(
    app: &App,
    actor: &Actor,
    id: DrugTestId,
    input: ResultsUpdate,
) -> AppResult<DrugTestRow> {
    let mut tx = app.db.write().await?;
    let test = store::get(&mut tx, &app.keys, id)
        .await?
        .ok_or(AppError::NotFound("drug test"))?;
    held_case(&mut tx, actor, test.case_id)
        .await
        .map_err(|e| match e {
            AppError::NotFound(_) => AppError::NotFound("drug test"),
            other => other,
        })?;
    check_results(test.outcome, &input.results).map_err(|e| Invalid::one("results", e))?;
    let results = trimmed(input.results);
    let flagged = adverse(test.outcome, &results);
    if test.version != input.version
        || !store::set_results(&mut tx, &app.keys, id, input.version, &results, flagged).await?
    {
        return Err(AppError::StaleVersion("drug test"));
    }
    super::alerts::raise_for_case(&mut tx, app, test.case_id).await?;
    audit::record(&mut tx, actor, Action::DrugTestUpdate.on(id));
    let stored = store::get(&mut tx, &app.keys, id)
        .await?
        .ok_or(AppError::NotFound("drug test"))?;
    tx.commit().await?;
    Ok(stored)
}
