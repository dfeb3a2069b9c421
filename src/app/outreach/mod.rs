//! Reminders to participants and what comes back from them.

pub mod reminders;
