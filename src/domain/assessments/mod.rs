//! Risk and needs assessments: instruments defined as data (a versioned
//! TOML file an agency loads, see docs/INSTRUMENTS.md) and how answers to
//! one are scored.

pub mod case_plans;
pub mod examples;
pub mod instrument;
pub mod reassessment;
pub mod recommendation;
pub mod scoring;
