//! Participants: names, dates of birth, identifiers, and the duplicate check
//! made at intake.

use crate::labelled_enum;
use chrono::{Datelike, NaiveDate};
use std::fmt;

labelled_enum! {
    /// Kinds of identifier a person can carry.
    pub enum IdentifierKind ("identifier kind") {
        StateId => ("state_id", "State ID (SID)"),
        FbiNumber => ("fbi_number", "FBI number"),
        DriversLicense => ("drivers_license", "Driver's licence"),
        CourtCaseNumber => ("court_case_number", "Court case number"),
        Other => ("other", "Other"),
    }
}

impl IdentifierKind {
    /// Identifiers that belong to exactly one person. A court case number can
    /// be shared by co-defendants, so it is not unique.
    pub fn is_unique(self) -> bool {
        matches!(self, Self::StateId | Self::FbiNumber | Self::DriversLicense)
    }
}

labelled_enum! {
    pub enum Language ("language") {
        English => ("en", "English"),
        Spanish => ("es", "Español"),
    }
}

/// An identifier value: trimmed, upper-cased, 1 to 40 letters, digits or dashes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Identifier {
    pub kind: IdentifierKind,
    pub value: String,
}

impl Identifier {
    pub fn parse(kind: IdentifierKind, raw: &str) -> Result<Self, String> {
        let value = raw.trim().to_uppercase();
        if value.is_empty() {
            return Err("is required".to_owned());
        }
        if value.len() > 40 {
            return Err("must be at most 40 characters".to_owned());
        }
        if !value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '/' | '.'))
        {
            return Err("may contain only letters, digits, '-', '/' and '.'".to_owned());
        }
        Ok(Self { kind, value })
    }
}

/// A legal name or alias. The family name is required.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName {
    pub first: String,
    pub middle: Option<String>,
    pub last: String,
}

impl PersonName {
    pub fn display(&self) -> String {
        match &self.middle {
            Some(m) => format!("{} {} {}", self.first, m, self.last),
            None => format!("{} {}", self.first, self.last),
        }
    }

    /// "Last, First" as used in lists.
    pub fn sortable(&self) -> String {
        format!("{}, {}", self.last, self.first)
    }
}

/// A date of birth: in the past and within the last 120 years.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateOfBirth(NaiveDate);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateOfBirthError {
    InFuture,
    TooOld,
}

impl fmt::Display for DateOfBirthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InFuture => f.write_str("must be in the past"),
            Self::TooOld => f.write_str("must be within the last 120 years"),
        }
    }
}

impl DateOfBirth {
    pub fn new(date: NaiveDate, today: NaiveDate) -> Result<Self, DateOfBirthError> {
        if date >= today {
            return Err(DateOfBirthError::InFuture);
        }
        if today.year() - date.year() > 120 {
            return Err(DateOfBirthError::TooOld);
        }
        Ok(Self(date))
    }

    pub fn date(self) -> NaiveDate {
        self.0
    }
}

/// Whole years between `dob` and `on`.
pub fn age_on(dob: NaiveDate, on: NaiveDate) -> i32 {
    let mut years = on.year() - dob.year();
    if (on.month(), on.day()) < (dob.month(), dob.day()) {
        years -= 1;
    }
    years
}

/// What is known of someone being referred, for the duplicate check.
#[derive(Debug, Clone)]
pub struct Prospect<'a> {
    pub names: Vec<&'a PersonName>,
    pub date_of_birth: NaiveDate,
    pub identifiers: &'a [Identifier],
}

/// An existing person who might be the same as the prospect.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub names: Vec<PersonName>,
    pub date_of_birth: NaiveDate,
    pub identifiers: Vec<Identifier>,
}

/// Why an existing person looks like the one being entered.
#[derive(Debug, Clone, PartialEq)]
pub enum DuplicateReason {
    SharedIdentifier(Identifier),
    SameBirthDateSimilarName { similarity: f64 },
}

impl fmt::Display for DuplicateReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SharedIdentifier(id) => write!(f, "same {} {}", id.kind.title(), id.value),
            Self::SameBirthDateSimilarName { similarity } => write!(
                f,
                "same date of birth and a similar name ({:.0}% alike)",
                similarity * 100.0
            ),
        }
    }
}

/// Names at least this alike (Jaro-Winkler, 0..1) with the same date of birth
/// are reported as possible duplicates.
pub const NAME_SIMILARITY_THRESHOLD: f64 = 0.88;

/// Lower-case letters only, accents folded, so "O'Brien" ~ "obrien", "José" ~ "jose".
fn normalize(s: &str) -> String {
    s.chars()
        .filter_map(|c| {
            let c = match c {
                'á' | 'à' | 'â' | 'ä' | 'ã' | 'Á' | 'À' | 'Â' | 'Ä' | 'Ã' => 'a',
                'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' | 'Ë' => 'e',
                'í' | 'ì' | 'î' | 'ï' | 'Í' | 'Ì' | 'Î' | 'Ï' => 'i',
                'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'Ó' | 'Ò' | 'Ô' | 'Ö' | 'Õ' => 'o',
                'ú' | 'ù' | 'û' | 'ü' | 'Ú' | 'Ù' | 'Û' | 'Ü' => 'u',
                'ñ' | 'Ñ' => 'n',
                'ç' | 'Ç' => 'c',
                other => other,
            };
            c.is_alphabetic()
                .then(|| c.to_lowercase())
                .map(|l| l.collect::<String>())
        })
        .collect()
}

/// How alike two names are, 0..1, allowing for first and last swapped.
pub fn name_similarity(a: &PersonName, b: &PersonName) -> f64 {
    let (af, al) = (normalize(&a.first), normalize(&a.last));
    let (bf, bl) = (normalize(&b.first), normalize(&b.last));
    let straight = strsim::jaro_winkler(&format!("{al} {af}"), &format!("{bl} {bf}"));
    let swapped = strsim::jaro_winkler(&format!("{al} {af}"), &format!("{bf} {bl}"));
    straight.max(swapped)
}

/// Every reason `candidate` may be the same person as `prospect`.
pub fn duplicate_reasons(prospect: &Prospect<'_>, candidate: &Candidate) -> Vec<DuplicateReason> {
    let mut reasons: Vec<DuplicateReason> = prospect
        .identifiers
        .iter()
        .filter(|id| candidate.identifiers.contains(id))
        .map(|id| DuplicateReason::SharedIdentifier(id.clone()))
        .collect();
    if prospect.date_of_birth == candidate.date_of_birth {
        let best = prospect
            .names
            .iter()
            .flat_map(|p| candidate.names.iter().map(move |c| name_similarity(p, c)))
            .fold(0.0_f64, f64::max);
        if best >= NAME_SIMILARITY_THRESHOLD {
            reasons.push(DuplicateReason::SameBirthDateSimilarName { similarity: best });
        }
    }
    reasons
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(first: &str, last: &str) -> PersonName {
        PersonName {
            first: first.into(),
            middle: None,
            last: last.into(),
        }
    }

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn candidate(first: &str, last: &str, dob: &str, ids: Vec<Identifier>) -> Candidate {
        Candidate {
            names: vec![name(first, last)],
            date_of_birth: date(dob),
            identifiers: ids,
        }
    }

    #[test]
    fn date_of_birth_must_be_past_and_plausible() {
        let today = date("2026-11-23");
        assert!(DateOfBirth::new(date("1990-01-01"), today).is_ok());
        assert_eq!(
            DateOfBirth::new(today, today),
            Err(DateOfBirthError::InFuture)
        );
        assert_eq!(
            DateOfBirth::new(date("2027-01-01"), today),
            Err(DateOfBirthError::InFuture)
        );
        assert_eq!(
            DateOfBirth::new(date("1900-01-01"), today),
            Err(DateOfBirthError::TooOld)
        );
    }

    #[test]
    fn age_counts_whole_years() {
        assert_eq!(age_on(date("2000-06-15"), date("2026-06-14")), 25);
        assert_eq!(age_on(date("2000-06-15"), date("2026-06-15")), 26);
        assert_eq!(age_on(date("2008-02-29"), date("2026-02-28")), 17);
    }

    #[test]
    fn identifiers_are_normalized_and_checked() {
        let id = Identifier::parse(IdentifierKind::StateId, " ab-123 ").unwrap();
        assert_eq!(id.value, "AB-123");
        assert!(Identifier::parse(IdentifierKind::StateId, "  ").is_err());
        assert!(Identifier::parse(IdentifierKind::StateId, "AB 123").is_err());
        assert!(Identifier::parse(IdentifierKind::StateId, &"9".repeat(41)).is_err());
        assert!(IdentifierKind::StateId.is_unique());
        assert!(!IdentifierKind::CourtCaseNumber.is_unique());
    }

    #[test]
    fn similar_names_with_the_same_birth_date_are_flagged() {
        let n = name("Jon", "Smith");
        let prospect = Prospect {
            names: vec![&n],
            date_of_birth: date("1990-04-01"),
            identifiers: &[],
        };
        let flagged = |c: &Candidate| !duplicate_reasons(&prospect, c).is_empty();
        assert!(flagged(&candidate("John", "Smith", "1990-04-01", vec![])));
        assert!(
            flagged(&candidate("Smith", "Jon", "1990-04-01", vec![])),
            "swapped"
        );
        assert!(
            flagged(&candidate("JON", "SMITH", "1990-04-01", vec![])),
            "case"
        );
        assert!(
            !flagged(&candidate("John", "Smith", "1990-04-02", vec![])),
            "other date"
        );
        assert!(
            !flagged(&candidate("Maria", "Garcia", "1990-04-01", vec![])),
            "other name"
        );
    }

    #[test]
    fn accents_and_punctuation_do_not_hide_a_duplicate() {
        let a = name("José", "O'Brien");
        let b = name("Jose", "OBrien");
        assert!(name_similarity(&a, &b) > 0.99);
    }

    #[test]
    fn a_shared_identifier_is_flagged_whatever_the_name() {
        let sid = Identifier::parse(IdentifierKind::StateId, "TX123").unwrap();
        let ids = [sid.clone()];
        let n = name("Ann", "Lee");
        let prospect = Prospect {
            names: vec![&n],
            date_of_birth: date("1980-01-01"),
            identifiers: &ids,
        };
        let reasons = duplicate_reasons(
            &prospect,
            &candidate("Bob", "Jones", "1970-01-01", vec![sid.clone()]),
        );
        assert_eq!(reasons, vec![DuplicateReason::SharedIdentifier(sid)]);
        assert_eq!(reasons[0].to_string(), "same State ID (SID) TX123");
    }

    #[test]
    fn aliases_are_compared_too() {
        let legal = name("Robert", "Brown");
        let alias = name("Bobby", "Brown");
        let prospect = Prospect {
            names: vec![&legal, &alias],
            date_of_birth: date("1985-05-05"),
            identifiers: &[],
        };
        assert!(!duplicate_reasons(
            &prospect,
            &candidate("Bobby", "Brown", "1985-05-05", vec![])
        )
        .is_empty());
    }
}
