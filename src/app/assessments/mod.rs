//! Risk and needs assessments: the instruments loaded, assessments on a
//! case, and overrides of their levels.

pub mod case_assessments;
pub mod case_plans;
pub mod instruments;
pub mod overrides;
pub mod reassessment;
