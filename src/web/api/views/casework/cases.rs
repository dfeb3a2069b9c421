//! A case: its details, charges, status history and sharing.

use crate::app::casework::cases::CaseRecord;
use crate::domain::casework::cases::{CaseStatus, ExitReason, SurveyExitCategory};
use crate::domain::ids::{CaseId, PersonId, ProgramId, UserId};
use crate::domain::programs::{ChargeLevel, ScreeningResult};
use crate::store::casework::cases::CaseRow;
use crate::store::casework::{cases as store_cases, shares as store_shares};
use crate::web::api::views::all;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChargeView {
    pub statute_code: String,
    pub description: String,
    pub level: ChargeLevel,
    pub violent: bool,
    pub offense_date: Option<NaiveDate>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CaseView {
    pub id: CaseId,
    pub case_number: String,
    pub person_id: PersonId,
    pub person_name: String,
    pub program_id: ProgramId,
    pub program_name: String,
    pub status: CaseStatus,
    /// Statuses this case may move to next.
    pub allowed_transitions: Vec<CaseStatus>,
    pub exit_reason: Option<ExitReason>,
    /// The Annual Probation Survey exit category of `exit_reason`.
    pub survey_exit_category: Option<SurveyExitCategory>,
    #[serde(flatten)]
    pub details: CaseDetails,
    pub officer_name: Option<String>,
    pub screening: Option<ScreeningResult>,
    pub screening_override: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub charges: Vec<ChargeView>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<HistoryEntry>,
    /// Officers and supervisors the case is shared with (on a single case).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub shared_with: Vec<Share>,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

impl CaseView {
    pub fn new(
        c: CaseRow,
        charges: Vec<crate::domain::programs::Charge>,
        history: Vec<store_cases::HistoryRow>,
    ) -> Self {
        Self {
            id: c.id,
            case_number: c.case_number,
            person_id: c.person_id,
            person_name: c.person_name,
            program_id: c.program_id,
            program_name: c.program_name,
            status: c.status,
            allowed_transitions: c.status.successors().to_vec(),
            exit_reason: c.exit_reason,
            survey_exit_category: c.exit_reason.map(ExitReason::survey_category),
            details: c.fields.into(),
            officer_name: c.officer_name,
            screening: c.screening.map(|s| s.0),
            screening_override: c.screening_override,
            charges: charges
                .into_iter()
                .map(|ch| ChargeView {
                    statute_code: ch.statute_code,
                    description: ch.description,
                    level: ch.level,
                    violent: ch.violent,
                    offense_date: ch.offense_date,
                })
                .collect(),
            history: history.into_iter().map(Into::into).collect(),
            shared_with: Vec::new(),
            version: c.version,
            updated_at: c.updated_at,
        }
    }
}

impl From<CaseRecord> for CaseView {
    fn from(r: CaseRecord) -> Self {
        Self {
            shared_with: all(r.shares),
            ..Self::new(r.case, r.charges, r.history)
        }
    }
}

impl From<CaseRow> for CaseView {
    fn from(c: CaseRow) -> Self {
        Self::new(c, Vec::new(), Vec::new())
    }
}

/// Referral and court details of a case, as entered at intake and edited later.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CaseDetails {
    pub referral_source: String,
    pub referral_date: NaiveDate,
    pub court: Option<String>,
    pub docket_number: Option<String>,
    pub judge: Option<String>,
    pub prosecutor: Option<String>,
    pub prior_convictions: Option<i32>,
    pub victim_consent: Option<bool>,
    pub start_date: Option<NaiveDate>,
    pub expected_end_date: Option<NaiveDate>,
    pub officer_id: Option<UserId>,
}

impl From<store_cases::CaseFields> for CaseDetails {
    fn from(r: store_cases::CaseFields) -> Self {
        Self {
            referral_source: r.referral_source,
            referral_date: r.referral_date,
            court: r.court,
            docket_number: r.docket_number,
            judge: r.judge,
            prosecutor: r.prosecutor,
            prior_convictions: r.prior_convictions,
            victim_consent: r.victim_consent,
            start_date: r.start_date,
            expected_end_date: r.expected_end_date,
            officer_id: r.officer_id,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HistoryEntry {
    pub from_status: Option<CaseStatus>,
    pub to_status: CaseStatus,
    pub exit_reason: Option<ExitReason>,
    pub reason: String,
    pub actor_name: Option<String>,
    pub at: DateTime<Utc>,
}

impl From<store_cases::HistoryRow> for HistoryEntry {
    fn from(r: store_cases::HistoryRow) -> Self {
        Self {
            from_status: r.from_status,
            to_status: r.to_status,
            exit_reason: r.exit_reason,
            reason: r.reason,
            actor_name: r.actor_name,
            at: r.at,
        }
    }
}

/// Who a case is shared with, as shown on the case.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Share {
    pub username: String,
    pub full_name: String,
    pub granted_at: DateTime<Utc>,
    pub reason: String,
}

impl From<store_shares::Share> for Share {
    fn from(r: store_shares::Share) -> Self {
        Self {
            username: r.username,
            full_name: r.full_name,
            granted_at: r.granted_at,
            reason: r.reason,
        }
    }
}
