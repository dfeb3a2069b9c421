//! Instrument definitions, each version kept whole.

use crate::domain::ids::{InstrumentId, UserId};
use crate::store::Tx;
use crate::store::{exec, fetch};
use chrono::{DateTime, Utc};

/// One version of an instrument, without its text.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InstrumentRow {
    pub id: InstrumentId,
    pub instrument_id: String,
    pub version: i32,
    pub name: String,
    pub digest: String,
    pub imported_at: DateTime<Utc>,
    pub retired_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "id, instrument_id, version, name, digest, imported_at, retired_at";

/// A version to store.
pub struct NewInstrument<'a> {
    pub id: InstrumentId,
    pub instrument_id: &'a str,
    pub version: i32,
    pub name: &'a str,
    pub digest: &'a str,
    pub definition: &'a str,
    pub imported_by: Option<UserId>,
}

pub async fn insert(
    tx: &mut Tx,
    i: &NewInstrument<'_>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    exec!(
        tx,
        sqlx::query(
            "INSERT INTO instruments (id, instrument_id, version, name, digest, definition, \
             imported_by, imported_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        )
        .bind(i.id)
        .bind(i.instrument_id)
        .bind(i.version)
        .bind(i.name)
        .bind(i.digest)
        .bind(i.definition)
        .bind(i.imported_by)
        .bind(now)
    )?;
    Ok(())
}

/// Every version loaded, by instrument and newest version first.
pub async fn all(tx: &mut Tx) -> Result<Vec<InstrumentRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM instruments ORDER BY instrument_id, version DESC");
    fetch!(tx, fetch_all, sqlx::query_as(&sql))
}

/// One version, by its row's id.
pub async fn get(tx: &mut Tx, id: InstrumentId) -> Result<Option<InstrumentRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM instruments WHERE id = $1");
    fetch!(tx, fetch_optional, sqlx::query_as(&sql).bind(id))
}

/// One version, by the instrument's id and version.
pub async fn version(
    tx: &mut Tx,
    instrument_id: &str,
    version: i32,
) -> Result<Option<InstrumentRow>, sqlx::Error> {
    let sql =
        format!("SELECT {COLUMNS} FROM instruments WHERE instrument_id = $1 AND version = $2");
    fetch!(
        tx,
        fetch_optional,
        sqlx::query_as(&sql).bind(instrument_id).bind(version)
    )
}

/// The text of a version, as loaded.
pub async fn definition(tx: &mut Tx, id: InstrumentId) -> Result<Option<String>, sqlx::Error> {
    fetch!(
        tx,
        fetch_optional,
        sqlx::query_scalar("SELECT definition FROM instruments WHERE id = $1").bind(id)
    )
}

/// Retires a version still in use; false if it is retired already or none.
pub async fn retire(tx: &mut Tx, id: InstrumentId, at: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    let n = exec!(
        tx,
        sqlx::query("UPDATE instruments SET retired_at = $1 WHERE id = $2 AND retired_at IS NULL")
            .bind(at)
            .bind(id)
    )?;
    Ok(n == 1)
}
