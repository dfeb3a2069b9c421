//! Risk and needs assessments: the instruments loaded, the assessments made
//! with them, proposed overrides of their levels, and case plans.

pub mod case_assessments;
pub mod case_plans;
pub mod instruments;
pub mod overrides;
