//! Risk and needs assessments: the instruments an agency loads.

pub mod instruments;
