//! Who may sign in and how: staff accounts, roles and password rules, the authenticator.

pub mod devices;
pub mod mfa;
pub mod users;
