//! What a participant's timeline holds: its kinds of moments.

use crate::labelled_enum;

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
    }
}

/// What part of the timeline to show: every kind or one, and how far back
/// (each kind's latest `depth` moments on each case).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimelineQuery {
    pub kind: Option<MomentKind>,
    pub depth: Depth,
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
