//! The case pages, the caseload, the work queue and the calendar.

pub(super) mod alerts;
pub(super) mod appointments;
pub(super) mod calendar;
pub(super) mod caseload;
pub(super) mod cases;
pub(super) mod conditions;
pub(super) mod drug_tests;
pub(super) mod notes;
pub(super) mod supervision;
pub(super) mod workspace;
