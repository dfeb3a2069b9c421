//! Domain rules: plain Rust, no I/O, exhaustively unit-tested.

pub mod access;
pub mod assessments;
pub mod audit;
pub mod casework;
pub mod clock;
pub mod csv;
pub mod ids;
pub mod input;
pub mod labels;
pub mod outreach;
pub mod people;
pub mod programs;
pub mod validation;
