//! Submitted HTML forms: the values as typed, and the errors to show beside
//! each field. Input names match the field paths the services report
//! (`person.first_name`, `charges[0].level`), so an error lands on its input.

use crate::app::AppError;
use crate::domain::casework::supervision::parse_local;
use crate::domain::validation::{FieldError, Invalid};
use crate::web::extract::NUL_REFUSED;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use chrono::{NaiveDate, NaiveDateTime};
use std::collections::BTreeMap;
use std::str::FromStr;

#[derive(Debug, Default, Clone)]
pub struct FormState {
    values: BTreeMap<String, String>,
    errors: Vec<FieldError>,
}

impl FormState {
    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> Self {
        Self {
            values: pairs.into_iter().collect(),
            errors: Vec::new(),
        }
    }

    pub fn with(mut self, name: &str, value: impl Into<String>) -> Self {
        self.values.insert(name.to_owned(), value.into());
        self
    }

    /// The value as typed ("" when absent).
    pub fn v(&self, name: &str) -> &str {
        self.values
            .get(name)
            .map(String::as_str)
            .unwrap_or_default()
    }

    /// The value as typed, `None` when blank.
    pub fn opt<T: From<String>>(&self, name: &str) -> Option<T> {
        Some(self.v(name).trim())
            .filter(|s| !s.is_empty())
            .map(|s| T::from(s.to_owned()))
    }

    pub fn checked(&self, name: &str) -> bool {
        matches!(self.v(name), "on" | "true" | "yes" | "1")
    }

    pub fn selected(&self, name: &str, value: &str) -> bool {
        self.v(name) == value
    }

    pub fn err(&self, name: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == name)
            .map(|e| e.message.as_str())
    }

    pub fn errors(&self) -> &[FieldError] {
        &self.errors
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// The HTML id of the input for `name`.
    pub fn id(&self, name: &str) -> String {
        id_of(name)
    }

    pub fn add_error(&mut self, name: &str, message: impl Into<String>) {
        self.errors.push(FieldError {
            field: name.to_owned(),
            message: message.into(),
        });
    }

    pub fn add_invalid(&mut self, invalid: Invalid) {
        self.errors.extend(invalid.0);
    }

    /// Takes a refusal a form can show (invalid input beside its fields, a
    /// stale version at the top) and the status to show it with; any other
    /// error is handed back.
    pub fn absorb(&mut self, e: AppError) -> Result<StatusCode, AppError> {
        match e {
            AppError::Invalid(invalid) => {
                self.add_invalid(invalid);
                Ok(StatusCode::UNPROCESSABLE_ENTITY)
            }
            e @ AppError::StaleVersion(_) => {
                self.add_error("version", e.to_string());
                Ok(StatusCode::CONFLICT)
            }
            AppError::Conflict(message) => {
                self.add_error("version", message);
                Ok(StatusCode::CONFLICT)
            }
            other => Err(other),
        }
    }

    /// A required value parsed with `FromStr`; records an error when missing or malformed.
    pub fn parse<T: FromStr>(&mut self, name: &str, what: &str) -> Option<T> {
        let raw = self.v(name).trim().to_owned();
        if raw.is_empty() {
            self.add_error(name, "is required");
            return None;
        }
        let parsed = raw.parse().ok();
        if parsed.is_none() {
            self.add_error(name, format!("'{raw}' is not {what}"));
        }
        parsed
    }

    /// An optional value parsed with `FromStr`; `Ok(None)` when left empty.
    pub fn parse_opt<T: FromStr>(&mut self, name: &str, what: &str) -> Option<Option<T>> {
        if self.v(name).trim().is_empty() {
            return Some(None);
        }
        self.parse(name, what).map(Some)
    }

    pub fn date(&mut self, name: &str) -> Option<NaiveDate> {
        self.parse(name, "a date (YYYY-MM-DD)")
    }

    pub fn date_opt(&mut self, name: &str) -> Option<Option<NaiveDate>> {
        self.parse_opt(name, "a date (YYYY-MM-DD)")
    }

    /// A wall-clock time in the agency's zone (`YYYY-MM-DDTHH:MM`).
    pub fn local_time(&mut self, name: &str) -> Option<NaiveDateTime> {
        match parse_local(self.v(name)) {
            Ok(t) => Some(t),
            Err(e) => {
                self.add_error(name, e);
                None
            }
        }
    }
}

pub fn id_of(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// Extracts an `application/x-www-form-urlencoded` body.
pub struct Form(pub FormState);

impl<S: Send + Sync> FromRequest<S> for Form {
    type Rejection = crate::web::error::PageError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|_| Invalid::one("form", "the form could not be read (too large?)"))?;
        let pairs: Vec<(String, String)> = form_urlencoded::parse(&bytes)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        if let Some((name, _)) = pairs
            .iter()
            .find(|(k, v)| k.contains('\0') || v.contains('\0'))
        {
            return Err(Invalid::one(name.replace('\0', ""), NUL_REFUSED).into());
        }
        Ok(Self(FormState::from_pairs(pairs)))
    }
}

/// A search's hits, or the first problem with what was asked (shown on
/// the search page itself); other failures become error pages.
pub fn hits_or_problem<T>(
    result: Result<Vec<T>, crate::app::AppError>,
) -> crate::web::error::PageResult<(Option<Vec<T>>, Option<String>)> {
    match result {
        Ok(hits) => Ok((Some(hits), None)),
        Err(crate::app::AppError::Invalid(crate::domain::validation::Invalid(fields))) => {
            Ok((None, fields.first().map(|f| f.message.clone())))
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_errors() {
        let mut f = FormState::from_pairs([
            ("a".to_string(), " 2026-01-02 ".to_string()),
            ("b".to_string(), "x".to_string()),
        ]);
        assert_eq!(f.date("a"), NaiveDate::from_ymd_opt(2026, 1, 2));
        assert_eq!(f.date("b"), None);
        assert_eq!(f.date_opt("missing"), Some(None));
        assert_eq!(f.parse::<i32>("missing", "a number"), None);
        assert_eq!(f.err("b"), Some("'x' is not a date (YYYY-MM-DD)"));
        assert_eq!(f.err("missing"), Some("is required"));
        assert_eq!(f.id("charges[0].level"), "charges-0--level");
    }
}
