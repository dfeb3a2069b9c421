//! Programs and their standard conditions.

use super::{administers, allow};
use crate::app::{Actor, AppError};

pub fn manage_programs(actor: &Actor) -> Result<(), AppError> {
    allow(administers(actor), "manage programs")
}

#[cfg(test)]
mod tests {
    use super::super::access::manage_users;
    use super::super::fixtures::actor;
    use super::*;
    use crate::domain::access::users::Role;

    #[test]
    fn only_administrators_manage_programs_and_users() {
        for role in Role::all() {
            let a = actor(*role);
            assert_eq!(manage_programs(&a).is_ok(), *role == Role::Admin);
            assert_eq!(manage_users(&a).is_ok(), *role == Role::Admin);
        }
    }
}
