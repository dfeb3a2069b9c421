//! The message queue: reminders out, replies and delivery reports in.

pub mod messages;
