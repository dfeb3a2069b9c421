//! Field-level validation failures, collected so a form or a JSON body can
//! report every problem at once, each naming its field.

use serde::Serialize;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// Path of the offending field, e.g. `charges[0].level`.
    pub field: String,
    pub message: String,
}

/// A non-empty list of field errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid(pub Vec<FieldError>);

impl Invalid {
    pub fn one(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self(vec![FieldError {
            field: field.into(),
            message: message.into(),
        }])
    }

    pub fn fields(&self) -> &[FieldError] {
        &self.0
    }

    /// The same errors, each field placed under `prefix` (e.g. `person.`).
    pub fn prefixed(self, prefix: &str) -> Self {
        Self(
            self.0
                .into_iter()
                .map(|e| FieldError {
                    field: format!("{prefix}{}", e.field),
                    message: e.message,
                })
                .collect(),
        )
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect();
        f.write_str(&parts.join("; "))
    }
}

impl std::error::Error for Invalid {}

/// Collects field errors while a request is parsed into domain types.
#[derive(Debug, Default)]
pub struct Errors(Vec<FieldError>);

impl Errors {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records the error of `result` under `field` and returns its value, if any.
    pub fn check<T, E: fmt::Display>(&mut self, field: &str, result: Result<T, E>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.add(field, e.to_string());
                None
            }
        }
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.to_owned(),
            message: message.into(),
        });
    }

    /// Takes in the errors of a nested part, each field prefixed (`person.`).
    pub fn absorb(&mut self, prefix: &str, invalid: Invalid) {
        self.0.extend(invalid.prefixed(prefix).0);
    }

    /// `Ok(value)` when nothing was recorded, else every recorded error.
    pub fn finish<T>(self, value: impl FnOnce() -> Option<T>) -> Result<T, Invalid> {
        if self.0.is_empty() {
            if let Some(v) = value() {
                return Ok(v);
            }
        }
        if self.0.is_empty() {
            // A missing value without a recorded error is a programming slip;
            // report it rather than panic.
            return Err(Invalid::one("request", "could not be read"));
        }
        Err(Invalid(self.0))
    }
}

/// The kinds of date Bridgeway is given, each with the range a real one
/// falls in: a year like 0000 or 9999 is a typing slip, refused with the
/// range, whichever form or field it comes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateKind {
    /// Something that happened (a contact, a test, progress, an offense, a
    /// referral, a court order): within the last 50 years, not in the future.
    Happened,
    /// An appointment: from two years back (entered late, with its outcome)
    /// to five years ahead.
    Scheduled,
    /// A term's dates (a case's start and expected end, a condition's start
    /// and due date): within 50 years either side of today.
    Term,
}

impl DateKind {
    /// The first and last plausible dates, as of `today`.
    pub fn range(self, today: chrono::NaiveDate) -> (chrono::NaiveDate, chrono::NaiveDate) {
        let years = |n: i32| {
            let months = chrono::Months::new(n.unsigned_abs() * 12);
            let shifted = if n < 0 {
                today.checked_sub_months(months)
            } else {
                today.checked_add_months(months)
            };
            shifted.unwrap_or(today)
        };
        match self {
            Self::Happened => (years(-50), today),
            Self::Scheduled => (years(-2), years(5)),
            Self::Term => (years(-50), years(50)),
        }
    }

    /// Refuses a date outside the kind's range, saying what the range is.
    pub fn check(self, date: chrono::NaiveDate, today: chrono::NaiveDate) -> Result<(), String> {
        let (first, last) = self.range(today);
        match (date < first, date > last, self) {
            (false, false, _) => Ok(()),
            (_, true, Self::Happened) => Err("must not be in the future".to_owned()),
            _ => Err(format!("must be between {first} and {last}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_of_date_has_its_range() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 18).unwrap();
        let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(DateKind::Happened.check(today, today), Ok(()));
        assert_eq!(
            DateKind::Happened.check(day(2026, 11, 19), today),
            Err("must not be in the future".to_owned())
        );
        assert_eq!(
            DateKind::Happened.check(day(0, 1, 1), today),
            Err("must be between 1976-11-18 and 2026-11-18".to_owned())
        );
        assert_eq!(DateKind::Happened.check(day(1976, 11, 18), today), Ok(()));
        assert_eq!(DateKind::Scheduled.check(day(2031, 11, 18), today), Ok(()));
        assert_eq!(
            DateKind::Scheduled.check(day(9999, 12, 31), today),
            Err("must be between 2024-11-18 and 2031-11-18".to_owned())
        );
        assert!(DateKind::Scheduled.check(day(2024, 11, 17), today).is_err());
        assert_eq!(DateKind::Term.check(day(2076, 11, 18), today), Ok(()));
        assert!(DateKind::Term.check(day(2076, 11, 19), today).is_err());
        assert!(DateKind::Term.check(day(1976, 11, 17), today).is_err());
    }

    #[test]
    fn errors_collect_every_field() {
        let mut errors = Errors::new();
        let a = errors.check("a", Err::<(), _>("is required"));
        let b = errors.check("b", Err::<(), _>("must be at most 3 characters"));
        let result = errors.finish(|| a.zip(b));
        let invalid = result.unwrap_err();
        assert_eq!(invalid.fields().len(), 2);
        assert_eq!(
            invalid.to_string(),
            "a: is required; b: must be at most 3 characters"
        );
    }
}
