//! The signed-in user, their sessions and tokens; staff accounts.

pub mod users;
