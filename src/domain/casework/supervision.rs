//! Day-to-day supervision: the level a case is supervised at and the contact
//! standard it carries, appointments and their outcomes, and contacts.

use crate::domain::input::Whole;
use crate::labelled_enum;
use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

labelled_enum! {
    pub enum SupervisionLevel ("supervision level") {
        High => ("high", "High"),
        Moderate => ("moderate", "Moderate"),
        Low => ("low", "Low"),
        Administrative => ("administrative", "Administrative"),
    }
}

labelled_enum! {
    pub enum AppointmentKind ("appointment kind") {
        OfficeVisit => ("office_visit", "Office visit"),
        HomeVisit => ("home_visit", "Home visit"),
        FieldVisit => ("field_visit", "Field visit"),
        PhoneContact => ("phone_contact", "Phone contact"),
        VideoContact => ("video_contact", "Video contact"),
        CourtDate => ("court_date", "Court date"),
        DrugTest => ("drug_test", "Drug test"),
        ClassSession => ("class_session", "Class session"),
        TreatmentSession => ("treatment_session", "Treatment session"),
    }
}

labelled_enum! {
    pub enum Outcome ("appointment outcome") {
        Attended => ("attended", "Attended"),
        Missed => ("missed", "Missed"),
        Excused => ("excused", "Excused"),
        Rescheduled => ("rescheduled", "Rescheduled"),
        Cancelled => ("cancelled", "Cancelled"),
    }
}

impl Outcome {
    /// Can this be recorded before the appointment's time? Only that it
    /// will not take place as planned.
    pub fn before_it(self) -> bool {
        matches!(self, Self::Rescheduled | Self::Cancelled)
    }

    /// Did the appointment not take place (and is not to be kept)?
    pub fn called_off(self) -> bool {
        matches!(self, Self::Rescheduled | Self::Cancelled | Self::Excused)
    }
}

labelled_enum! {
    pub enum ContactKind ("contact kind") {
        Office => ("office", "Office"),
        Home => ("home", "Home visit"),
        Field => ("field", "Field"),
        Phone => ("phone", "Phone"),
        Video => ("video", "Video"),
        Written => ("written", "Letter, e-mail or text"),
    }
}

labelled_enum! {
    /// Who a collateral contact was.
    pub enum Collateral ("collateral contact") {
        Family => ("family", "Family member"),
        Employer => ("employer", "Employer"),
        Provider => ("provider", "Service provider"),
        Other => ("other", "Someone else"),
    }
}

labelled_enum! {
    /// Which appointments a change or a cancellation takes: the one chosen,
    /// or it and the later occurrences of its weekly series still to come.
    #[derive(Default)]
    pub enum Span ("which appointments") {
        #[default]
        One => ("one", "This one only"),
        Following => ("following", "This one and the later ones of its series"),
    }
}

impl AppointmentKind {
    /// Does the officer take part (a visit or a call), so that two at once
    /// on different cases double-book them?
    pub fn with_officer(self) -> bool {
        self.contact().is_some()
    }

    /// The contact an attended appointment of this kind counts as.
    pub fn contact(self) -> Option<ContactKind> {
        match self {
            Self::OfficeVisit => Some(ContactKind::Office),
            Self::HomeVisit => Some(ContactKind::Home),
            Self::FieldVisit => Some(ContactKind::Field),
            Self::PhoneContact => Some(ContactKind::Phone),
            Self::VideoContact => Some(ContactKind::Video),
            Self::CourtDate | Self::DrugTest | Self::ClassSession | Self::TreatmentSession => None,
        }
    }
}

/// How many contacts with the participant a month a level asks for, and how
/// many of them must be home visits.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize, utoipa::ToSchema,
)]
#[serde(deny_unknown_fields)]
pub struct ContactStandard {
    pub contacts: u32,
    #[serde(default)]
    pub home_visits: u32,
}

/// Contacts with the participant in one calendar month.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct MonthContacts {
    pub contacts: u32,
    pub home_visits: u32,
}

impl ContactStandard {
    pub fn met_by(self, month: MonthContacts) -> bool {
        month.contacts >= self.contacts && month.home_visits >= self.home_visits
    }
}

/// Reads a local wall-clock time as forms and people write it:
/// `2026-12-07T09:00` or `2026-12-07T09:00:00` (a space may stand for `T`).
pub fn parse_local(text: &str) -> Result<NaiveDateTime, String> {
    let text = text.trim().replacen(' ', "T", 1);
    ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(&text, f).ok())
        .ok_or_else(|| format!("'{text}' is not a local date and time like 2026-12-07T09:00"))
}

/// Serde for [`parse_local`].
pub mod local_time {
    use chrono::NaiveDateTime;
    use serde::{Deserialize as _, Deserializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDateTime, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(d)?;
        super::parse_local(&text).map_err(serde::de::Error::custom)
    }
}

/// How many occurrences a weekly series holds: one to a year's worth.
pub type Occurrences = Whole<1, 52>;

/// How long an appointment lasts, in minutes: five to eight hours.
pub type Minutes = Whole<5, 480>;

/// Most occurrences one weekly series holds.
pub const MAX_WEEKS: u32 = Occurrences::HIGHEST as u32;

/// The occurrences of a weekly series starting at `first` (local wall-clock
/// time in `zone`): the same local time each week, across daylight-saving
/// changes. A local time that does not exist that day moves an hour later.
pub fn weekly(first: NaiveDateTime, weeks: u32, zone: Tz) -> Vec<DateTime<Utc>> {
    (0..weeks.clamp(1, MAX_WEEKS))
        .map(|w| local_to_utc(first + Duration::weeks(i64::from(w)), zone))
        .collect()
}

/// A local wall-clock time in `zone` as UTC; an ambiguous time (the hour
/// repeated when clocks go back) is the earlier, a skipped one an hour later.
pub fn local_to_utc(local: NaiveDateTime, zone: Tz) -> DateTime<Utc> {
    zone.from_local_datetime(&local)
        .earliest()
        .or_else(|| {
            zone.from_local_datetime(&(local + Duration::hours(1)))
                .earliest()
        })
        .map_or_else(|| local.and_utc(), |t| t.with_timezone(&Utc))
}

/// Where an occurrence at local time `at` lands when its series moves from
/// `from` to `to`: by the same wall-clock difference, so a weekly series
/// stays at one local time across daylight-saving changes.
pub fn moved_with(at: NaiveDateTime, from: NaiveDateTime, to: NaiveDateTime) -> NaiveDateTime {
    at + (to - from)
}

/// An appointment as far as double booking goes: whose, what and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Booking {
    pub case: crate::domain::ids::CaseId,
    pub kind: AppointmentKind,
    pub starts_at: DateTime<Utc>,
    pub minutes: i32,
}

impl Booking {
    pub fn ends_at(&self) -> DateTime<Utc> {
        self.starts_at + Duration::minutes(i64::from(self.minutes))
    }

    /// Do the two overlap in time (one ending as the other starts does not)?
    pub fn overlaps(&self, other: &Self) -> bool {
        self.starts_at < other.ends_at() && other.starts_at < self.ends_at()
    }

    /// Would both at once double-book someone: the participant (the same
    /// case) or the officer (a visit or a call on each of their cases)?
    pub fn clashes_with(&self, other: &Self) -> bool {
        self.overlaps(other)
            && (self.case == other.case || (self.kind.with_officer() && other.kind.with_officer()))
    }
}

/// The first day of `day`'s month.
pub fn first_of_month(day: chrono::NaiveDate) -> chrono::NaiveDate {
    use chrono::Datelike as _;
    day - chrono::Days::new(u64::from(day.day0()))
}

/// Calendar days in `zone` from `then` to `now`: 0 on the same day, 1 the
/// day after, whatever the hours.
pub fn days_since(then: DateTime<Utc>, now: DateTime<Utc>, zone: Tz) -> i64 {
    let day = |at: DateTime<Utc>| at.with_timezone(&zone).date_naive();
    (day(now) - day(then)).num_days()
}

/// The start and end (UTC) of the calendar month containing `at` in `zone`.
pub fn month_bounds(at: DateTime<Utc>, zone: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
    let local = at.with_timezone(&zone).date_naive();
    let first = first_of_month(local);
    let next = first + chrono::Months::new(1);
    let midnight = |d: chrono::NaiveDate| local_to_utc(d.and_time(chrono::NaiveTime::MIN), zone);
    (midnight(first), midnight(next))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekly_series_keep_the_local_time_across_daylight_saving() {
        let zone: Tz = "America/Chicago".parse().unwrap();
        let first: NaiveDateTime = "2026-10-26T09:00:00".parse().unwrap(); // a Monday, CDT
        let times = weekly(first, 3, zone);
        assert_eq!(times.len(), 3);
        assert_eq!(times[0].to_rfc3339(), "2026-10-26T14:00:00+00:00");
        assert_eq!(
            times[2].to_rfc3339(),
            "2026-11-09T15:00:00+00:00",
            "CST after 1 November"
        );
        assert_eq!(weekly(first, 500, zone).len(), MAX_WEEKS as usize);
        let skipped: NaiveDateTime = "2026-03-08T02:30:00".parse().unwrap();
        assert_eq!(
            local_to_utc(skipped, zone).to_rfc3339(),
            "2026-03-08T08:30:00+00:00"
        );
    }

    #[test]
    fn a_moved_series_keeps_its_local_time() {
        let at = |t: &str| t.parse::<NaiveDateTime>().unwrap();
        // Monday 09:00 becomes Tuesday 10:30; the occurrence after the
        // change of clocks moves by the same wall-clock difference.
        let later = moved_with(
            at("2026-11-02T09:00:00"),
            at("2026-10-26T09:00:00"),
            at("2026-10-27T10:30:00"),
        );
        assert_eq!(later, at("2026-11-03T10:30:00"));
    }

    #[test]
    fn double_booking_is_the_participant_or_the_officer() {
        let at: DateTime<Utc> = "2026-12-07T15:00:00Z".parse().unwrap();
        let case = crate::domain::ids::CaseId::new();
        let visit = Booking {
            case,
            kind: AppointmentKind::OfficeVisit,
            starts_at: at,
            minutes: 30,
        };
        let next = Booking {
            starts_at: at + Duration::minutes(30),
            ..visit
        };
        assert!(!visit.overlaps(&next), "one ends as the other starts");
        let other_case = Booking {
            case: crate::domain::ids::CaseId::new(),
            starts_at: at + Duration::minutes(15),
            ..visit
        };
        assert!(visit.clashes_with(&other_case), "the officer twice");
        let their_class = Booking {
            kind: AppointmentKind::ClassSession,
            ..other_case
        };
        assert!(!visit.clashes_with(&their_class), "another's class");
        let own_class = Booking {
            case,
            ..their_class
        };
        assert!(visit.clashes_with(&own_class), "the participant twice");
    }

    #[test]
    fn months_follow_the_agency_calendar() {
        let zone: Tz = "America/Los_Angeles".parse().unwrap();
        let at: DateTime<Utc> = "2026-12-01T05:00:00Z".parse().unwrap(); // still 30 November there
        let (start, end) = month_bounds(at, zone);
        assert_eq!(start.to_rfc3339(), "2026-11-01T07:00:00+00:00");
        assert_eq!(end.to_rfc3339(), "2026-12-01T08:00:00+00:00");
    }

    #[test]
    fn days_since_counts_the_agency_calendar() {
        let zone: Tz = "America/Chicago".parse().unwrap();
        let evening: DateTime<Utc> = "2026-12-02T03:00:00Z".parse().unwrap(); // 1 Dec, 21:00
        let morning: DateTime<Utc> = "2026-12-02T15:00:00Z".parse().unwrap(); // 2 Dec, 09:00
        assert_eq!(days_since(evening, morning, zone), 1, "overnight is a day");
        assert_eq!(days_since(morning, morning, zone), 0);
        let week_on = morning + Duration::days(7);
        assert_eq!(days_since(evening, week_on, zone), 8);
    }

    #[test]
    fn local_times_are_read_with_or_without_seconds() {
        assert_eq!(
            parse_local("2026-12-07T09:00").unwrap().to_string(),
            "2026-12-07 09:00:00"
        );
        assert_eq!(
            parse_local("2026-12-07 09:00:30").unwrap().to_string(),
            "2026-12-07 09:00:30"
        );
        assert!(parse_local("next tuesday")
            .unwrap_err()
            .contains("like 2026-12-07T09:00"));
    }

    #[test]
    fn a_standard_needs_both_counts() {
        let high = ContactStandard {
            contacts: 4,
            home_visits: 1,
        };
        assert!(!high.met_by(MonthContacts {
            contacts: 4,
            home_visits: 0
        }));
        assert!(high.met_by(MonthContacts {
            contacts: 4,
            home_visits: 1
        }));
        assert!(AppointmentKind::CourtDate.contact().is_none());
        assert_eq!(
            AppointmentKind::HomeVisit.contact(),
            Some(ContactKind::Home)
        );
    }
}
