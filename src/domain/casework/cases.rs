//! The case lifecycle: which status may follow which, and how a case leaves
//! supervision (mapped onto the federal Annual Probation Survey exit types).

use crate::labelled_enum;
use std::fmt;

labelled_enum! {
    /// Where a case stands, from referral to closure.
    pub enum CaseStatus ("case status") {
        Referred => ("referred", "Referred"),
        Screening => ("screening", "Screening"),
        Ineligible => ("ineligible", "Ineligible"),
        Declined => ("declined", "Declined"),
        Enrolled => ("enrolled", "Enrolled"),
        Active => ("active", "Active"),
        Suspended => ("suspended", "Suspended"),
        Completed => ("completed", "Completed"),
        Terminated => ("terminated", "Terminated"),
        Closed => ("closed", "Closed"),
    }
}

labelled_enum! {
    /// Why a case left supervision. Required when a case is completed,
    /// terminated or closed.
    pub enum ExitReason ("exit reason") {
        Successful => ("successful", "Completed all requirements"),
        EarlyDischarge => ("early_discharge", "Early discharge"),
        Revoked => ("revoked", "Revoked and incarcerated"),
        NewOffense => ("new_offense", "New offense, incarcerated"),
        Absconded => ("absconded", "Absconded"),
        NonCompliance => ("non_compliance", "Non-compliance"),
        Warrant => ("warrant", "Discharged to warrant or detainer"),
        Transferred => ("transferred", "Transferred to another jurisdiction"),
        Deceased => ("deceased", "Deceased"),
        Administrative => ("administrative", "Administrative closure"),
    }
}

labelled_enum! {
    /// Exit categories of the Bureau of Justice Statistics' Annual Probation Survey.
    pub enum SurveyExitCategory ("survey exit category") {
        Completion => ("completion", "Completion"),
        Incarceration => ("incarceration", "Incarceration"),
        Absconder => ("absconder", "Absconder"),
        DischargedToWarrant => ("discharged_to_warrant", "Discharged to warrant or detainer"),
        OtherUnsatisfactory => ("other_unsatisfactory", "Other unsatisfactory"),
        Death => ("death", "Death"),
        Other => ("other", "Other"),
    }
}

impl ExitReason {
    /// The status a case moves to when it exits for this reason.
    pub fn exit_status(self) -> CaseStatus {
        match self {
            Self::Successful | Self::EarlyDischarge => CaseStatus::Completed,
            Self::Revoked | Self::NewOffense | Self::Absconded | Self::NonCompliance => {
                CaseStatus::Terminated
            }
            Self::Warrant | Self::Transferred | Self::Deceased | Self::Administrative => {
                CaseStatus::Closed
            }
        }
    }

    pub fn survey_category(self) -> SurveyExitCategory {
        match self {
            Self::Successful | Self::EarlyDischarge => SurveyExitCategory::Completion,
            Self::Revoked | Self::NewOffense => SurveyExitCategory::Incarceration,
            Self::Absconded => SurveyExitCategory::Absconder,
            Self::NonCompliance => SurveyExitCategory::OtherUnsatisfactory,
            Self::Warrant => SurveyExitCategory::DischargedToWarrant,
            Self::Deceased => SurveyExitCategory::Death,
            Self::Transferred | Self::Administrative => SurveyExitCategory::Other,
        }
    }

    /// The exit reasons that may accompany a move to `status`.
    pub fn for_status(status: CaseStatus) -> Vec<ExitReason> {
        Self::all()
            .iter()
            .copied()
            .filter(|r| r.exit_status() == status)
            .collect()
    }
}

impl CaseStatus {
    /// The statuses this one may move to.
    pub fn successors(self) -> &'static [CaseStatus] {
        use CaseStatus::*;
        match self {
            Referred => &[Screening, Declined, Closed],
            Screening => &[Enrolled, Ineligible, Declined],
            Enrolled => &[Active, Declined, Closed],
            Active => &[Suspended, Completed, Terminated, Closed],
            Suspended => &[Active, Terminated, Closed],
            Ineligible | Declined | Completed | Terminated | Closed => &[],
        }
    }

    pub fn is_final(self) -> bool {
        self.successors().is_empty()
    }

    /// Not ended: from referral until completed, terminated or closed.
    /// Caseloads list these unless asked for ended cases.
    pub const OPEN: &'static [Self] = &[
        Self::Referred,
        Self::Screening,
        Self::Enrolled,
        Self::Active,
        Self::Suspended,
    ];

    /// In the program: enrolled and not ended. Alerts are raised and an
    /// officer's load counted for these.
    pub const IN_PROGRAM: &'static [Self] = &[Self::Enrolled, Self::Active, Self::Suspended];

    /// Keeping appointments: the participant is expected at them and
    /// reminded of them. A move out of these (a suspension, an ending)
    /// calls off the appointments still ahead.
    pub const KEEPING_APPOINTMENTS: &'static [Self] = &[Self::Enrolled, Self::Active];

    /// Under supervision now: the contact standard and "no contact" apply.
    pub const SUPERVISED: &'static [Self] = &[Self::Active];

    /// See [`CaseStatus::OPEN`].
    pub fn is_open(self) -> bool {
        Self::OPEN.contains(&self)
    }

    /// Checks a requested move and returns the exit reason it carries, if any.
    pub fn check_transition(
        self,
        to: CaseStatus,
        exit_reason: Option<ExitReason>,
    ) -> Result<Option<ExitReason>, TransitionError> {
        if !self.successors().contains(&to) {
            return Err(TransitionError::NotAllowed { from: self, to });
        }
        let needs_exit = matches!(
            to,
            CaseStatus::Completed | CaseStatus::Terminated | CaseStatus::Closed
        );
        match (needs_exit, exit_reason) {
            (true, None) => Err(TransitionError::ExitReasonRequired { to }),
            (true, Some(r)) if r.exit_status() != to => {
                Err(TransitionError::ExitReasonMismatch { to, reason: r })
            }
            (false, Some(_)) => Err(TransitionError::ExitReasonNotApplicable { to }),
            (_, r) => Ok(r),
        }
    }
}

/// Why a requested status change was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransitionError {
    NotAllowed { from: CaseStatus, to: CaseStatus },
    ExitReasonRequired { to: CaseStatus },
    ExitReasonMismatch { to: CaseStatus, reason: ExitReason },
    ExitReasonNotApplicable { to: CaseStatus },
}

fn list(items: impl IntoIterator<Item = &'static str>) -> String {
    let items: Vec<_> = items.into_iter().collect();
    if items.is_empty() {
        "none".to_owned()
    } else {
        items.join(", ")
    }
}

impl fmt::Display for TransitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotAllowed { from, to } => write!(
                f,
                "a {} case cannot become {}; allowed next statuses: {}",
                from,
                to,
                list(from.successors().iter().map(|s| s.label()))
            ),
            Self::ExitReasonRequired { to } => write!(
                f,
                "an exit reason is required to mark a case {}; one of: {}",
                to,
                list(ExitReason::for_status(*to).into_iter().map(|r| r.label()))
            ),
            Self::ExitReasonMismatch { to, reason } => write!(
                f,
                "exit reason {} does not apply to a {} case; one of: {}",
                reason,
                to,
                list(ExitReason::for_status(*to).into_iter().map(|r| r.label()))
            ),
            Self::ExitReasonNotApplicable { to } => {
                write!(
                    f,
                    "an exit reason applies only when a case ends, not when it becomes {to}"
                )
            }
        }
    }
}

impl std::error::Error for TransitionError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_status_sets_nest_and_open_means_not_ended() {
        for s in CaseStatus::all() {
            assert_eq!(s.is_open(), !s.is_final(), "{s}");
        }
        assert!(CaseStatus::IN_PROGRAM.iter().all(|s| s.is_open()));
        assert!(CaseStatus::SUPERVISED
            .iter()
            .all(|s| CaseStatus::IN_PROGRAM.contains(s)));
    }

    #[test]
    fn every_pair_of_statuses_follows_the_table() {
        use CaseStatus::*;
        let allowed = [
            (Referred, Screening),
            (Referred, Declined),
            (Referred, Closed),
            (Screening, Enrolled),
            (Screening, Ineligible),
            (Screening, Declined),
            (Enrolled, Active),
            (Enrolled, Declined),
            (Enrolled, Closed),
            (Active, Suspended),
            (Active, Completed),
            (Active, Terminated),
            (Active, Closed),
            (Suspended, Active),
            (Suspended, Terminated),
            (Suspended, Closed),
        ];
        for from in CaseStatus::all() {
            for to in CaseStatus::all() {
                let reason = ExitReason::for_status(*to).first().copied();
                let result = from.check_transition(*to, reason);
                assert_eq!(
                    result.is_ok(),
                    allowed.contains(&(*from, *to)),
                    "{from} -> {to}: {result:?}"
                );
            }
        }
    }

    #[test]
    fn final_statuses_have_no_way_out_and_name_none() {
        for s in CaseStatus::all().iter().filter(|s| s.is_final()) {
            assert!(!s.is_open());
            let err = s.check_transition(CaseStatus::Active, None).unwrap_err();
            assert!(
                err.to_string().ends_with("allowed next statuses: none"),
                "{err}"
            );
        }
    }

    #[test]
    fn refusal_names_the_allowed_statuses() {
        let err = CaseStatus::Referred
            .check_transition(CaseStatus::Active, None)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "a referred case cannot become active; allowed next statuses: screening, declined, \
             closed"
        );
    }

    #[test]
    fn exits_require_a_matching_reason() {
        let active = CaseStatus::Active;
        assert_eq!(
            active.check_transition(CaseStatus::Completed, None),
            Err(TransitionError::ExitReasonRequired {
                to: CaseStatus::Completed
            })
        );
        assert!(matches!(
            active.check_transition(CaseStatus::Completed, Some(ExitReason::Absconded)),
            Err(TransitionError::ExitReasonMismatch { .. })
        ));
        assert_eq!(
            active.check_transition(CaseStatus::Terminated, Some(ExitReason::Absconded)),
            Ok(Some(ExitReason::Absconded))
        );
        assert!(matches!(
            active.check_transition(CaseStatus::Suspended, Some(ExitReason::Absconded)),
            Err(TransitionError::ExitReasonNotApplicable { .. })
        ));
    }

    #[test]
    fn every_exit_reason_maps_to_a_survey_category() {
        use SurveyExitCategory as S;
        let expected = [
            (ExitReason::Successful, S::Completion),
            (ExitReason::EarlyDischarge, S::Completion),
            (ExitReason::Revoked, S::Incarceration),
            (ExitReason::NewOffense, S::Incarceration),
            (ExitReason::Absconded, S::Absconder),
            (ExitReason::NonCompliance, S::OtherUnsatisfactory),
            (ExitReason::Warrant, S::DischargedToWarrant),
            (ExitReason::Deceased, S::Death),
            (ExitReason::Transferred, S::Other),
            (ExitReason::Administrative, S::Other),
        ];
        assert_eq!(expected.len(), ExitReason::all().len());
        for (reason, category) in expected {
            assert_eq!(reason.survey_category(), category, "{reason}");
        }
    }
}
