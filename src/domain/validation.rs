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

/// Trimmed text that must be present and at most `max` characters long.
pub fn required_text(value: &str, max: usize) -> Result<String, String> {
    let v = value.trim();
    if v.is_empty() {
        return Err("is required".to_owned());
    }
    limited_text(v, max)
}

/// Trimmed text at most `max` characters long; empty becomes `None`.
pub fn optional_text(value: Option<&str>, max: usize) -> Result<Option<String>, String> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => limited_text(v, max).map(Some),
    }
}

/// Like `required_text`, for writing in paragraphs: line breaks and tabs
/// are kept (line endings become `\n`); other control characters are refused.
pub fn required_paragraphs(value: &str, max: usize) -> Result<String, String> {
    let v = value.trim().replace("\r\n", "\n").replace('\r', "\n");
    if v.is_empty() {
        return Err("is required".to_owned());
    }
    if v.chars().count() > max {
        return Err(format!("must be at most {max} characters"));
    }
    if v.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(
            "must not contain control characters other than line breaks and tabs".to_owned(),
        );
    }
    Ok(v)
}

fn limited_text(v: &str, max: usize) -> Result<String, String> {
    if v.chars().count() > max {
        return Err(format!("must be at most {max} characters"));
    }
    if v.chars().any(|c| c.is_control()) {
        return Err("must not contain control characters".to_owned());
    }
    Ok(v.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_rules() {
        assert_eq!(required_text("  Ana ", 10), Ok("Ana".to_owned()));
        assert_eq!(required_text("   ", 10), Err("is required".to_owned()));
        assert_eq!(
            required_text("abcdef", 5),
            Err("must be at most 5 characters".to_owned())
        );
        assert!(required_text("a\u{0}b", 5).is_err());
        assert_eq!(optional_text(Some(" "), 5), Ok(None));
        assert_eq!(optional_text(None, 5), Ok(None));
        assert_eq!(
            required_paragraphs(" a\r\nb\tc\r", 9),
            Ok("a\nb\tc".to_owned())
        );
        assert!(required_paragraphs("a\u{7}b", 9).is_err());
        assert_eq!(required_paragraphs("\n", 9), Err("is required".to_owned()));
    }

    #[test]
    fn errors_collect_every_field() {
        let mut errors = Errors::new();
        let a = errors.check("a", required_text("", 3));
        let b = errors.check("b", required_text("toolong", 3));
        let result = errors.finish(|| a.zip(b));
        let invalid = result.unwrap_err();
        assert_eq!(invalid.fields().len(), 2);
        assert_eq!(
            invalid.to_string(),
            "a: is required; b: must be at most 3 characters"
        );
    }
}
