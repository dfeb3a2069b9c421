//! Risk and needs assessments: the instruments loaded, the assessments made
//! with them, and proposed overrides of their levels.

pub mod case_assessments;
pub mod instruments;
pub mod overrides;
