//! Signing in and managing staff: passwords, sessions and tokens, the authenticator, accounts.

pub mod auth;
pub mod mfa;
pub mod passwords;
pub mod users;
