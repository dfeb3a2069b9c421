//! What a participant's timeline holds: its kinds of moments.

use crate::labelled_enum;
use chrono::{DateTime, Utc};

labelled_enum! {
    /// A kind of moment on the timeline, by which it can be filtered.
    pub enum MomentKind ("timeline entry") {
        Status => ("status", "Status changes"),
        Contact => ("contact", "Contacts"),
        Appointment => ("appointment", "Appointments"),
        DrugTest => ("drug_test", "Drug tests"),
        Progress => ("progress", "Progress on conditions"),
        Note => ("note", "Notes"),
        Message => ("message", "Messages"),
        Alert => ("alert", "Alerts"),
        Assessment => ("assessment", "Assessments and supervision levels"),
        CasePlan => ("case_plan", "Case plans"),
    }
}

/// What part of the timeline to show: every kind or one, how far back
/// (each kind's latest `depth` moments on each case) and, paging through
/// the whole history, the moments before which time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimelineQuery {
    pub kind: Option<MomentKind>,
    pub depth: Depth,
    /// Only moments before this (the page after one that ended there).
    pub before: Option<DateTime<Utc>>,
}

/// How many moments a page of the whole history holds (more when moments
/// at the page's last time would be split).
pub const PAGE: usize = 200;

/// One page of `moments` (newest first): those before `before`, at most
/// [`PAGE`] but never parting moments of the same time; and where the next
/// page begins when older ones remain.
pub fn page<T>(
    moments: Vec<T>,
    at: impl Fn(&T) -> DateTime<Utc>,
    before: Option<DateTime<Utc>>,
) -> (Vec<T>, Option<DateTime<Utc>>) {
    let mut kept: Vec<T> = moments
        .into_iter()
        .filter(|m| before.is_none_or(|b| at(m) < b))
        .collect();
    let Some(last) = kept.get(PAGE.saturating_sub(1)).map(&at) else {
        return (kept, None);
    };
    let end = kept.iter().position(|m| at(m) < last).unwrap_or(kept.len());
    let older = (end < kept.len()).then_some(last);
    kept.truncate(end);
    (kept, older)
}

/// How many of each kind of moment a case contributes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Depth {
    /// The latest fifty: the participant page as it opens.
    #[default]
    Recent,
    /// Years of history: up to a thousand.
    Whole,
}

impl Depth {
    pub fn per_kind(self) -> i64 {
        match self {
            Self::Recent => 50,
            Self::Whole => 1_000,
        }
    }
}

impl TimelineQuery {
    /// Whether moments of `kind` are shown.
    pub fn shows(self, kind: MomentKind) -> bool {
        self.kind.is_none_or(|k| k == kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_follow_on_without_parting_moments_of_one_time() {
        let start: DateTime<Utc> = "2026-11-18T19:00:00Z".parse().unwrap();
        // Newest first, a minute apart, the 200th and 201st at one time.
        let mut moments: Vec<DateTime<Utc>> = (0..450)
            .map(|n| start - chrono::Duration::minutes(n))
            .collect();
        moments[200] = moments[199];
        let (first, next) = page(moments.clone(), |m| *m, None);
        assert_eq!(
            first.len(),
            201,
            "the moment sharing the last time comes along"
        );
        assert_eq!(next, Some(moments[199]));
        let (second, next) = page(moments.clone(), |m| *m, next);
        assert_eq!(second.first(), moments.get(201));
        assert_eq!(second.len(), 200);
        let (third, last) = page(moments.clone(), |m| *m, next);
        assert_eq!(third.len(), 49);
        assert_eq!(last, None, "nothing older");
    }
}
