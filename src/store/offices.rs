//! The agency's offices.

use crate::domain::ids::OfficeId;
use crate::store::Tx;
use crate::store::{exec, fetch};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OfficeRow {
    pub id: OfficeId,
    pub name: String,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub active: bool,
    /// Active staff placed in the office.
    pub staff: i64,
    pub created_at: DateTime<Utc>,
    pub version: i64,
}

/// An office's details, checked.
#[derive(Debug, Clone)]
pub struct OfficeFields {
    pub name: String,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub active: bool,
}

const SELECT: &str = "SELECT o.id, o.name, o.address, o.phone, o.active, o.created_at, o.version, \
                      (SELECT COUNT(*) FROM users u WHERE u.office_id = o.id AND u.active) AS staff \
                      FROM offices o";

pub async fn insert(
    tx: &mut Tx,
    id: OfficeId,
    f: &OfficeFields,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    exec!(
        tx,
        sqlx::query(
            "INSERT INTO offices (id, name, address, phone, active, created_at, version) \
             VALUES ($1, $2, $3, $4, $5, $6, 1)"
        )
        .bind(id)
        .bind(&f.name)
        .bind(&f.address)
        .bind(&f.phone)
        .bind(f.active)
        .bind(now)
    )?;
    Ok(())
}

/// Updates an office if `version` is current; returns false when it is stale.
pub async fn update(
    tx: &mut Tx,
    id: OfficeId,
    version: i64,
    f: &OfficeFields,
) -> Result<bool, sqlx::Error> {
    let n = exec!(
        tx,
        sqlx::query(
            "UPDATE offices SET name = $1, address = $2, phone = $3, active = $4, \
             version = version + 1 WHERE id = $5 AND version = $6"
        )
        .bind(&f.name)
        .bind(&f.address)
        .bind(&f.phone)
        .bind(f.active)
        .bind(id)
        .bind(version)
    )?;
    Ok(n == 1)
}

pub async fn get(tx: &mut Tx, id: OfficeId) -> Result<Option<OfficeRow>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE o.id = $1");
    fetch!(tx, fetch_optional, sqlx::query_as(&sql).bind(id))
}

/// Every office, by name.
pub async fn all(tx: &mut Tx) -> Result<Vec<OfficeRow>, sqlx::Error> {
    let sql = format!("{SELECT} ORDER BY o.name, o.id");
    fetch!(tx, fetch_all, sqlx::query_as(&sql))
}
