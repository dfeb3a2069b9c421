//! Risk and needs instruments, as the API returns them.

use crate::domain::ids::InstrumentId;
use crate::store::assessments::instruments::InstrumentRow;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// One version of an instrument loaded.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Instrument {
    pub id: InstrumentId,
    /// The definition's own id, stable across versions (e.g. `bw-needs`).
    pub instrument_id: String,
    pub version: i32,
    pub name: String,
    /// SHA-256 of the definition's text: what an assessment under it pins.
    pub digest: String,
    pub imported_at: DateTime<Utc>,
    /// Set once retired: it starts no new assessment.
    pub retired_at: Option<DateTime<Utc>>,
}

impl From<InstrumentRow> for Instrument {
    fn from(r: InstrumentRow) -> Self {
        Self {
            id: r.id,
            instrument_id: r.instrument_id,
            version: r.version,
            name: r.name,
            digest: r.digest,
            imported_at: r.imported_at,
            retired_at: r.retired_at,
        }
    }
}
