//! Risk and needs assessments: who keeps the instruments.

use super::{administers, allow};
use crate::app::{Actor, AppError};
use crate::domain::access::users::Role;

/// Loading and retiring instruments: administrators.
pub fn manage_instruments(actor: &Actor) -> Result<(), AppError> {
    allow(administers(actor), "manage assessment instruments")
}

/// Reading which instruments are loaded: staff who assess or supervise,
/// and administrators and auditors.
pub fn read_instruments(actor: &Actor) -> Result<(), AppError> {
    allow(actor.role != Role::Provider, "read assessment instruments")
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::actor;
    use super::*;

    #[test]
    fn administrators_keep_instruments_and_staff_read_them() {
        for role in Role::all() {
            let a = actor(*role);
            assert_eq!(manage_instruments(&a).is_ok(), *role == Role::Admin);
            assert_eq!(read_instruments(&a).is_ok(), *role != Role::Provider);
        }
    }
}
