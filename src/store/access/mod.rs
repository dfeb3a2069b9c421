//! Staff accounts, sessions, API tokens and sign-in attempts.

pub mod users;
