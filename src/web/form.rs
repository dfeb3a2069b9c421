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
    /// The save was refused on a stale version (`absorb`): the page
    /// reconciles the form with the record as stored (`reconcile`).
    stale: bool,
    /// Fields someone else saved after the form was opened.
    changes: BTreeMap<String, Change>,
}

/// A field someone else saved after the form was opened (`reconcile`).
#[derive(Debug, Clone)]
pub struct Change {
    /// Their value, as stored now.
    pub theirs: String,
    /// How their value is shown (a name for an id; "(blank)" for nothing).
    pub shown: String,
    /// You changed the field too, to something else: the form holds yours.
    pub both: bool,
}

/// The hidden field that carries the values an edit form was opened with.
const OPENED_WITH: &str = "opened_with";

/// Fields that are not the record's: never compared.
const NOT_FIELDS: [&str; 3] = ["version", OPENED_WITH, crate::web::once::FORM_FIELD];

impl FormState {
    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> Self {
        Self {
            values: pairs.into_iter().collect(),
            ..Self::default()
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

    /// The ids of the ticked checkboxes named `<prefix><id>` (one a row of
    /// a list), read as `T`.
    pub fn ticked<T: FromStr>(&self, prefix: &str) -> Result<Vec<T>, T::Err> {
        self.values
            .keys()
            .filter_map(|k| k.strip_prefix(prefix))
            .map(str::parse)
            .collect()
    }

    /// Was `name` sent (the form it belongs to is the one submitted)?
    pub fn holds(&self, name: &str) -> bool {
        self.values.contains_key(name)
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
                self.stale = true;
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

    /// Remembers the values an edit form is opened with (in a hidden
    /// field, `m::opened`), so that a save refused on a stale version can
    /// tell the other person's changes from this one's.
    pub fn opened(mut self) -> Self {
        let opened = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(self.record_values())
            .finish();
        self.values.insert(OPENED_WITH.to_owned(), opened);
        self
    }

    fn record_values(&self) -> impl Iterator<Item = (&String, &String)> {
        self.values
            .iter()
            .filter(|(name, _)| !NOT_FIELDS.contains(&name.as_str()))
    }

    /// After a save refused on a stale version: merges into this form what
    /// someone else saved meanwhile (`stored`, the form filled from the
    /// record now, `opened`). A field only they changed takes their value;
    /// a field only this person changed keeps theirs; where both changed it
    /// the form keeps this person's value and shows the other beside it.
    /// The form then stands on the stored version: saved again, it keeps
    /// what it shows, and nothing is overwritten unseen. Does nothing
    /// unless the save was refused on a stale version.
    pub fn reconcile(&mut self, stored: &FormState) {
        if !self.stale {
            return;
        }
        // Without the values it was opened with (a form from an older
        // page), every difference counts as theirs.
        let opened: BTreeMap<String, String> = match self.values.get(OPENED_WITH) {
            Some(raw) => form_urlencoded::parse(raw.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
            None => self
                .record_values()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        };
        let names: std::collections::BTreeSet<String> = stored
            .record_values()
            .map(|(k, _)| k.clone())
            .chain(opened.keys().cloned())
            .collect();
        for name in names {
            let was = opened.get(&name).map_or("", String::as_str);
            let theirs = stored.v(&name);
            let mine = self.v(&name);
            if theirs == was || theirs == mine {
                continue;
            }
            let both = mine != was;
            let change = Change {
                theirs: theirs.to_owned(),
                shown: if theirs.is_empty() { "(blank)" } else { theirs }.to_owned(),
                both,
            };
            if !both {
                self.values.insert(name.clone(), theirs.to_owned());
            }
            self.changes.insert(name, change);
        }
        for name in ["version", OPENED_WITH] {
            self.values
                .insert(name.to_owned(), stored.v(name).to_owned());
        }
        self.errors.retain(|e| e.field != "version");
        let message = match (self.changes.len(), self.changes.values().any(|c| c.both)) {
            (0, _) => "someone else saved this record after you opened the form, but none of \
                       the fields here: save again to keep what the form shows"
                .to_owned(),
            (n, false) => format!(
                "someone else saved this record after you opened the form: their change to \
                 {n} field{} (marked) is now in the form beside yours; check it, then save \
                 again, or discard your changes",
                if n == 1 { "" } else { "s" }
            ),
            (n, true) => format!(
                "someone else saved this record after you opened the form and changed {n} \
                 field{} (marked); where you both changed a field the form holds yours and \
                 theirs is shown beside it: choose, then save again, or discard your changes",
                if n == 1 { "" } else { "s" }
            ),
        };
        self.add_error("version", message);
    }

    /// Was the save refused on a stale version, and the form reconciled?
    pub fn reconciled(&self) -> bool {
        self.stale
    }

    /// What someone else saved in `name` meanwhile, after `reconcile`.
    pub fn change(&self, name: &str) -> Option<&Change> {
        self.changes.get(name)
    }

    /// Shows the other person's value of `name` as `show` says (a name for
    /// an id).
    pub fn show_change_as(&mut self, name: &str, show: impl FnOnce(&str) -> Option<String>) {
        if let Some(change) = self.changes.get_mut(name) {
            if let Some(shown) = show(&change.theirs) {
                change.shown = shown;
            }
        }
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

/// A field's path as people read it in an error summary:
/// `person.date_of_birth` is "Date of birth", `charges[1].level` is "Charge 2
/// level", `program_id` is "Program".
pub fn label_of(name: &str) -> String {
    let mut words = Vec::new();
    for part in name.split('.') {
        let (part, index) = match part.split_once('[') {
            Some((base, rest)) => (base, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (part, None),
        };
        match index {
            Some(i) => words.push(format!("{} {}", part.trim_end_matches('s'), i + 1)),
            None if matches!(part, "person" | "case") => {}
            None => words.push(part.trim_end_matches("_id").replace('_', " ")),
        }
    }
    let label = words.join(" ");
    let mut chars = label.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
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

    #[test]
    fn fields_are_named_as_people_read_them() {
        assert_eq!(label_of("person.date_of_birth"), "Date of birth");
        assert_eq!(label_of("charges[1].level"), "Charge 2 level");
        assert_eq!(label_of("program_id"), "Program");
        assert_eq!(label_of("case.officer_id"), "Officer");
        assert_eq!(label_of("amount"), "Amount");
    }

    fn form(pairs: &[(&str, &str)]) -> FormState {
        FormState::from_pairs(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())))
    }

    #[test]
    fn a_stale_save_merges_theirs_and_keeps_mine() {
        let opened = form(&[("version", "1"), ("a", "x"), ("b", "y"), ("c", "z")]).opened();
        let mut mine = opened.clone().with("b", "mine").with("c", "mine too");
        let stored = form(&[
            ("version", "2"),
            ("a", "theirs"),
            ("b", "y"),
            ("c", "their c"),
        ])
        .opened();
        mine.reconcile(&stored);
        assert!(mine.change("a").is_none(), "not stale: nothing happens");
        mine.absorb(AppError::StaleVersion("case")).unwrap();
        mine.reconcile(&stored);
        assert_eq!(mine.v("a"), "theirs", "only they changed it: taken in");
        assert!(!mine.change("a").unwrap().both);
        assert_eq!(mine.v("b"), "mine", "only I changed it: kept");
        assert!(mine.change("b").is_none());
        assert_eq!(
            mine.v("c"),
            "mine too",
            "both changed it: the form holds mine"
        );
        assert!(mine.change("c").unwrap().both);
        assert_eq!(mine.change("c").unwrap().shown, "their c");
        assert_eq!(
            mine.v("version"),
            "2",
            "the form stands on the stored version"
        );
        assert_eq!(mine.v(OPENED_WITH), stored.v(OPENED_WITH));
        assert!(mine.err("version").unwrap().contains("changed 2 fields"));
    }
}
