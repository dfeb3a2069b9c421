//! Supervising a case: its lifecycle, conditions, supervision, drug tests, notes, alerts and
//! calendar.

pub mod alerts;
pub mod calendar;
pub mod cases;
pub mod conditions;
pub mod drug_tests;
pub mod notes;
pub mod supervision;
pub mod timeline;
