//! Offices, as the API returns them.

use crate::domain::ids::OfficeId;
use crate::store::offices::OfficeRow;
use serde::Serialize;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Office {
    pub id: OfficeId,
    pub name: String,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub active: bool,
    /// Active staff placed in the office.
    pub staff: i64,
    pub version: i64,
}

impl From<OfficeRow> for Office {
    fn from(r: OfficeRow) -> Self {
        Self {
            id: r.id,
            name: r.name,
            address: r.address,
            phone: r.phone,
            active: r.active,
            staff: r.staff,
            version: r.version,
        }
    }
}
