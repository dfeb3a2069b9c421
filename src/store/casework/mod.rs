//! Cases and their supervision: conditions, appointments and contacts, drug tests, notes, alerts,
//! sharing and calendar feeds.

pub mod alerts;
pub mod calendar;
pub mod caseload_views;
pub mod cases;
pub mod conditions;
pub mod drug_tests;
pub mod notes;
pub mod shares;
pub mod supervision;
