//! Alerts: what rules watch for, how urgent each is, and when it is due.

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
    }
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
            | Self::ContactStandard => Severity::Medium,
            Self::CaseEnding => Severity::Low,
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
    fn urgent_rules_are_due_first() {
        assert_eq!(Rule::TestAdverse.severity(), Severity::High);
        assert!(Rule::AppointmentMissed.days_to_act() < Rule::CaseEnding.days_to_act());
        assert!(rank(Severity::High) < rank(Severity::Low));
    }
}
