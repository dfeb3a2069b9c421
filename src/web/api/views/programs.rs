//! Programs, as the API returns them.

use crate::app::programs as app_programs;
use crate::domain::ids::ProgramId;
use crate::domain::programs::{EligibilityRules, ProgramKind};
use serde::Serialize;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Program {
    pub id: ProgramId,
    pub kind: ProgramKind,
    pub name: String,
    pub default_length_days: i32,
    pub supervising_unit: String,
    pub eligibility: EligibilityRules,
    pub active: bool,
    /// Months between assessments, if the program has a reassessment rule.
    pub reassess_months: Option<i32>,
    pub version: i64,
}

impl From<app_programs::Program> for Program {
    fn from(r: app_programs::Program) -> Self {
        Self {
            id: r.id,
            kind: r.kind,
            name: r.name,
            default_length_days: r.default_length_days,
            supervising_unit: r.supervising_unit,
            eligibility: r.eligibility,
            active: r.active,
            reassess_months: r.reassess_months,
            version: r.version,
        }
    }
}
