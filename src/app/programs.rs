//! Programs: the agency's probation, pretrial and diversion offerings.

use crate::app::{audit, name_taken, policy, Actor, App, AppError, AppResult};
use crate::domain::audit::Action;
use crate::domain::ids::ProgramId;
use crate::domain::input::{RequiredText, Whole};
use crate::domain::programs::{EligibilityRules, ProgramKind};
use crate::domain::validation::{Errors, Invalid};
use crate::store::programs::{self, ProgramFields, ProgramRow};
use crate::store::Tx;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgramInput {
    pub kind: ProgramKind,
    pub name: RequiredText<120>,
    /// Usual length of supervision, in days.
    pub default_length_days: Whole<1, 3650>,
    pub supervising_unit: RequiredText<120>,
    #[serde(default)]
    pub eligibility: EligibilityRules,
    #[serde(default = "yes")]
    pub active: bool,
    /// Months between assessments (a reassessment rule); with one, a
    /// first assessment is due within 30 days of the start of supervision
    /// and a reassessment within 30 days of a change of status.
    #[serde(default)]
    pub reassess_months: Option<Whole<1, 60>>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgramUpdate {
    /// The version you loaded; a stale one is refused with 409.
    pub version: i64,
    pub program: ProgramInput,
}

#[derive(Debug, Clone)]
pub struct Program {
    pub id: ProgramId,
    pub kind: ProgramKind,
    pub name: String,
    pub default_length_days: i32,
    pub supervising_unit: String,
    pub eligibility: EligibilityRules,
    pub active: bool,
    pub reassess_months: Option<i32>,
    pub version: i64,
}

impl From<ProgramRow> for Program {
    fn from(p: ProgramRow) -> Self {
        Self {
            id: p.id,
            kind: p.kind,
            name: p.name,
            default_length_days: p.default_length_days,
            supervising_unit: p.supervising_unit,
            eligibility: p.eligibility.0,
            active: p.active,
            reassess_months: p.reassess_months,
            version: p.version,
        }
    }
}

fn parse(input: ProgramInput) -> Result<ProgramFields, Invalid> {
    let mut errors = Errors::new();
    let name = errors.check("name", input.name.checked());
    let unit = errors.check("supervising_unit", input.supervising_unit.checked());
    let length = errors.check("default_length_days", input.default_length_days.checked());
    errors.check("eligibility", input.eligibility.validate());
    let reassess = errors.check(
        "reassess_months",
        input.reassess_months.map(|m| m.checked()).transpose(),
    );
    errors.finish(|| {
        Some(ProgramFields {
            kind: input.kind,
            name: name?,
            default_length_days: length?,
            supervising_unit: unit?,
            eligibility: input.eligibility,
            active: input.active,
            reassess_months: reassess?,
        })
    })
}

/// Programs are reference data every signed-in staff member may read.
pub async fn list(app: &App) -> AppResult<Vec<Program>> {
    let mut tx = app.db.read().await?;
    list_in(&mut tx).await
}

/// [`list`] in the caller's transaction.
pub(crate) async fn list_in(tx: &mut Tx) -> AppResult<Vec<Program>> {
    Ok(programs::all(tx)
        .await?
        .into_iter()
        .map(Program::from)
        .collect())
}

pub async fn get(app: &App, id: ProgramId) -> AppResult<Program> {
    let mut tx = app.db.read().await?;
    Ok(programs::get(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound("program"))?
        .into())
}

pub async fn create(app: &App, actor: &Actor, input: ProgramInput) -> AppResult<Program> {
    policy::programs::manage_programs(actor)?;
    let fields = parse(input)?;
    let id = ProgramId::new();
    let mut tx = app.db.write().await?;
    programs::insert(&mut tx, id, &fields, app.now())
        .await
        .map_err(name_taken("a program", &fields.name))?;
    audit::record(&mut tx, actor, Action::ProgramCreate.on(id));
    let row = programs::get(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound("program"))?;
    tx.commit().await?;
    Ok(row.into())
}

pub async fn update(
    app: &App,
    actor: &Actor,
    id: ProgramId,
    input: ProgramUpdate,
) -> AppResult<Program> {
    policy::programs::manage_programs(actor)?;
    let fields = parse(input.program)?;
    let mut tx = app.db.write().await?;
    programs::get(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound("program"))?;
    let current = programs::update(&mut tx, id, input.version, &fields)
        .await
        .map_err(name_taken("a program", &fields.name))?;
    if !current {
        return Err(AppError::StaleVersion("program"));
    }
    audit::record(&mut tx, actor, Action::ProgramUpdate.on(id));
    let row = programs::get(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound("program"))?;
    tx.commit().await?;
    Ok(row.into())
}
