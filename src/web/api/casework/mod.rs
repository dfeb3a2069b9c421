//! Cases and their supervision.

pub(super) mod alerts;
pub(super) mod cases;
pub(super) mod conditions;
pub(super) mod drug_tests;
pub(super) mod notes;
pub(super) mod supervision;
