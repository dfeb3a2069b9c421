//! Alerts: what rules watch for, how urgent each is, and when it is due.

use crate::domain::ids::{AppointmentId, ConditionId, NoteId, PlanId};
use crate::labelled_enum;

labelled_enum! {
    pub enum Rule ("alert rule") {
        AppointmentMissed => ("appointment_missed", "Appointment missed"),
        TestAdverse => ("test_adverse", "Drug test positive, refused or missed"),
        ConditionOverdue => ("condition_overdue", "Condition overdue"),
        ConditionBehind => ("condition_behind", "Condition due soon, progress behind"),
        NoContact => ("no_contact", "No contact for too long"),
        ContactStandard => ("contact_standard", "Contact standard not met this month"),
        CaseEnding => ("case_ending", "Case ends soon: prepare completion"),
        CourtTomorrow => ("court_tomorrow", "Court date tomorrow"),
        FlaggedNote => ("flagged_note", "Note names a risk indicator: supervisor review"),
        AssessmentDue => ("assessment_due", "Assessment due soon"),
        AssessmentOverdue => ("assessment_overdue", "Assessment overdue"),
        PlanReviewDue => ("plan_review_due", "Case plan review due soon"),
        PlanReviewOverdue => ("plan_review_overdue", "Case plan review overdue"),
        PlanCountersign => ("plan_countersign", "Case plan awaits a supervisor's countersignature"),
    }
}

/// What raised an alert: where the officer goes to see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RaisedBy {
    /// A signed note naming a risk indicator.
    Note(NoteId),
    /// A condition overdue or behind.
    Condition(ConditionId),
    /// An appointment missed, or a court date tomorrow.
    Appointment(AppointmentId),
    /// The case's contacts (none lately, the contact standard).
    Supervision,
    /// A drug test.
    Test,
    /// The case as a whole (its end date).
    Case,
    /// The case's assessments (one due).
    Assessments,
    /// The case's plan (a review due).
    CasePlans,
    /// A version of the case's plan (awaiting a countersignature).
    CasePlan(PlanId),
}

labelled_enum! {
    pub enum Severity ("severity") {
        High => ("high", "High"),
        Medium => ("medium", "Medium"),
        Low => ("low", "Low"),
    }
}

impl Rule {
    pub fn severity(self) -> Severity {
        match self {
            Self::AppointmentMissed | Self::TestAdverse | Self::CourtTomorrow => Severity::High,
            Self::ConditionOverdue
            | Self::NoContact
            | Self::ConditionBehind
            | Self::ContactStandard
            | Self::FlaggedNote
            | Self::AssessmentOverdue
            | Self::PlanReviewOverdue
            | Self::PlanCountersign => Severity::Medium,
            Self::CaseEnding | Self::AssessmentDue | Self::PlanReviewDue => Severity::Low,
        }
    }

    /// What raised an alert of this rule, as its occurrence names it.
    pub fn raised_by(self, occurrence: &str) -> RaisedBy {
        let first = occurrence.split(':').next().unwrap_or_default();
        match self {
            Self::FlaggedNote => first.parse().map_or(RaisedBy::Case, RaisedBy::Note),
            Self::ConditionOverdue | Self::ConditionBehind => {
                first.parse().map_or(RaisedBy::Case, RaisedBy::Condition)
            }
            Self::AppointmentMissed | Self::CourtTomorrow => first
                .parse()
                .map_or(RaisedBy::Supervision, RaisedBy::Appointment),
            Self::NoContact | Self::ContactStandard => RaisedBy::Supervision,
            Self::TestAdverse => RaisedBy::Test,
            Self::CaseEnding => RaisedBy::Case,
            Self::AssessmentDue | Self::AssessmentOverdue => RaisedBy::Assessments,
            Self::PlanReviewDue | Self::PlanReviewOverdue => RaisedBy::CasePlans,
            Self::PlanCountersign => first
                .parse()
                .map_or(RaisedBy::CasePlans, RaisedBy::CasePlan),
        }
    }

    /// The note a supervisor-review alert is about, from its occurrence
    /// (`<note id>:<flags>`); `None` for every other rule.
    pub fn reviewed_note(self, occurrence: &str) -> Option<NoteId> {
        match self {
            Self::FlaggedNote => occurrence.split(':').next()?.parse().ok(),
            _ => None,
        }
    }

    /// Days the officer has to act on it.
    pub fn days_to_act(self) -> i64 {
        match self.severity() {
            Severity::High => 1,
            Severity::Medium => 3,
            Severity::Low => 7,
        }
    }
}

impl Rule {
    /// What the rule found, in words: its detail is a stored label (an
    /// appointment kind, a test outcome, a kind of note, a level) or text.
    pub fn describe(self, detail: &str) -> String {
        use crate::domain::casework::drug_tests::Collection;
        use crate::domain::labels::Labelled;
        fn title<T: Labelled>(label: &str) -> Option<&'static str> {
            T::from_label(label).ok().map(T::title)
        }
        let worded = match self {
            Self::AppointmentMissed | Self::CourtTomorrow => {
                title::<crate::domain::casework::supervision::AppointmentKind>(detail)
            }
            // An adverse specimen that was collected: its result is sealed.
            Self::TestAdverse => Collection::from_label(detail).ok().map(|c| match c {
                Collection::Collected => "Result positive, dilute or adulterated",
                other => other.title(),
            }),
            Self::FlaggedNote => title::<crate::domain::casework::notes::NoteKind>(detail),
            Self::ContactStandard => {
                title::<crate::domain::casework::supervision::SupervisionLevel>(detail)
            }
            _ => None,
        };
        match (self, worded) {
            (Self::FlaggedNote, Some(kind)) => format!("{kind} note"),
            (Self::ContactStandard, Some(level)) => format!("{level} supervision"),
            (_, Some(w)) => w.to_owned(),
            (_, None) => detail.to_owned(),
        }
    }
}

/// Sorting rank: high first.
pub fn rank(severity: Severity) -> u8 {
    match severity {
        Severity::High => 0,
        Severity::Medium => 1,
        Severity::Low => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_alert_leads_to_what_raised_it() {
        let note = NoteId::new();
        let condition = ConditionId::new();
        assert_eq!(
            Rule::FlaggedNote.raised_by(&format!("{note}:3")),
            RaisedBy::Note(note)
        );
        assert_eq!(
            Rule::ConditionOverdue.raised_by(&format!("{condition}:2026-12-01")),
            RaisedBy::Condition(condition)
        );
        let appointment = AppointmentId::new();
        assert_eq!(
            Rule::AppointmentMissed.raised_by(&appointment.to_string()),
            RaisedBy::Appointment(appointment)
        );
        assert_eq!(
            Rule::AppointmentMissed.raised_by("x"),
            RaisedBy::Supervision
        );
        assert_eq!(Rule::TestAdverse.raised_by("x"), RaisedBy::Test);
        assert_eq!(Rule::FlaggedNote.raised_by("garbled"), RaisedBy::Case);
    }

    #[test]
    fn urgent_rules_are_due_first() {
        assert_eq!(Rule::TestAdverse.severity(), Severity::High);
        assert!(Rule::AppointmentMissed.days_to_act() < Rule::CaseEnding.days_to_act());
        assert!(rank(Severity::High) < rank(Severity::Low));
        assert_eq!(Rule::AppointmentMissed.describe("home_visit"), "Home visit");
        assert_eq!(Rule::FlaggedNote.describe("contact"), "Contact note");
        assert_eq!(Rule::TestAdverse.describe("no_show"), "No-show");
        assert_eq!(
            Rule::TestAdverse.describe("collected"),
            "Result positive, dilute or adulterated"
        );
        assert_eq!(
            Rule::ConditionOverdue.describe("Community service"),
            "Community service"
        );
    }
}
