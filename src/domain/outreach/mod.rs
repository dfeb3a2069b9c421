//! Reaching participants: reminder messages and their replies.

pub mod messages;
