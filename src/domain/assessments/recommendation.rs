//! From an assessment's risk level to the supervision level it recommends,
//! and what applying another level takes: a reason for any difference, and
//! a supervisor for a difference of more than one step.

use crate::domain::casework::supervision::SupervisionLevel;
use crate::labelled_enum;
use std::collections::BTreeMap;

labelled_enum! {
    /// A supervisor's answer to a proposed override.
    pub enum OverrideDecision ("override decision") {
        Approved => ("approved", "Approved"),
        Rejected => ("rejected", "Rejected"),
    }
}

/// The agency's map from the risk levels instruments name ("low",
/// "very_high") to the supervision level each recommends.
pub type LevelMap = BTreeMap<String, SupervisionLevel>;

/// How intense a level is: administrative 0 up to high 3.
fn intensity(level: SupervisionLevel) -> u8 {
    match level {
        SupervisionLevel::Administrative => 0,
        SupervisionLevel::Low => 1,
        SupervisionLevel::Moderate => 2,
        SupervisionLevel::High => 3,
    }
}

/// What applying a level other than the recommended one takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Departure {
    /// Nothing is recommended, or the level is the one recommended.
    None,
    /// One step away (or no level at all): a reason.
    Reason,
    /// More than one step away: a reason, and a supervisor applies it.
    Supervisor,
}

/// What applying `chosen` takes when `recommended` is recommended.
pub fn departure(
    recommended: Option<SupervisionLevel>,
    chosen: Option<SupervisionLevel>,
) -> Departure {
    match (recommended, chosen) {
        (None, _) => Departure::None,
        (Some(r), Some(c)) if r == c => Departure::None,
        (Some(r), Some(c)) if intensity(r).abs_diff(intensity(c)) > 1 => Departure::Supervisor,
        (Some(_), _) => Departure::Reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use SupervisionLevel::*;

    #[test]
    fn the_recommended_level_needs_nothing_and_others_need_more_with_distance() {
        assert_eq!(departure(None, Some(High)), Departure::None);
        assert_eq!(departure(Some(Moderate), Some(Moderate)), Departure::None);
        assert_eq!(departure(Some(Moderate), Some(High)), Departure::Reason);
        assert_eq!(departure(Some(Moderate), Some(Low)), Departure::Reason);
        assert_eq!(departure(Some(Moderate), None), Departure::Reason);
        assert_eq!(departure(Some(High), Some(Low)), Departure::Supervisor);
        assert_eq!(departure(Some(Low), Some(High)), Departure::Supervisor);
        assert_eq!(
            departure(Some(Moderate), Some(Administrative)),
            Departure::Supervisor
        );
    }
}
