//! Participants and intake.

use super::all;
use super::casework::cases::CaseView;
use super::casework::timeline::Moment;
use crate::app::people::PersonRecord;
use crate::app::{intake as app_intake, people as app_people};
use crate::domain::casework::cases::CaseStatus;
use crate::domain::ids::{CaseId, PersonId};
use crate::domain::people::{IdentifierKind, Language};
use crate::domain::programs::ScreeningResult;
use crate::store::people::PersonRow;
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

/// A case in a line, as a search result lists it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CaseBriefView {
    pub id: CaseId,
    pub case_number: String,
    pub status: CaseStatus,
    pub program_name: String,
    pub officer_name: Option<String>,
}

/// A person found, with what tells them apart at a glance (no photograph).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SearchResult {
    pub id: PersonId,
    pub person_number: String,
    pub first_name: String,
    pub last_name: String,
    pub date_of_birth: NaiveDate,
    /// Age today, in years.
    pub age: i32,
    /// Their cases, newest first.
    pub cases: Vec<CaseBriefView>,
}

impl From<app_people::Found> for SearchResult {
    fn from(f: app_people::Found) -> Self {
        let h = f.hit;
        Self {
            id: h.id,
            person_number: h.person_number,
            first_name: h.first_name,
            last_name: h.last_name,
            date_of_birth: h.date_of_birth,
            age: f.age,
            cases: f
                .cases
                .into_iter()
                .map(|c| CaseBriefView {
                    id: c.id,
                    case_number: c.case_number,
                    status: c.status,
                    program_name: c.program_name,
                    officer_name: c.officer_name,
                })
                .collect(),
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
    pub timeline: Vec<Moment>,
    /// Paging through the whole history: where the next, older page begins
    /// (pass it as `before`); absent on the last page.
    pub timeline_older: Option<DateTime<Utc>>,
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
            timeline: all(r.timeline),
            timeline_older: r.older,
            version: p.version,
            updated_at: p.updated_at,
        }
    }
}

/// An existing person who may be the one being entered.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PossibleDuplicate {
    pub id: PersonId,
    pub person_number: String,
    pub name: String,
    pub date_of_birth: NaiveDate,
    pub reasons: Vec<String>,
}

impl From<app_people::PossibleDuplicate> for PossibleDuplicate {
    fn from(r: app_people::PossibleDuplicate) -> Self {
        Self {
            id: r.id,
            person_number: r.person_number,
            name: r.name,
            date_of_birth: r.date_of_birth,
            reasons: r.reasons,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IntakeResult {
    pub case_id: CaseId,
    pub person_id: PersonId,
    pub case_number: String,
    pub screening: ScreeningResult,
}

impl From<app_intake::IntakeResult> for IntakeResult {
    fn from(r: app_intake::IntakeResult) -> Self {
        Self {
            case_id: r.case_id,
            person_id: r.person_id,
            case_number: r.case_number,
            screening: r.screening,
        }
    }
}

/// Answered with 409 when intake found people who may be the one referred.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DuplicatesFound {
    /// `possible_duplicates`
    pub code: &'static str,
    pub message: String,
    pub possible_duplicates: Vec<PossibleDuplicate>,
}
