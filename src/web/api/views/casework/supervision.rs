//! A case's supervision: level, contact standard, appointments, contacts.

use crate::app::casework::supervision as app_supervision;
use crate::domain::casework::supervision::{
    AppointmentKind, Collateral, ContactKind, ContactStandard, MonthContacts, Outcome,
    SupervisionLevel,
};
use crate::domain::ids::{AppointmentId, CaseId, ContactId};
use crate::store::casework::supervision as store_supervision;
use crate::web::api::views::all;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// A case's supervision at a glance.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Overview {
    pub level: Option<SupervisionLevel>,
    /// The case's version: name it to set the level (after a change, the new one).
    pub case_version: i64,
    /// The level's contact standard (from the agency's settings).
    pub standard: Option<ContactStandard>,
    /// Contacts with the participant this calendar month.
    pub this_month: MonthContacts,
    /// Whether this month's contacts meet the standard so far.
    pub standard_met: Option<bool>,
    pub upcoming: Vec<Appointment>,
    pub recent: Vec<Appointment>,
    pub contacts: Vec<Contact>,
    /// The level the latest completed assessment recommends (its approved
    /// override's, if one was): another level needs a reason.
    pub recommended_level: Option<SupervisionLevel>,
    /// The levels set on the case, newest first (the last ten).
    pub level_history: Vec<LevelSet>,
}

/// A supervision level set on a case.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LevelSet {
    pub level: Option<SupervisionLevel>,
    /// What the latest assessment recommended then.
    pub recommended: Option<SupervisionLevel>,
    /// Why the level differs from the recommended one.
    pub reason: Option<String>,
    pub set_by: String,
    pub at: DateTime<Utc>,
}

impl From<store_supervision::LevelSet> for LevelSet {
    fn from(s: store_supervision::LevelSet) -> Self {
        Self {
            level: s.level,
            recommended: s.recommended,
            reason: s.reason,
            set_by: s.actor,
            at: s.at,
        }
    }
}

impl From<app_supervision::Overview> for Overview {
    fn from(r: app_supervision::Overview) -> Self {
        Self {
            level: r.level,
            case_version: r.case_version,
            standard: r.standard,
            this_month: r.this_month,
            standard_met: r.standard_met,
            upcoming: all(r.upcoming),
            recent: all(r.recent),
            contacts: all(r.contacts),
            recommended_level: r.recommended,
            level_history: all(r.history),
        }
    }
}

/// An appointment as stored.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Appointment {
    pub id: AppointmentId,
    pub case_id: CaseId,
    /// Shared by the occurrences of one weekly series.
    pub series_id: Option<AppointmentId>,
    pub kind: AppointmentKind,
    pub starts_at: DateTime<Utc>,
    pub duration_minutes: i32,
    pub location: Option<String>,
    pub outcome: Option<Outcome>,
    pub outcome_note: Option<String>,
    pub outcome_at: Option<DateTime<Utc>>,
    pub version: i64,
}

impl From<store_supervision::AppointmentRow> for Appointment {
    fn from(r: store_supervision::AppointmentRow) -> Self {
        Self {
            id: r.id,
            case_id: r.case_id,
            series_id: r.series_id,
            kind: r.kind,
            starts_at: r.starts_at,
            duration_minutes: r.duration_minutes,
            location: r.location,
            outcome: r.outcome,
            outcome_note: r.outcome_note,
            outcome_at: r.outcome_at,
            version: r.version,
        }
    }
}

/// A contact, as stored and shown.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Contact {
    pub id: ContactId,
    pub kind: ContactKind,
    pub occurred_at: DateTime<Utc>,
    pub place: Option<String>,
    /// Absent for a contact with the participant.
    pub collateral: Option<Collateral>,
    pub collateral_name: Option<String>,
    pub note: Option<String>,
    pub recorded_by: Option<String>,
}

impl From<store_supervision::ContactRow> for Contact {
    fn from(r: store_supervision::ContactRow) -> Self {
        Self {
            id: r.id,
            kind: r.kind,
            occurred_at: r.occurred_at,
            place: r.place,
            collateral: r.collateral,
            collateral_name: r.collateral_name,
            note: r.note,
            recorded_by: r.recorded_by,
        }
    }
}
