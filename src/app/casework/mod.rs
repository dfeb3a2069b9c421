//! Working a case after intake: the case, its conditions, supervision, drug tests, notes, alerts,
//! timeline and calendar.

pub mod alerts;
pub mod appointments;
pub mod calendar;
pub mod caseload;
pub mod cases;
pub mod conditions;
pub mod drug_tests;
pub mod guard;
pub mod notes;
pub mod supervision;
pub mod timeline;
pub mod workspace;
