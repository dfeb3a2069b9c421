//! The behaviour suite: every route, on SQLite and (when configured) PostgreSQL.
//! One test binary keeps link times down.

// A test fails by unwrapping, expecting, panicking or indexing: the house
// rules that forbid them in the product (Cargo.toml `[lints]`) do not apply.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod helpers;

mod access;
mod accounts;
mod alerts;
mod appointments;
mod assessments;
mod audit;
mod backups;
mod calendar;
mod case_plans;
mod caseload;
mod cli;
mod clients;
mod conditions;
mod crash;
mod demo;
mod drug_tests;
mod group_commit;
mod instruments;
mod intake;
mod jam;
mod lifecycle;
mod logs;
mod matrix;
mod mfa;
mod notes;
mod offices;
mod outages;
mod pages;
mod people;
mod process;
mod programs;
mod reminders;
mod sealing;
mod snapshots;
mod stand_ins;
mod submissions;
mod supervision;

mod tls;
mod tokens;
mod validation;
