//! The drug-test form of the case page.

use super::workspace::{show, Submitted, MAX_RESULT_ROWS};
use crate::app::casework::drug_tests::{self, DrugTestInput};
use crate::app::App;
use crate::domain::casework::drug_tests::{Collection, Specimen, SubstanceLine, SubstanceResult};
use crate::domain::ids::CaseId;
use crate::web::error::PageResult;
use crate::web::extract::{PagePath, PageUser};
use crate::web::form::{Form, FormState};
use crate::web::pages::routes::PageRoutes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

/// Reads the filled rows of the result table (`results[i].substance`, …).
/// A panel's rows (`results[i].preset`) list what a collected specimen is
/// tested for: they are results only when one was collected.
fn read_results(form: &mut FormState, collected: bool) -> Option<Vec<SubstanceLine>> {
    let mut lines = Vec::new();
    for i in 0..MAX_RESULT_ROWS {
        let substance = form.v(&format!("results[{i}].substance")).trim().to_owned();
        let preset = !form.v(&format!("results[{i}].preset")).is_empty();
        if substance.is_empty() || (preset && !collected) {
            continue;
        }
        let result = form.parse::<SubstanceResult>(&format!("results[{i}].result"), "a result")?;
        lines.push(SubstanceLine {
            substance,
            result,
            lab_confirmed: form.checked(&format!("results[{i}].lab_confirmed")),
        });
    }
    Some(lines)
}

pub async fn record_test(
    State(app): State<App>,
    user: PageUser,
    PagePath(id): PagePath<CaseId>,
    Form(mut form): Form,
) -> PageResult<Response> {
    let specimen = form.parse::<Specimen>("specimen", "a specimen");
    let outcome = form.parse::<Collection>("outcome", "a test outcome");
    let collected_at = form.local_time("collected_at");
    let collected = outcome == Some(Collection::Collected);
    let results = read_results(&mut form, collected);
    let (Some(specimen), Some(outcome), Some(collected_at), Some(results), false) =
        (specimen, outcome, collected_at, results, form.has_errors())
    else {
        return show(
            &app,
            &user.actor,
            id,
            StatusCode::UNPROCESSABLE_ENTITY,
            Submitted::Test(form),
        )
        .await;
    };
    let input = DrugTestInput {
        collected_at,
        specimen,
        panel: form.opt("panel"),
        chain_of_custody: form.opt("chain_of_custody"),
        outcome,
        results,
    };
    match drug_tests::record(&app, &user.actor, id, input).await {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{id}#tests")).into_response()),
        Err(e) => {
            let status = form.absorb(e)?;
            show(&app, &user.actor, id, status, Submitted::Test(form)).await
        }
    }
}

/// This page's routes.
pub fn routes() -> PageRoutes {
    PageRoutes::new().post("/cases/{id}/drug-tests", record_test)
}
