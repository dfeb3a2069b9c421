//! Cases and their supervision, as the API returns them.

pub mod alerts;
pub mod cases;
pub mod conditions;
pub mod drug_tests;
pub mod notes;
pub mod supervision;
pub mod timeline;
