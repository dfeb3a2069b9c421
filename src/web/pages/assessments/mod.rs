//! Risk and needs assessments: the administrators' page of instruments, a
//! case's assessments, and one assessment's page (answering a draft,
//! reading a completed one, proposing and deciding another level).

mod case_assessments;
pub(in crate::web) mod chart;
mod instruments;

use crate::web::pages::routes::PageRoutes;

/// This context's routes.
pub fn routes() -> PageRoutes {
    instruments::routes().merge(case_assessments::routes())
}
