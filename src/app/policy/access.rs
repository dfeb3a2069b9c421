//! Staff accounts.

use super::{administers, allow, is_case_staff};
use crate::app::{Actor, AppError};

pub fn manage_users(actor: &Actor) -> Result<(), AppError> {
    allow(administers(actor), "manage user accounts")
}

/// List staff (to pick an officer): case staff and administrators.
pub fn list_staff(actor: &Actor) -> Result<(), AppError> {
    allow(is_case_staff(actor), "list staff")
}
