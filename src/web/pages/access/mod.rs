//! Signing in, the second step, one's own account, and staff administration.

pub(super) mod account;
pub(super) mod auth;
pub(super) mod mfa;
pub(super) mod users;
