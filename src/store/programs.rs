//! Programs and their eligibility rules.

use crate::domain::ids::ProgramId;
use crate::domain::programs::{EligibilityRules, ProgramKind};
use crate::store::Tx;
use crate::store::{exec, fetch};
use chrono::{DateTime, Utc};
use sqlx::types::Json;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProgramRow {
    pub id: ProgramId,
    pub kind: ProgramKind,
    pub name: String,
    pub default_length_days: i32,
    pub supervising_unit: String,
    pub eligibility: Json<EligibilityRules>,
    pub active: bool,
    /// Months between assessments, if the program has a reassessment rule.
    pub reassess_months: Option<i32>,
    pub created_at: DateTime<Utc>,
    pub version: i64,
}

const COLUMNS: &str =
    "id, kind, name, default_length_days, supervising_unit, eligibility, active, \
     reassess_months, created_at, version";

#[derive(Debug, Clone)]
pub struct ProgramFields {
    pub kind: ProgramKind,
    pub name: String,
    pub default_length_days: i32,
    pub supervising_unit: String,
    pub eligibility: EligibilityRules,
    pub active: bool,
    pub reassess_months: Option<i32>,
}

pub async fn insert(
    tx: &mut Tx,
    id: ProgramId,
    f: &ProgramFields,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    exec!(
        tx,
        sqlx::query(
            "INSERT INTO programs (id, kind, name, default_length_days, supervising_unit, \
             eligibility, active, created_at, version, reassess_months) VALUES ($1, $2, $3, $4, \
             $5, $6, $7, $8, 1, $9)"
        )
        .bind(id)
        .bind(f.kind)
        .bind(&f.name)
        .bind(f.default_length_days)
        .bind(&f.supervising_unit)
        .bind(Json(&f.eligibility))
        .bind(f.active)
        .bind(now)
        .bind(f.reassess_months)
    )?;
    Ok(())
}

/// Updates a program if `version` is current; returns false when it is stale.
pub async fn update(
    tx: &mut Tx,
    id: ProgramId,
    version: i64,
    f: &ProgramFields,
) -> Result<bool, sqlx::Error> {
    let n = exec!(
        tx,
        sqlx::query(
            "UPDATE programs SET kind = $1, name = $2, default_length_days = $3, supervising_unit \
             = $4, eligibility = $5, active = $6, reassess_months = $9, version = version + 1 \
             WHERE id = $7 AND version = $8"
        )
        .bind(f.kind)
        .bind(&f.name)
        .bind(f.default_length_days)
        .bind(&f.supervising_unit)
        .bind(Json(&f.eligibility))
        .bind(f.active)
        .bind(id)
        .bind(version)
        .bind(f.reassess_months)
    )?;
    Ok(n == 1)
}

pub async fn get(tx: &mut Tx, id: ProgramId) -> Result<Option<ProgramRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM programs WHERE id = $1");
    fetch!(tx, fetch_optional, sqlx::query_as(&sql).bind(id))
}

pub async fn all(tx: &mut Tx) -> Result<Vec<ProgramRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM programs ORDER BY name, id");
    fetch!(tx, fetch_all, sqlx::query_as(&sql))
}
