//! What the API returns: records as JSON, built from the same rows the pages show.

use crate::app::casework::cases::CaseRecord;
use crate::app::people::PersonRecord;
use crate::domain::casework::cases::{CaseStatus, ExitReason, SurveyExitCategory};
use crate::domain::ids::{CaseId, PersonId, ProgramId};
use crate::domain::people::{IdentifierKind, Language};
use crate::domain::programs::{ChargeLevel, ScreeningResult};
use crate::store::casework::cases::{CaseFields, CaseRow, HistoryRow};
use crate::store::people::{PersonRow, SearchHit};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NameView {
    pub first_name: String,
    pub middle_name: Option<String>,
    pub last_name: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IdentifierView {
    pub kind: IdentifierKind,
    pub value: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PersonSummary {
    pub id: PersonId,
    pub person_number: String,
    pub first_name: String,
    pub last_name: String,
    pub date_of_birth: NaiveDate,
}

impl From<SearchHit> for PersonSummary {
    fn from(h: SearchHit) -> Self {
        Self {
            id: h.id,
            person_number: h.person_number,
            first_name: h.first_name,
            last_name: h.last_name,
            date_of_birth: h.date_of_birth,
        }
    }
}

impl From<PersonRow> for PersonSummary {
    fn from(p: PersonRow) -> Self {
        Self {
            id: p.id,
            person_number: p.person_number,
            first_name: p.first_name,
            last_name: p.last_name,
            date_of_birth: p.date_of_birth,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PersonView {
    pub id: PersonId,
    pub person_number: String,
    pub first_name: String,
    pub middle_name: Option<String>,
    pub last_name: String,
    pub date_of_birth: NaiveDate,
    pub aliases: Vec<NameView>,
    pub identifiers: Vec<IdentifierView>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub preferred_language: Language,
    pub may_text: bool,
    pub may_email: bool,
    pub race: Option<String>,
    pub ethnicity: Option<String>,
    pub sex: Option<String>,
    pub cases: Vec<CaseView>,
    /// Everything that happened on the cases the reader may see, newest first.
    pub timeline: Vec<crate::app::casework::timeline::Moment>,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

impl From<PersonRecord> for PersonView {
    fn from(r: PersonRecord) -> Self {
        let p = r.person;
        Self {
            id: p.id,
            person_number: p.person_number,
            first_name: p.first_name,
            middle_name: p.middle_name,
            last_name: p.last_name,
            date_of_birth: p.date_of_birth,
            aliases: r
                .aliases
                .into_iter()
                .map(|a| NameView {
                    first_name: a.first,
                    middle_name: a.middle,
                    last_name: a.last,
                })
                .collect(),
            identifiers: r
                .identifiers
                .into_iter()
                .map(|i| IdentifierView {
                    kind: i.kind,
                    value: i.value,
                })
                .collect(),
            phone: p.phone,
            email: p.email,
            address: p.address,
            preferred_language: p.preferred_language,
            may_text: p.may_text,
            may_email: p.may_email,
            race: p.race,
            ethnicity: p.ethnicity,
            sex: p.sex,
            cases: r
                .cases
                .into_iter()
                .zip(r.histories)
                .map(|(c, h)| CaseView::new(c, Vec::new(), h))
                .collect(),
            timeline: r.timeline,
            version: p.version,
            updated_at: p.updated_at,
        }
    }
}

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
    pub details: CaseFields,
    pub officer_name: Option<String>,
    pub screening: Option<ScreeningResult>,
    pub screening_override: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub charges: Vec<ChargeView>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<HistoryRow>,
    /// Officers and supervisors the case is shared with (on a single case).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub shared_with: Vec<crate::store::casework::shares::Share>,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

impl CaseView {
    pub fn new(
        c: CaseRow,
        charges: Vec<crate::domain::programs::Charge>,
        history: Vec<HistoryRow>,
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
            details: c.fields,
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
            history,
            shared_with: Vec::new(),
            version: c.version,
            updated_at: c.updated_at,
        }
    }
}

impl From<CaseRecord> for CaseView {
    fn from(r: CaseRecord) -> Self {
        Self {
            shared_with: r.shares,
            ..Self::new(r.case, r.charges, r.history)
        }
    }
}

impl From<CaseRow> for CaseView {
    fn from(c: CaseRow) -> Self {
        Self::new(c, Vec::new(), Vec::new())
    }
}

/// A page of a list, with the cursor for the next page (absent on the last).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}
