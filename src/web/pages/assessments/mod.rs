//! Risk and needs assessments: the administrators' page of instruments, a
//! case's assessments, and one assessment's page (answering a draft,
//! reading a completed one, proposing and deciding another level), and a
//! case's plan with one version's page.

mod case_assessments;
mod case_plans;
pub(in crate::web) mod chart;
mod instruments;

use crate::web::pages::routes::PageRoutes;

/// This context's routes.
pub fn routes() -> PageRoutes {
    instruments::routes()
        .merge(case_assessments::routes())
        .merge(case_plans::routes())
}
