//! Conditions of supervision and the progress a participant makes toward
//! them: what kind, how much (hours, sessions, dollars), by when, how each
//! entry was verified, and the status that follows.

use crate::labelled_enum;
use chrono::NaiveDate;
use std::fmt;

labelled_enum! {
    pub enum ConditionKind ("condition kind") {
        CommunityService => ("community_service", "Community service"),
        Classes => ("classes", "Classes or sessions"),
        Treatment => ("treatment", "Treatment completion"),
        Testing => ("testing", "Drug and alcohol testing"),
        Reporting => ("reporting", "Reporting schedule"),
        Curfew => ("curfew", "Curfew"),
        NoContact => ("no_contact", "No-contact order"),
        StayAway => ("stay_away", "Stay-away order"),
        EmploymentSchool => ("employment_school", "Employment or school"),
        Restitution => ("restitution", "Restitution"),
        Fees => ("fees", "Fees"),
        Custom => ("custom", "Other condition"),
    }
}

labelled_enum! {
    /// What a measurable target counts.
    pub enum Unit ("unit") {
        Hours => ("hours", "hours"),
        Sessions => ("sessions", "sessions"),
        Dollars => ("dollars", "dollars"),
    }
}

impl ConditionKind {
    /// The unit a kind is usually measured in, if any.
    pub fn usual_unit(self) -> Option<Unit> {
        match self {
            Self::CommunityService => Some(Unit::Hours),
            Self::Classes | Self::Treatment => Some(Unit::Sessions),
            Self::Restitution | Self::Fees => Some(Unit::Dollars),
            _ => None,
        }
    }
}

labelled_enum! {
    /// How a progress entry is known to be true.
    pub enum Verification ("verification") {
        Staff => ("staff", "Verified by staff"),
        Provider => ("provider", "Verified by the provider"),
        Document => ("document", "Verified by a document"),
        SelfReported => ("self_reported", "Self-reported"),
    }
}

labelled_enum! {
    /// What the court did to a condition.
    pub enum CourtAction ("court action") {
        Waived => ("waived", "Waived by the court"),
        Modified => ("modified", "Modified by the court"),
    }
}

labelled_enum! {
    pub enum ConditionStatus ("condition status") {
        Pending => ("pending", "Pending"),
        InProgress => ("in_progress", "In progress"),
        Met => ("met", "Met"),
        Overdue => ("overdue", "Overdue"),
        Waived => ("waived", "Waived"),
        Modified => ("modified", "Modified by the court"),
    }
}

/// An amount in hundredths (1.5 hours is 150, $25.50 is 2550, 3 sessions is 300).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Quantity(pub i64);

/// Largest amount accepted: 10 million units.
const MAX_HUNDREDTHS: i64 = 1_000_000_000;

impl Quantity {
    /// A positive amount with at most two decimals.
    pub fn parse(value: f64) -> Result<Self, String> {
        if !value.is_finite() || value <= 0.0 {
            return Err("must be a positive number".into());
        }
        let hundredths = (value * 100.0).round();
        if (hundredths - value * 100.0).abs() > 1e-6 {
            return Err("may have at most two decimals".into());
        }
        if hundredths > MAX_HUNDREDTHS as f64 {
            return Err("is too large".into());
        }
        Ok(Self(hundredths as i64))
    }

    pub fn as_f64(self) -> f64 {
        self.0 as f64 / 100.0
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (whole, part) = (self.0 / 100, self.0 % 100);
        if part == 0 {
            write!(f, "{whole}")
        } else if part % 10 == 0 {
            write!(f, "{whole}.{}", part / 10)
        } else {
            write!(f, "{whole}.{part:02}")
        }
    }
}

impl Unit {
    /// The most one entry of progress can hold, if the unit bounds it: a
    /// day has 24 hours.
    fn most_in_one_entry(self) -> Option<Quantity> {
        match self {
            Self::Hours => Some(Quantity(24 * 100)),
            Self::Sessions | Self::Dollars => None,
        }
    }
}

/// Checks one entry of progress toward `target` (in `unit`): more than the
/// whole target in one entry, or more hours than a day holds, is a mistake
/// (a typo of 1,000,000 for 10) and refused. An entry that takes the total
/// past the target is accepted (the condition shows it is past).
pub fn check_entry(amount: Quantity, target: Quantity, unit: Unit) -> Result<(), String> {
    if let Some(most) = unit.most_in_one_entry().filter(|most| amount > *most) {
        return Err(format!(
            "is more than one day holds ({most} {}); record each day on its own",
            unit.label()
        ));
    }
    if amount > target {
        return Err(format!(
            "is more than the whole requirement ({target} {}); check the amount",
            unit.label()
        ));
    }
    Ok(())
}

/// What decides a condition's status.
#[derive(Debug, Clone, Copy)]
pub struct StatusFacts {
    pub target: Option<Quantity>,
    /// Sum of progress entries (verified or not).
    pub done: Quantity,
    /// Whether any progress was recorded.
    pub any_progress: bool,
    /// Staff marked a condition without a measurable target as met.
    pub marked_met: bool,
    pub due: Option<NaiveDate>,
    pub court_action: Option<CourtAction>,
}

impl ConditionStatus {
    /// The status that follows from the facts on `today`. A waiver ends the
    /// condition; a modification is shown until the modified condition is met.
    pub fn derive(f: &StatusFacts, today: NaiveDate) -> Self {
        let met = match f.target {
            Some(target) => f.done >= target,
            None => f.marked_met,
        };
        match f.court_action {
            Some(CourtAction::Waived) => return Self::Waived,
            _ if met => return Self::Met,
            Some(CourtAction::Modified) if f.due.is_none_or(|d| d >= today) => {
                return Self::Modified
            }
            _ => {}
        }
        if f.due.is_some_and(|d| d < today) {
            Self::Overdue
        } else if f.any_progress {
            Self::InProgress
        } else {
            Self::Pending
        }
    }

    /// Whether the condition still asks something of the participant.
    pub fn is_open(self) -> bool {
        !matches!(self, Self::Met | Self::Waived)
    }
}

/// How far along the participant is: the share of the target done (0 to
/// 100), for measurable conditions.
pub fn percent(done: Quantity, target: Quantity) -> u8 {
    if target.0 <= 0 {
        return 0;
    }
    ((done.0.min(target.0) * 100) / target.0) as u8
}

/// Whether progress lags the schedule: less done than the share of the
/// time between `start` and `due` that has passed (used to warn before a
/// condition is overdue).
pub fn behind_schedule(
    done: Quantity,
    target: Quantity,
    start: NaiveDate,
    due: NaiveDate,
    today: NaiveDate,
) -> bool {
    let span = (due - start).num_days();
    if span <= 0 || today <= start {
        return false;
    }
    let elapsed = (today - start).num_days().min(span);
    done.0 * span < target.0 * elapsed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_past_a_day_or_the_whole_target_is_refused() {
        let hours = |h: i64| Quantity(h * 100);
        assert_eq!(check_entry(hours(8), hours(80), Unit::Hours), Ok(()));
        assert!(check_entry(hours(25), hours(80), Unit::Hours)
            .unwrap_err()
            .contains("one day holds (24 hours)"));
        assert!(check_entry(hours(1_000_000), hours(80), Unit::Hours).is_err());
        assert!(
            check_entry(Quantity(90_000), Quantity(50_000), Unit::Dollars)
                .unwrap_err()
                .contains("whole requirement (500 dollars)")
        );
        assert_eq!(check_entry(hours(12), hours(12), Unit::Sessions), Ok(()));
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn facts(target: Option<i64>, done: i64) -> StatusFacts {
        StatusFacts {
            target: target.map(Quantity),
            done: Quantity(done),
            any_progress: done > 0,
            marked_met: false,
            due: Some(d("2026-12-31")),
            court_action: None,
        }
    }

    #[test]
    fn quantities_take_two_decimals() {
        assert_eq!(Quantity::parse(1.5), Ok(Quantity(150)));
        assert_eq!(Quantity::parse(25.75), Ok(Quantity(2575)));
        assert!(Quantity::parse(0.0).is_err());
        assert!(Quantity::parse(-2.0).is_err());
        assert!(Quantity::parse(1.234).is_err());
        assert!(Quantity::parse(f64::NAN).is_err());
        assert!(Quantity::parse(1e12).is_err());
        assert_eq!(Quantity(150).to_string(), "1.5");
        assert_eq!(Quantity(2575).to_string(), "25.75");
        assert_eq!(Quantity(4000).to_string(), "40");
        assert_eq!(Quantity(5).to_string(), "0.05");
    }

    #[test]
    fn status_follows_progress_due_date_and_the_court() {
        let today = d("2026-11-23");
        assert_eq!(
            ConditionStatus::derive(&facts(Some(4000), 0), today),
            ConditionStatus::Pending
        );
        assert_eq!(
            ConditionStatus::derive(&facts(Some(4000), 1000), today),
            ConditionStatus::InProgress
        );
        assert_eq!(
            ConditionStatus::derive(&facts(Some(4000), 4000), today),
            ConditionStatus::Met
        );
        let late = StatusFacts {
            due: Some(d("2026-11-01")),
            ..facts(Some(4000), 1000)
        };
        assert_eq!(
            ConditionStatus::derive(&late, today),
            ConditionStatus::Overdue
        );
        let waived = StatusFacts {
            court_action: Some(CourtAction::Waived),
            ..late
        };
        assert_eq!(
            ConditionStatus::derive(&waived, today),
            ConditionStatus::Waived
        );
        let modified = StatusFacts {
            court_action: Some(CourtAction::Modified),
            due: Some(d("2027-03-01")),
            ..late
        };
        assert_eq!(
            ConditionStatus::derive(&modified, today),
            ConditionStatus::Modified
        );
        let unmeasured = StatusFacts {
            marked_met: true,
            ..facts(None, 0)
        };
        assert_eq!(
            ConditionStatus::derive(&unmeasured, today),
            ConditionStatus::Met
        );
        assert!(!ConditionStatus::Met.is_open());
        assert!(ConditionStatus::Overdue.is_open());
    }

    #[test]
    fn progress_is_compared_with_the_time_passed() {
        let (start, due) = (d("2026-01-01"), d("2026-12-31"));
        assert_eq!(percent(Quantity(1000), Quantity(4000)), 25);
        assert_eq!(percent(Quantity(5000), Quantity(4000)), 100);
        assert!(behind_schedule(
            Quantity(1000),
            Quantity(4000),
            start,
            due,
            d("2026-07-01")
        ));
        assert!(!behind_schedule(
            Quantity(2500),
            Quantity(4000),
            start,
            due,
            d("2026-07-01")
        ));
        assert!(!behind_schedule(
            Quantity(0),
            Quantity(4000),
            start,
            due,
            start
        ));
    }
}
