//! Risk and needs assessments: the instruments loaded.

pub mod instruments;
