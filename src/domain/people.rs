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

/// Lower-case letters only, accents folded, so "O'Brien" ~ "obrien",
/// "José" ~ "jose", "GARCÍA" ~ "garcia": how names are compared and searched.
pub fn fold(s: &str) -> String {
    use unicode_normalization::char::is_combining_mark;
    use unicode_normalization::UnicodeNormalization as _;
    s.nfd()
        .filter(|c| c.is_alphabetic() && !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The American Soundex code of a folded word ("garcia" → "G620"): names
/// that sound alike, or differ by a typo after the first letter, share it.
pub fn soundex(folded: &str) -> String {
    let digit = |c: char| match c {
        'b' | 'f' | 'p' | 'v' => Some('1'),
        'c' | 'g' | 'j' | 'k' | 'q' | 's' | 'x' | 'z' => Some('2'),
        'd' | 't' => Some('3'),
        'l' => Some('4'),
        'm' | 'n' => Some('5'),
        'r' => Some('6'),
        _ => None,
    };
    let mut letters = folded.chars().filter(char::is_ascii_alphabetic);
    let Some(first) = letters.next() else {
        return String::new();
    };
    let mut code = first.to_ascii_uppercase().to_string();
    let mut last = digit(first);
    for c in letters {
        let d = digit(c);
        if d.is_some() && d != last {
            code.extend(d);
        }
        // 'h' and 'w' do not separate letters of one code; vowels do.
        if !matches!(c, 'h' | 'w') {
            last = d;
        }
        if code.len() == 4 {
            break;
        }
    }
    format!("{code:0<4}")
}

labelled_enum! {
    /// Which part of a name a search key comes from.
    pub enum NameField ("name field") {
        First => ("first", "First name"),
        Last => ("last", "Family name"),
    }
}

/// A key a person is found by: a folded word of one of their names (and
/// the whole of a name of several words), with its Soundex code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameKey {
    pub part: NameField,
    pub key: String,
    pub sound: String,
}

/// The keys of a name: each word of its first and family names, and each
/// name of several words whole ("De la Cruz": "de", "la", "cruz", "delacruz").
pub fn name_keys(name: &PersonName) -> Vec<NameKey> {
    let mut keys = Vec::new();
    for (part, text) in [
        (NameField::First, &name.first),
        (NameField::Last, &name.last),
    ] {
        let mut words: Vec<String> = text
            .split(|c: char| c.is_whitespace() || c == '-')
            .map(fold)
            .filter(|w| !w.is_empty())
            .collect();
        if words.len() > 1 {
            words.push(words.concat());
        }
        words.dedup();
        keys.extend(words.into_iter().map(|key| NameKey {
            part,
            sound: soundex(&key),
            key,
        }));
    }
    keys
}

/// How a searched word matched a name: as its beginning, or as the whole
/// name with a typo or two (a distance).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NameMatch {
    Prefix,
    Near(usize),
}

/// Whether `key` (a folded name word) matches the folded search word
/// `term`: it begins with it, or is within a typo of it (one for a word of
/// four to seven letters, two for a longer one; none for a shorter).
pub fn name_match(term: &str, key: &str) -> Option<NameMatch> {
    if key.starts_with(term) {
        return Some(NameMatch::Prefix);
    }
    let allowed = match term.chars().count() {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    };
    let distance = strsim::damerau_levenshtein(term, key);
    (distance <= allowed).then_some(NameMatch::Near(distance))
}

/// A searched word, folded, and the part of a name it must match: a word
/// searched alone may be either.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameTerm {
    pub word: String,
    pub part: Option<NameField>,
}

impl NameTerm {
    pub fn new(word: &str, part: Option<NameField>) -> Option<Self> {
        let word = fold(word);
        (!word.is_empty()).then_some(Self { word, part })
    }
}

/// The people whose keys answer every term, best first: the fewest typos,
/// then as given. Each comes with its total distance (0: every term began
/// one of their names).
pub fn rank_by_name<P: Copy + Ord>(
    terms: &[NameTerm],
    keys: &[(P, NameField, &str)],
) -> Vec<(P, usize)> {
    let mut by_person: std::collections::BTreeMap<P, Vec<(NameField, &str)>> = Default::default();
    for &(person, part, key) in keys {
        by_person.entry(person).or_default().push((part, key));
    }
    let distance = |m: NameMatch| match m {
        NameMatch::Prefix => 0,
        NameMatch::Near(d) => d,
    };
    let mut ranked: Vec<(P, usize)> = by_person
        .into_iter()
        .filter_map(|(person, own)| {
            let mut total = 0;
            for term in terms {
                let best = own
                    .iter()
                    .filter(|(part, _)| term.part.is_none_or(|p| p == *part))
                    .filter_map(|(_, key)| name_match(&term.word, key).map(distance))
                    .min()?;
                total += best;
            }
            Some((person, total))
        })
        .collect();
    ranked.sort_by_key(|&(_, total)| total);
    ranked
}

/// How alike two names are, 0..1, allowing for first and last swapped.
pub fn name_similarity(a: &PersonName, b: &PersonName) -> f64 {
    let (af, al) = (fold(&a.first), fold(&a.last));
    let (bf, bl) = (fold(&b.first), fold(&b.last));
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

    #[test]
    fn names_fold_and_sound_alike() {
        assert_eq!(fold("García-López"), "garcialopez");
        assert_eq!(fold("O'Brien"), "obrien");
        assert_eq!(fold("ÑÚÑEZ"), "nunez");
        assert_eq!(soundex("garcia"), "G620");
        assert_eq!(soundex("garica"), "G620", "a transposition sounds alike");
        assert_eq!(soundex("robert"), "R163");
        assert_eq!(soundex("rupert"), "R163");
        assert_eq!(soundex("ashcraft"), "A261", "h does not separate a code");
        assert_eq!(soundex("lee"), "L000");
        let keys: Vec<String> = name_keys(&PersonName {
            first: "Ana María".into(),
            middle: None,
            last: "De la Cruz".into(),
        })
        .into_iter()
        .map(|k| format!("{}:{}", k.part.label(), k.key))
        .collect();
        assert_eq!(
            keys,
            [
                "first:ana",
                "first:maria",
                "first:anamaria",
                "last:de",
                "last:la",
                "last:cruz",
                "last:delacruz"
            ]
        );
    }

    #[test]
    fn a_search_forgives_accents_case_and_a_typo() {
        assert_eq!(name_match("garc", "garcia"), Some(NameMatch::Prefix));
        assert_eq!(name_match("garica", "garcia"), Some(NameMatch::Near(1)));
        assert_eq!(name_match("lea", "lee"), None, "too short to guess");
        assert_eq!(name_match("johnsen", "johnson"), Some(NameMatch::Near(1)));
        assert_eq!(name_match("jonhsonn", "johnson"), Some(NameMatch::Near(2)));
        let terms = [
            NameTerm::new("García", Some(NameField::Last)).unwrap(),
            NameTerm::new("Ana", Some(NameField::First)).unwrap(),
        ];
        let keys = [
            (1, NameField::Last, "garica"),
            (1, NameField::First, "ana"),
            (2, NameField::Last, "garcia"),
            (2, NameField::First, "anabel"),
            (3, NameField::Last, "garcia"),
            (3, NameField::First, "bea"),
            (4, NameField::First, "garcia"),
            (4, NameField::Last, "ana"),
        ];
        assert_eq!(
            rank_by_name(&terms, &keys),
            [(2, 0), (1, 1)],
            "the exact first, the typo next; a wrong first name or swapped parts are no match"
        );
        let either = [NameTerm::new("ana", None).unwrap()];
        let found: Vec<i32> = rank_by_name(&either, &keys)
            .into_iter()
            .map(|(p, _)| p)
            .collect();
        assert_eq!(
            found,
            [1, 2, 4],
            "a word alone matches a first or a family name"
        );
        assert_eq!(NameTerm::new("'-", None), None);
    }

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
