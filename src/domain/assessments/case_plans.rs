//! Case plans: goals that answer the needs an assessment identified, each
//! with steps toward it. A plan is kept in versions (initial, review,
//! transfer, closing); a signed version's goals and steps never change, and
//! the next version says what changed. Where each goal and step stands is
//! tracked beside the versions: a step linked to evidence (a condition, an
//! appointment series) follows it instead of being declared.

use crate::domain::casework::conditions::ConditionStatus;
use crate::domain::casework::supervision::SupervisionLevel;
use crate::domain::ids::{AppointmentId, ConditionId, PlanItemId};
use crate::labelled_enum;
use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

/// Most goals a version holds, and most steps a goal holds: a plan people
/// can work from (and a bound on what one save writes).
pub const MOST_GOALS: usize = 20;
pub const MOST_STEPS: usize = 20;

/// Days after the latest assessment within which a plan must answer it (a
/// first plan, or a review after a reassessment).
pub const AFTER_ASSESSMENT_DAYS: i64 = 30;

labelled_enum! {
    /// Why a version was written.
    pub enum PlanKind ("case plan kind") {
        Initial => ("initial", "Initial plan"),
        Review => ("review", "Review"),
        Transfer => ("transfer", "Transfer"),
        Closing => ("closing", "Closing plan"),
    }
}

impl PlanKind {
    /// Whether a version of this kind may follow `earlier` versions: the
    /// first is the initial plan, and only the first.
    pub fn may_follow(self, earlier: usize) -> Result<(), String> {
        match (self, earlier) {
            (Self::Initial, 0) => Ok(()),
            (Self::Initial, _) => Err(
                "the case has a plan already: a later version is a review, a transfer or a \
                     closing plan"
                    .to_owned(),
            ),
            (_, 0) => Err("the first version of a case's plan is its initial plan".to_owned()),
            _ => Ok(()),
        }
    }
}

labelled_enum! {
    /// Where a goal stands.
    pub enum GoalStatus ("goal status") {
        Active => ("active", "Active"),
        Future => ("future", "Later"),
        Achieved => ("achieved", "Achieved"),
        Removed => ("removed", "Removed"),
    }
}

labelled_enum! {
    /// Who carries a step out.
    pub enum StepOwner ("step owner") {
        Participant => ("participant", "Participant"),
        Officer => ("officer", "Officer"),
        Provider => ("provider", "Provider"),
        Other => ("other", "Someone else"),
    }
}

labelled_enum! {
    /// Where a step stands.
    pub enum StepStatus ("step status") {
        NotStarted => ("not_started", "Not started"),
        InProgress => ("in_progress", "In progress"),
        Done => ("done", "Done"),
        NotYet => ("not_yet", "Cannot be done yet"),
        NoLongerNeeded => ("no_longer_needed", "No longer needed"),
    }
}

labelled_enum! {
    /// What a plan's item is.
    pub enum ItemKind ("case plan item") {
        Goal => ("goal", "Goal"),
        Step => ("step", "Step"),
    }
}

labelled_enum! {
    /// The participant's answer to a version of their plan.
    pub enum Agreement ("participant's agreement") {
        Agreed => ("agreed", "Agreed"),
        DoesNotAgree => ("does_not_agree", "Does not agree"),
        CouldNotAnswer => ("could_not_answer", "Could not answer"),
    }
}

labelled_enum! {
    /// Where a version stands.
    pub enum Stage ("case plan stage") {
        Draft => ("draft", "Draft"),
        AwaitingCountersignature => ("awaiting_countersignature", "Awaiting a supervisor's countersignature"),
        InForce => ("in_force", "In force"),
        Superseded => ("superseded", "Superseded"),
    }
}

impl Stage {
    /// A version's stage from its signatures and whether a later version
    /// has been signed since.
    pub fn of(signed: bool, awaits_countersignature: bool, superseded: bool) -> Self {
        match (signed, superseded, awaits_countersignature) {
            (false, _, _) => Self::Draft,
            (true, true, _) => Self::Superseded,
            (true, false, true) => Self::AwaitingCountersignature,
            (true, false, false) => Self::InForce,
        }
    }
}

/// A status given to an item by hand: a goal's or a step's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemStatus {
    Goal(GoalStatus),
    Step(StepStatus),
}

impl ItemStatus {
    /// The status `label` read as one an item of `kind` takes.
    pub fn parse(kind: ItemKind, label: &str) -> Result<Self, String> {
        let listed = |all: &[&str]| format!("a {kind}'s status is one of: {}", all.join(", "));
        match kind {
            ItemKind::Goal => label.parse().map(Self::Goal).map_err(|_| {
                listed(
                    &GoalStatus::all()
                        .iter()
                        .map(|s| s.label())
                        .collect::<Vec<_>>(),
                )
            }),
            ItemKind::Step => label.parse().map(Self::Step).map_err(|_| {
                listed(
                    &StepStatus::all()
                        .iter()
                        .map(|s| s.label())
                        .collect::<Vec<_>>(),
                )
            }),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Goal(s) => s.label(),
            Self::Step(s) => s.label(),
        }
    }

    /// The status a new item starts with.
    pub fn initial(kind: ItemKind) -> Self {
        match kind {
            ItemKind::Goal => Self::Goal(GoalStatus::Active),
            ItemKind::Step => Self::Step(StepStatus::NotStarted),
        }
    }
}

/// The evidence a step may be linked to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Link {
    /// A condition of the case: met means done.
    Condition(ConditionId),
    /// A weekly appointment series, by its series id: every occurrence
    /// kept (none missed ahead) means done.
    Series(AppointmentId),
}

impl std::fmt::Display for Link {
    /// `condition:<id>` or `series:<id>`, as a form's choice holds it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Condition(id) => write!(f, "condition:{id}"),
            Self::Series(id) => write!(f, "series:{id}"),
        }
    }
}

impl std::str::FromStr for Link {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let refused = || format!("'{s}' names neither a condition nor a series");
        let (kind, id) = s.split_once(':').ok_or_else(refused)?;
        match kind {
            "condition" => id.parse().map(Self::Condition).map_err(|_| refused()),
            "series" => id.parse().map(Self::Series).map_err(|_| refused()),
            _ => Err(refused()),
        }
    }
}

/// One version's goals and their steps: what signing freezes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub goals: Vec<Goal>,
}

/// A goal: the need domain it answers (an instrument section's id), the
/// related ones, the outcome that will show it is reached, and by when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Goal {
    /// The same goal's key in every version.
    pub key: PlanItemId,
    pub domain: String,
    #[serde(default)]
    pub related: Vec<String>,
    pub outcome: String,
    pub target: NaiveDate,
    pub steps: Vec<Step>,
}

/// A step toward a goal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub key: PlanItemId,
    pub action: String,
    pub owner: StepOwner,
    /// Who, where the owner is a provider or someone else.
    #[serde(default)]
    pub owner_name: Option<String>,
    #[serde(default)]
    pub due: Option<NaiveDate>,
    #[serde(default)]
    pub link: Option<Link>,
}

impl Plan {
    /// Every item's key with its kind.
    pub fn items(&self) -> impl Iterator<Item = (PlanItemId, ItemKind)> + '_ {
        self.goals.iter().flat_map(|g| {
            std::iter::once((g.key, ItemKind::Goal))
                .chain(g.steps.iter().map(|s| (s.key, ItemKind::Step)))
        })
    }

    /// The evidence the plan's steps are linked to.
    pub fn links(&self) -> impl Iterator<Item = Link> + '_ {
        self.goals
            .iter()
            .flat_map(|g| g.steps.iter().filter_map(|s| s.link))
    }
}

labelled_enum! {
    /// How an item differs from the version before.
    pub enum ChangeKind ("case plan change") {
        Added => ("added", "Added"),
        Removed => ("removed", "Removed"),
        Changed => ("changed", "Changed"),
    }
}

/// One difference between a version and the one before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub kind: ChangeKind,
    pub item: ItemKind,
    pub key: PlanItemId,
    /// The goal's outcome or the step's action (as it now reads, or as it
    /// read when removed).
    pub text: String,
    /// What changed, for a changed item: the fields' names.
    pub fields: Vec<&'static str>,
}

/// What changed from `before` to `after`, goals first, each followed by its
/// steps, in `after`'s order; removed items come after.
pub fn changes(before: &Plan, after: &Plan) -> Vec<Change> {
    let old_goals: std::collections::HashMap<_, _> =
        before.goals.iter().map(|g| (g.key, g)).collect();
    let old_steps: std::collections::HashMap<_, _> = before
        .goals
        .iter()
        .flat_map(|g| g.steps.iter().map(move |s| (s.key, (g.key, s))))
        .collect();
    let mut found = Vec::new();
    for goal in &after.goals {
        match old_goals.get(&goal.key) {
            None => found.push(Change::new(
                ChangeKind::Added,
                ItemKind::Goal,
                goal.key,
                &goal.outcome,
            )),
            Some(old) => {
                let fields = goal_fields(old, goal);
                if !fields.is_empty() {
                    found.push(Change {
                        fields,
                        ..Change::new(ChangeKind::Changed, ItemKind::Goal, goal.key, &goal.outcome)
                    });
                }
            }
        }
        for step in &goal.steps {
            match old_steps.get(&step.key) {
                None => found.push(Change::new(
                    ChangeKind::Added,
                    ItemKind::Step,
                    step.key,
                    &step.action,
                )),
                Some((old_goal, old)) => {
                    let mut fields = step_fields(old, step);
                    if *old_goal != goal.key {
                        fields.insert(0, "goal");
                    }
                    if !fields.is_empty() {
                        found.push(Change {
                            fields,
                            ..Change::new(
                                ChangeKind::Changed,
                                ItemKind::Step,
                                step.key,
                                &step.action,
                            )
                        });
                    }
                }
            }
        }
    }
    let kept: std::collections::HashSet<_> = after.items().map(|(key, _)| key).collect();
    for goal in &before.goals {
        if !kept.contains(&goal.key) {
            found.push(Change::new(
                ChangeKind::Removed,
                ItemKind::Goal,
                goal.key,
                &goal.outcome,
            ));
        }
        for step in goal.steps.iter().filter(|s| !kept.contains(&s.key)) {
            found.push(Change::new(
                ChangeKind::Removed,
                ItemKind::Step,
                step.key,
                &step.action,
            ));
        }
    }
    found
}

impl Change {
    fn new(kind: ChangeKind, item: ItemKind, key: PlanItemId, text: &str) -> Self {
        Self {
            kind,
            item,
            key,
            text: text.to_owned(),
            fields: Vec::new(),
        }
    }
}

fn goal_fields(old: &Goal, new: &Goal) -> Vec<&'static str> {
    [
        ("domain", old.domain != new.domain),
        ("related domains", old.related != new.related),
        ("outcome", old.outcome != new.outcome),
        ("target date", old.target != new.target),
    ]
    .into_iter()
    .filter_map(|(name, differs)| differs.then_some(name))
    .collect()
}

fn step_fields(old: &Step, new: &Step) -> Vec<&'static str> {
    [
        ("action", old.action != new.action),
        (
            "owner",
            old.owner != new.owner || old.owner_name != new.owner_name,
        ),
        ("due date", old.due != new.due),
        ("evidence", old.link != new.link),
    ]
    .into_iter()
    .filter_map(|(name, differs)| differs.then_some(name))
    .collect()
}

/// What the evidence a step is linked to says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evidence {
    Condition {
        status: ConditionStatus,
        any_progress: bool,
    },
    /// A series' occurrences: kept (attended or excused), missed, and
    /// still ahead (cancelled and rescheduled ones are not counted).
    Series { kept: u32, missed: u32, ahead: u32 },
}

impl Evidence {
    /// The step's status as the evidence shows it.
    pub fn step_status(self) -> StepStatus {
        match self {
            Self::Condition {
                status,
                any_progress,
            } => match status {
                ConditionStatus::Met => StepStatus::Done,
                ConditionStatus::Waived | ConditionStatus::Modified => StepStatus::NoLongerNeeded,
                ConditionStatus::InProgress => StepStatus::InProgress,
                ConditionStatus::Overdue if any_progress => StepStatus::InProgress,
                ConditionStatus::Overdue | ConditionStatus::Pending => StepStatus::NotStarted,
            },
            Self::Series {
                kept,
                missed,
                ahead,
            } => match (kept, missed, ahead) {
                (0, 0, 0) => StepStatus::NoLongerNeeded,
                (0, _, _) => StepStatus::NotStarted,
                (_, _, 0) => StepStatus::Done,
                _ => StepStatus::InProgress,
            },
        }
    }
}

/// Whether a plan signed on a case at `level` needs a supervisor's
/// countersignature: high-risk cases' plans do.
pub fn needs_countersignature(level: Option<SupervisionLevel>) -> bool {
    level == Some(SupervisionLevel::High)
}

/// The day a plan signed `on` is next due for review, every `days` days.
pub fn review_after_signing(on: NaiveDate, days: u32) -> NaiveDate {
    on + Duration::days(i64::from(days))
}

/// The day a plan must answer an assessment completed `on`, unless a review
/// is due sooner already.
pub fn review_after_assessment(on: NaiveDate, due: Option<NaiveDate>) -> NaiveDate {
    let by = on + Duration::days(AFTER_ASSESSMENT_DAYS);
    due.map_or(by, |due| due.min(by))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn step(action: &str) -> Step {
        Step {
            key: PlanItemId::new(),
            action: action.to_owned(),
            owner: StepOwner::Participant,
            owner_name: None,
            due: None,
            link: None,
        }
    }

    fn goal(outcome: &str, steps: Vec<Step>) -> Goal {
        Goal {
            key: PlanItemId::new(),
            domain: "alcohol_drug".to_owned(),
            related: vec![],
            outcome: outcome.to_owned(),
            target: day("2027-03-01"),
            steps,
        }
    }

    #[test]
    fn the_first_version_is_the_initial_plan_and_only_the_first() {
        assert!(PlanKind::Initial.may_follow(0).is_ok());
        assert!(PlanKind::Initial.may_follow(1).is_err());
        for kind in [PlanKind::Review, PlanKind::Transfer, PlanKind::Closing] {
            assert!(kind.may_follow(0).is_err());
            assert!(kind.may_follow(2).is_ok());
        }
    }

    #[test]
    fn an_unchanged_plan_has_no_changes() {
        let plan = Plan {
            goals: vec![goal("Sober for 90 days", vec![step("Attend group")])],
        };
        assert_eq!(changes(&plan, &plan), vec![]);
    }

    #[test]
    fn changes_name_what_was_added_removed_and_changed() {
        let before = Plan {
            goals: vec![
                goal(
                    "Sober for 90 days",
                    vec![step("Attend group"), step("Find a sponsor")],
                ),
                goal("Hold a job", vec![step("Apply to five jobs")]),
            ],
        };
        let mut after = before.clone();
        after.goals[0].target = day("2027-04-01");
        after.goals[0].steps[0].due = Some(day("2027-01-15"));
        let moved = after.goals[0].steps.remove(1);
        after.goals[1].steps.push(moved);
        after.goals[1].steps.remove(0);
        after.goals.push(goal(
            "Stable housing",
            vec![step("Visit the housing office")],
        ));
        let found: Vec<_> = changes(&before, &after)
            .into_iter()
            .map(|c| (c.kind, c.item, c.text, c.fields))
            .collect();
        assert_eq!(
            found,
            vec![
                (
                    ChangeKind::Changed,
                    ItemKind::Goal,
                    "Sober for 90 days".into(),
                    vec!["target date"]
                ),
                (
                    ChangeKind::Changed,
                    ItemKind::Step,
                    "Attend group".into(),
                    vec!["due date"]
                ),
                (
                    ChangeKind::Changed,
                    ItemKind::Step,
                    "Find a sponsor".into(),
                    vec!["goal"]
                ),
                (
                    ChangeKind::Added,
                    ItemKind::Goal,
                    "Stable housing".into(),
                    vec![]
                ),
                (
                    ChangeKind::Added,
                    ItemKind::Step,
                    "Visit the housing office".into(),
                    vec![]
                ),
                (
                    ChangeKind::Removed,
                    ItemKind::Step,
                    "Apply to five jobs".into(),
                    vec![]
                ),
            ]
        );
        let without_goal = Plan {
            goals: vec![after.goals[0].clone()],
        };
        let removed: Vec<_> = changes(&after, &without_goal)
            .into_iter()
            .map(|c| (c.kind, c.item))
            .collect();
        assert_eq!(
            removed,
            vec![
                (ChangeKind::Removed, ItemKind::Goal),
                (ChangeKind::Removed, ItemKind::Step),
                (ChangeKind::Removed, ItemKind::Goal),
                (ChangeKind::Removed, ItemKind::Step),
            ]
        );
    }

    #[test]
    fn a_linked_step_follows_its_condition() {
        let with = |status, any_progress| {
            Evidence::Condition {
                status,
                any_progress,
            }
            .step_status()
        };
        assert_eq!(with(ConditionStatus::Met, true), StepStatus::Done);
        assert_eq!(
            with(ConditionStatus::Waived, false),
            StepStatus::NoLongerNeeded
        );
        assert_eq!(
            with(ConditionStatus::Modified, false),
            StepStatus::NoLongerNeeded
        );
        assert_eq!(
            with(ConditionStatus::InProgress, true),
            StepStatus::InProgress
        );
        assert_eq!(with(ConditionStatus::Overdue, true), StepStatus::InProgress);
        assert_eq!(
            with(ConditionStatus::Overdue, false),
            StepStatus::NotStarted
        );
        assert_eq!(
            with(ConditionStatus::Pending, false),
            StepStatus::NotStarted
        );
    }

    #[test]
    fn a_linked_step_follows_its_series() {
        let with = |kept, missed, ahead| {
            Evidence::Series {
                kept,
                missed,
                ahead,
            }
            .step_status()
        };
        assert_eq!(with(0, 0, 6), StepStatus::NotStarted);
        assert_eq!(with(0, 2, 4), StepStatus::NotStarted);
        assert_eq!(with(2, 1, 3), StepStatus::InProgress);
        assert_eq!(with(5, 1, 0), StepStatus::Done);
        assert_eq!(
            with(0, 0, 0),
            StepStatus::NoLongerNeeded,
            "every occurrence cancelled"
        );
    }

    #[test]
    fn statuses_are_read_by_the_items_kind() {
        assert_eq!(
            ItemStatus::parse(ItemKind::Goal, "achieved"),
            Ok(ItemStatus::Goal(GoalStatus::Achieved))
        );
        assert_eq!(
            ItemStatus::parse(ItemKind::Step, "not_yet"),
            Ok(ItemStatus::Step(StepStatus::NotYet))
        );
        let refused = ItemStatus::parse(ItemKind::Step, "achieved").unwrap_err();
        assert!(
            refused.contains("a step's status is one of: not_started"),
            "{refused}"
        );
    }

    #[test]
    fn links_read_back_as_written() {
        let link = Link::Condition(ConditionId::new());
        assert_eq!(link.to_string().parse::<Link>(), Ok(link));
        let series = Link::Series(AppointmentId::new());
        assert_eq!(series.to_string().parse::<Link>(), Ok(series));
        assert!("note:1".parse::<Link>().is_err());
        assert!("condition:x".parse::<Link>().is_err());
    }

    #[test]
    fn stages_follow_signatures() {
        assert_eq!(Stage::of(false, false, false), Stage::Draft);
        assert_eq!(
            Stage::of(true, true, false),
            Stage::AwaitingCountersignature
        );
        assert_eq!(Stage::of(true, false, false), Stage::InForce);
        assert_eq!(Stage::of(true, true, true), Stage::Superseded);
    }

    #[test]
    fn reviews_fall_due_by_rule() {
        assert_eq!(
            review_after_signing(day("2026-12-07"), 90),
            day("2027-03-07")
        );
        assert_eq!(
            review_after_assessment(day("2026-12-07"), None),
            day("2027-01-06")
        );
        assert_eq!(
            review_after_assessment(day("2026-12-07"), Some(day("2026-12-10"))),
            day("2026-12-10")
        );
        assert!(needs_countersignature(Some(SupervisionLevel::High)));
        assert!(!needs_countersignature(Some(SupervisionLevel::Moderate)));
        assert!(!needs_countersignature(None));
    }
}
