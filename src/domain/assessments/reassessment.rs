//! When a case's next assessment is due, under its program's rule: every
//! so many months after the last one, and within a month of the start of
//! supervision (if none was made) or of a change of status.

use chrono::{Duration, Months, NaiveDate};

/// Days within which a first assessment, or a reassessment after a change
/// of status, is due.
pub const WITHIN_DAYS: i64 = 30;

/// The day the next assessment is due after one completed `on`.
pub fn next_after(on: NaiveDate, months: u32) -> NaiveDate {
    on.checked_add_months(Months::new(months))
        .unwrap_or(NaiveDate::MAX)
}

/// The day an assessment is due after an event `on` (the start of
/// supervision, a change of status), unless one is due sooner already.
pub fn due_after_event(on: NaiveDate, due: Option<NaiveDate>) -> NaiveDate {
    let by = on + Duration::days(WITHIN_DAYS);
    due.map_or(by, |due| due.min(by))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_next_is_due_months_later_or_within_a_month_of_an_event() {
        assert_eq!(next_after(day("2026-08-31"), 6), day("2027-02-28"));
        assert_eq!(due_after_event(day("2026-12-07"), None), day("2027-01-06"));
        assert_eq!(
            due_after_event(day("2026-12-07"), Some(day("2026-12-20"))),
            day("2026-12-20"),
            "one due sooner stands"
        );
        assert_eq!(
            due_after_event(day("2026-12-07"), Some(day("2027-05-01"))),
            day("2027-01-06")
        );
    }
}
