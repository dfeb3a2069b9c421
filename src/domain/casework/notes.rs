//! Case notes: their kinds, the words of a text as search and the risk
//! lexicon see them (lower-cased English stems, so "relapsed" matches
//! "relapse" and "threatened" matches "threat"), and a text cut into plain
//! and highlighted runs for display.

use crate::domain::input::{Paragraphs, Text};
use crate::labelled_enum;
use rust_stemmers::{Algorithm, Stemmer};
use serde::Serialize;
use std::collections::BTreeSet;

labelled_enum! {
    /// Whether a note's or an addendum's text is the text that was signed:
    /// each signed text's keyed digest is kept beside it, and its text is
    /// held against it wherever it is shown and by `bridgeway check`.
    pub enum TextCheck ("signed text check") {
        Draft => ("draft", "Not signed yet"),
        Intact => ("intact", "The text as signed"),
        Altered => ("altered", "Changed since it was signed"),
        Unanchored => ("unanchored", "Signed before digests were kept"),
    }
}

impl TextCheck {
    /// The check of a text against the digest `kept` when it was signed;
    /// `now` makes the text's digest as it stands.
    pub fn of(signed: bool, kept: Option<&str>, now: impl FnOnce() -> String) -> Self {
        match (signed, kept) {
            (false, _) => Self::Draft,
            (true, None) => Self::Unanchored,
            (true, Some(kept)) if kept == now() => Self::Intact,
            (true, Some(_)) => Self::Altered,
        }
    }
}

labelled_enum! {
    pub enum NoteKind ("kind of note") {
        Contact => ("contact", "Contact"),
        Collateral => ("collateral", "Collateral contact"),
        Court => ("court", "Court"),
        SupervisorReview => ("supervisor_review", "Supervisor review"),
        General => ("general", "General"),
    }
}

/// A note's or an addendum's text: at most 20,000 characters.
pub type NoteText = Paragraphs<20_000>;

/// Words to search notes for, as typed.
pub type NoteQuery = Text<500>;

/// The most words a search may name.
pub const MAX_QUERY_WORDS: usize = 12;

/// Words too common to search by.
const STOPWORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "he", "her", "his", "i", "in",
    "is", "it", "of", "on", "or", "she", "that", "the", "they", "this", "to", "was", "we", "were",
    "with", "you",
];

/// A word of a text: its byte range and its stem.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Word {
    start: usize,
    end: usize,
    stem: String,
}

fn words(text: &str) -> Vec<Word> {
    let stemmer = Stemmer::create(Algorithm::English);
    let mut found = Vec::new();
    let mut start = None;
    for (i, ch) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        match (ch.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                let lower = text[s..i].to_lowercase();
                found.push(Word {
                    start: s,
                    end: i,
                    stem: stemmer.stem(&lower).into_owned(),
                });
                start = None;
            }
            _ => {}
        }
    }
    found
}

fn searchable(word: &Word) -> bool {
    !STOPWORDS.contains(&word.stem.as_str())
}

/// The stems a note is indexed under, in order, repeats kept (they weigh
/// in the ranking).
pub fn index_terms(text: &str) -> Vec<String> {
    words(text)
        .into_iter()
        .filter(searchable)
        .map(|w| w.stem)
        .collect()
}

/// The distinct stems a search asks for, or why it cannot run.
pub fn query_terms(query: &str) -> Result<Vec<String>, String> {
    let all = words(query);
    let terms: BTreeSet<String> = all
        .iter()
        .filter(|w| searchable(w))
        .map(|w| w.stem.clone())
        .collect();
    if terms.is_empty() {
        return Err(if all.is_empty() {
            "give at least one word to search for".to_owned()
        } else {
            "give at least one word that is not as common as 'the' or 'and'".to_owned()
        });
    }
    if terms.len() > MAX_QUERY_WORDS {
        return Err(format!("give at most {MAX_QUERY_WORDS} words"));
    }
    Ok(terms.into_iter().collect())
}

/// Finds phrases (a word, or words in a row such as "lost job") in texts,
/// by stem.
#[derive(Debug, Clone, Default)]
pub struct Matcher {
    phrases: Vec<Vec<String>>,
    /// Whether a phrase's longer stems also match words they begin.
    by_prefix: bool,
}

/// The shortest stem that also matches the words it begins, in a lexicon.
const MIN_PREFIX: usize = 5;

impl Matcher {
    /// Matches words with exactly the phrases' stems (what search finds).
    pub fn new<S: AsRef<str>>(phrases: impl IntoIterator<Item = S>) -> Self {
        let phrases = phrases
            .into_iter()
            .map(|p| {
                words(p.as_ref())
                    .into_iter()
                    .map(|w| w.stem)
                    .collect::<Vec<_>>()
            })
            .filter(|p| !p.is_empty())
            .collect();
        Self {
            phrases,
            by_prefix: false,
        }
    }

    /// Matches each of `stems` (as `query_terms` gives them) alone.
    pub fn of_stems(stems: &[String]) -> Self {
        Self {
            phrases: stems.iter().map(|s| vec![s.clone()]).collect(),
            by_prefix: false,
        }
    }

    /// A risk lexicon: a stem of five letters or more also matches the words
    /// it begins, since stemming keeps derived words apart ("threat",
    /// "threatened"; "weapon", "weaponry").
    pub fn lexicon<S: AsRef<str>>(phrases: impl IntoIterator<Item = S>) -> Self {
        Self {
            by_prefix: true,
            ..Self::new(phrases)
        }
    }

    fn word_matches(&self, word: &str, stem: &str) -> bool {
        word == stem
            || (self.by_prefix && stem.chars().count() >= MIN_PREFIX && word.starts_with(stem))
    }

    /// The byte ranges of `text` that match, in order, overlapping ones merged.
    pub fn spans(&self, text: &str) -> Vec<(usize, usize)> {
        let words = words(text);
        let mut spans: Vec<(usize, usize)> = Vec::new();
        for i in 0..words.len() {
            for phrase in &self.phrases {
                let Some(window) = words.get(i..i + phrase.len()) else {
                    continue;
                };
                let (Some(first), Some(last)) = (window.first(), window.last()) else {
                    continue;
                };
                if window
                    .iter()
                    .zip(phrase)
                    .all(|(w, p)| self.word_matches(&w.stem, p))
                {
                    spans.push((first.start, last.end));
                }
            }
        }
        spans.sort_unstable();
        spans.dedup_by(|next, kept| {
            let overlaps = next.0 <= kept.1;
            if overlaps {
                kept.1 = kept.1.max(next.1);
            }
            overlaps
        });
        spans
    }
}

/// The distinct words of `text` at `spans`, lower-cased, in order.
pub fn spanned_words(text: &str, spans: &[(usize, usize)]) -> Vec<String> {
    let mut seen = Vec::new();
    for &(s, e) in spans {
        let m = text[s..e].to_lowercase();
        if !seen.contains(&m) {
            seen.push(m);
        }
    }
    seen
}

/// A piece of a text shown plain or highlighted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Run {
    pub text: String,
    pub marked: bool,
}

/// `text` cut at `spans` (as `Matcher::spans` gives them).
pub fn runs(text: &str, spans: &[(usize, usize)]) -> Vec<Run> {
    let mut out = Vec::new();
    let mut at = 0;
    let mut push = |text: &str, marked| {
        if !text.is_empty() {
            out.push(Run {
                text: text.to_owned(),
                marked,
            });
        }
    };
    for &(s, e) in spans {
        push(&text[at..s], false);
        push(&text[s..e], true);
        at = e;
    }
    push(&text[at..], false);
    out
}

/// Up to about `width` bytes of `text` around its first match, cut at
/// word boundaries, with the matches in it highlighted.
pub fn excerpt(text: &str, spans: &[(usize, usize)], width: usize) -> Vec<Run> {
    let first = spans.first().map_or(0, |s| s.0);
    let from = floor_boundary(text, first.saturating_sub(width / 3));
    let from = if from == 0 {
        0
    } else {
        text[from..]
            .find(char::is_whitespace)
            .map_or(from, |i| from + i + 1)
    };
    let to = floor_boundary(text, (from + width).min(text.len()));
    let to = if to == text.len() {
        to
    } else {
        text[..to]
            .rfind(char::is_whitespace)
            .filter(|&i| i > from)
            .unwrap_or(to)
    };
    let inside: Vec<(usize, usize)> = spans
        .iter()
        .filter(|(s, e)| *s >= from && *e <= to)
        .map(|(s, e)| (s - from, e - from))
        .collect();
    let mut out = runs(&text[from..to], &inside);
    let ellipsis = |out: &mut Vec<Run>, front: bool| {
        let run = Run {
            text: "…".to_owned(),
            marked: false,
        };
        if front {
            out.insert(0, run);
        } else {
            out.push(run);
        }
    };
    if from > 0 {
        ellipsis(&mut out, true);
    }
    if to < text.len() {
        ellipsis(&mut out, false);
    }
    out
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_text_is_held_against_its_digest() {
        let now = || "abc".to_owned();
        assert_eq!(TextCheck::of(false, None, now), TextCheck::Draft);
        assert_eq!(TextCheck::of(true, None, now), TextCheck::Unanchored);
        assert_eq!(TextCheck::of(true, Some("abc"), now), TextCheck::Intact);
        assert_eq!(TextCheck::of(true, Some("abd"), now), TextCheck::Altered);
    }

    fn matched(m: &Matcher, text: &str) -> Vec<String> {
        spanned_words(text, &m.spans(text))
    }

    fn marked(runs: &[Run]) -> Vec<&str> {
        runs.iter()
            .filter(|r| r.marked)
            .map(|r| r.text.as_str())
            .collect()
    }

    #[test]
    fn the_lexicon_matches_by_stem_and_phrase() {
        let lexicon = Matcher::lexicon(["relapse", "weapon", "lost job", "threat"]);
        let text = "He said he relapsed Friday, LOST his JOB? No: he lost job leads. Threatened a \
                    neighbour.";
        assert_eq!(
            matched(&lexicon, text),
            vec!["relapsed", "lost job", "threatened"]
        );
        let runs = runs(text, &lexicon.spans(text));
        assert_eq!(marked(&runs), vec!["relapsed", "lost job", "Threatened"]);
        let whole: String = runs.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(whole, text);
    }

    #[test]
    fn words_inside_other_words_do_not_match() {
        let lexicon = Matcher::lexicon(["gun", "weapon"]);
        assert!(matched(&lexicon, "Gunther begun the shotgun talk").is_empty());
        assert_eq!(matched(&lexicon, "weaponry"), vec!["weaponry"]);
        assert!(matched(&Matcher::new(["weapon"]), "weaponry").is_empty());
        assert_eq!(matched(&lexicon, "a gun, two guns"), vec!["gun", "guns"]);
    }

    #[test]
    fn searches_name_words_that_are_not_stopwords() {
        assert_eq!(
            query_terms("Employment the EMPLOYED").unwrap(),
            vec!["employ"]
        );
        assert!(query_terms("the and").unwrap_err().contains("common"));
        assert!(query_terms(" !? ")
            .unwrap_err()
            .contains("at least one word"));
        let many = (0..13)
            .map(|i| format!("word{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        assert!(query_terms(&many).unwrap_err().contains("at most 12"));
        assert_eq!(index_terms("The job, the jobs"), vec!["job", "job"]);
        let relapse = query_terms("relapse").unwrap();
        assert_eq!(
            matched(&Matcher::of_stems(&relapse), "Relapsed, relapsing"),
            vec!["relapsed", "relapsing"]
        );
    }

    #[test]
    fn an_excerpt_centres_on_the_first_match() {
        let text = format!(
            "{} eviction notice served {}",
            "word ".repeat(100),
            "tail ".repeat(100)
        );
        let spans = Matcher::new(["eviction"]).spans(&text);
        let runs = excerpt(&text, &spans, 120);
        assert_eq!(runs.first().unwrap().text, "…");
        assert_eq!(runs.last().unwrap().text, "…");
        assert_eq!(marked(&runs), vec!["eviction"]);
        let shown: usize = runs.iter().map(|r| r.text.len()).sum();
        assert!(shown <= 130, "{shown}");
        assert_eq!(
            excerpt("short", &[], 120),
            vec![Run {
                text: "short".into(),
                marked: false
            }]
        );
    }

    #[test]
    fn accented_text_is_cut_on_character_boundaries() {
        let text = "é".repeat(200);
        let runs = excerpt(&text, &[], 101);
        assert!(runs.iter().all(|r| !r.text.is_empty()));
    }
}
