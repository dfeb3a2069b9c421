//! Cases and their supervision.

pub mod alerts;
pub mod cases;
pub mod conditions;
pub mod drug_tests;
pub mod notes;
pub mod supervision;
