//! Domain rules: plain Rust, no I/O, exhaustively unit-tested.

pub mod alerts;
pub mod audit;
pub mod conditions;
pub mod ical;
pub mod ids;
pub mod labels;
pub mod lifecycle;
pub mod messages;
pub mod mfa;
pub mod notes;
pub mod people;
pub mod programs;
pub mod supervision;
pub mod testing;
pub mod users;
pub mod validation;
