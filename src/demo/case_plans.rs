//! The demo's case plans: each assessed case has a plan whose goals answer
//! the needs its assessment identified (the first need when none reached
//! its threshold), with steps from the plan's usual actions for that need
//! and a step linked to the case's condition that serves it. Signed a week
//! after the assessment; reviewed since where the review fell due (a second
//! version), countersigned by a supervisor on high-level cases, agreed by
//! most participants.

use super::assessments::{set_due_days, Screener};
use super::names::pick;
use super::supervision::Supervised;
use crate::domain::assessments::case_plans::{
    review_after_signing, Agreement, Goal, ItemKind, Link, Plan, PlanKind, Step, StepOwner,
};
use crate::domain::casework::conditions::ConditionKind;
use crate::domain::casework::supervision::SupervisionLevel;
use crate::domain::ids::{AssessmentId, CaseId, ConditionId, PlanId, PlanItemId, UserId};
use crate::keyring::KeyRing;
use crate::store::assessments::case_plans::{self as store, NewPlan, Signed};
use crate::store::casework::cases::Due;
use crate::store::Tx;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::rngs::StdRng;
use rand::Rng;

/// Most goals a demo plan holds.
const MOST_GOALS: usize = 3;

/// A need domain's goal, its steps by hand, and the conditions that serve it.
struct Answer {
    domain: &'static str,
    outcome: &'static str,
    steps: [(&'static str, StepOwner); 2],
    served_by: &'static [ConditionKind],
}

const ANSWERS: &[Answer] = &[
    Answer {
        domain: "criminal_history",
        outcome: "No new arrest or citation during supervision",
        steps: [
            (
                "Name the situations that led to past arrests",
                StepOwner::Participant,
            ),
            (
                "Review the high-risk situations list at each visit",
                StepOwner::Officer,
            ),
        ],
        served_by: &[ConditionKind::Reporting],
    },
    Answer {
        domain: "education_employment",
        outcome: "Working at least 30 hours a week for three months",
        steps: [
            (
                "Apply to five jobs a week and bring the list",
                StepOwner::Participant,
            ),
            (
                "Refer to the workforce centre's job readiness class",
                StepOwner::Officer,
            ),
        ],
        served_by: &[ConditionKind::EmploymentSchool, ConditionKind::Classes],
    },
    Answer {
        domain: "family_marital",
        outcome: "Family disputes settled without police being called",
        steps: [
            ("Attend family counselling sessions", StepOwner::Provider),
            (
                "Agree a plan for visits with the children",
                StepOwner::Participant,
            ),
        ],
        served_by: &[ConditionKind::Classes],
    },
    Answer {
        domain: "leisure_recreation",
        outcome: "Two structured activities a week",
        steps: [
            (
                "Join a sports league or volunteer group",
                StepOwner::Participant,
            ),
            ("Share the community centre's programme", StepOwner::Officer),
        ],
        served_by: &[ConditionKind::CommunityService],
    },
    Answer {
        domain: "companions",
        outcome: "Time spent with people who support the plan",
        steps: [
            (
                "Name two people who support staying out of trouble",
                StepOwner::Participant,
            ),
            ("Attend a peer mentoring group", StepOwner::Provider),
        ],
        served_by: &[ConditionKind::Classes],
    },
    Answer {
        domain: "alcohol_drug",
        outcome: "Ninety days without a positive or missed test",
        steps: [
            ("Complete the substance use evaluation", StepOwner::Provider),
            (
                "Attend a recovery support meeting each week",
                StepOwner::Participant,
            ),
        ],
        served_by: &[ConditionKind::Treatment, ConditionKind::Testing],
    },
    Answer {
        domain: "procriminal_attitudes",
        outcome: "Completes the thinking-for-change curriculum",
        steps: [
            (
                "Attend the cognitive-behavioural group",
                StepOwner::Provider,
            ),
            (
                "Discuss one thinking report at each visit",
                StepOwner::Officer,
            ),
        ],
        served_by: &[ConditionKind::Classes],
    },
    Answer {
        domain: "antisocial_pattern",
        outcome: "Uses a written plan to handle anger and impulses",
        steps: [
            (
                "Write a plan for the three riskiest situations",
                StepOwner::Participant,
            ),
            ("Attend anger management sessions", StepOwner::Provider),
        ],
        served_by: &[ConditionKind::Classes],
    },
];

/// A version to store.
struct Version {
    id: PlanId,
    case: CaseId,
    number: i32,
    kind: PlanKind,
    assessment: AssessmentId,
    content: Plan,
    by: UserId,
    signed: Signed,
}

/// The plans of a batch's cases.
#[derive(Default)]
pub struct Planned {
    versions: Vec<Version>,
    items: Vec<(CaseId, PlanItemId, ItemKind, UserId)>,
    review: Vec<(CaseId, NaiveDate)>,
}

/// What a plan is written for: the case, its assessment and needs, the
/// conditions set on it (id and kind), its level, and when it was assessed.
pub struct Basis<'a> {
    pub case: &'a Supervised<'a>,
    pub assessment: AssessmentId,
    pub needs: &'a [String],
    pub conditions: &'a [(ConditionId, ConditionKind)],
    pub level: SupervisionLevel,
    pub assessed_at: DateTime<Utc>,
}

impl Planned {
    /// A case's plan: the initial version a week after its assessment, and
    /// a review where one fell due since.
    pub fn plan(
        &mut self,
        rng: &mut StdRng,
        screener: &Screener,
        basis: &Basis<'_>,
        now: DateTime<Utc>,
        today: NaiveDate,
    ) {
        let content = goals(basis, today);
        let signed_at = (basis.assessed_at + Duration::days(7)).min(now);
        let countersigned_by = (basis.level == SupervisionLevel::High)
            .then(|| screener.approver(basis.case.officer))
            .flatten();
        let answers = [
            Agreement::Agreed,
            Agreement::Agreed,
            Agreement::Agreed,
            Agreement::Agreed,
            Agreement::DoesNotAgree,
            Agreement::CouldNotAnswer,
        ];
        let (first, later) = (*pick(rng, &answers), *pick(rng, &answers));
        let reviewed_at = (now - Duration::days(rng.gen_range(3..60))).max(signed_at);
        let version = |number: i32, kind, content: Plan, at: DateTime<Utc>| Version {
            id: PlanId::new(),
            case: basis.case.id,
            number,
            kind,
            assessment: basis.assessment,
            content,
            by: basis.case.officer,
            signed: Signed {
                at,
                countersigned_by,
                agreement: if number > 1 { later } else { first },
                on: at.date_naive(),
            },
        };
        let initial = version(1, PlanKind::Initial, content.clone(), signed_at);
        let mut last = signed_at.date_naive();
        let mut versions = vec![initial];
        let first_review = review_after_signing(last, 90);
        if first_review < today {
            let mut reviewed = content.clone();
            for goal in &mut reviewed.goals {
                goal.target += Duration::days(90);
            }
            versions.push(version(2, PlanKind::Review, reviewed, reviewed_at));
            last = reviewed_at.date_naive();
        }
        let (case, by) = (basis.case.id, basis.case.officer);
        self.items
            .extend(content.items().map(|(key, kind)| (case, key, kind, by)));
        self.review
            .push((basis.case.id, review_after_signing(last, 90)));
        self.versions.extend(versions);
    }

    /// Stores the versions, their items (goals active, steps not started:
    /// linked steps follow their conditions) and the reviews' due days.
    pub async fn store(
        &self,
        tx: &mut Tx,
        keys: &KeyRing,
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        let rows: Vec<NewPlan> = self
            .versions
            .iter()
            .map(|v| NewPlan {
                id: v.id,
                case_id: v.case,
                number: v.number,
                kind: v.kind,
                assessment_id: Some(v.assessment),
                content: &v.content,
                created_by: v.by,
                signed: Some(v.signed),
            })
            .collect();
        store::insert_many(tx, keys, &rows, now).await?;
        store::add_items(tx, &self.items, now).await?;
        set_due_days(tx, Due::PlanReview, &self.review).await
    }
}

/// Goals for the identified needs (at most three; the first domain when
/// none was identified), each with its usual steps and, where one of the
/// case's conditions serves the need, a step following it.
fn goals(basis: &Basis<'_>, today: NaiveDate) -> Plan {
    let mut chosen: Vec<&Answer> = ANSWERS
        .iter()
        .filter(|a| basis.needs.iter().any(|n| n == a.domain))
        .take(MOST_GOALS)
        .collect();
    if chosen.is_empty() {
        chosen.extend(ANSWERS.first());
    }
    let target = today + Duration::days(180);
    Plan {
        goals: chosen
            .into_iter()
            .map(|a| {
                let mut steps: Vec<Step> = a
                    .steps
                    .iter()
                    .map(|(action, owner)| Step {
                        key: PlanItemId::new(),
                        action: (*action).to_owned(),
                        owner: *owner,
                        owner_name: None,
                        due: None,
                        link: None,
                    })
                    .collect();
                let serving = basis
                    .conditions
                    .iter()
                    .find(|(_, kind)| a.served_by.contains(kind));
                if let Some((id, kind)) = serving {
                    steps.push(Step {
                        key: PlanItemId::new(),
                        action: format!("Meet the condition: {}", kind.title().to_lowercase()),
                        owner: StepOwner::Participant,
                        owner_name: None,
                        due: None,
                        link: Some(Link::Condition(*id)),
                    });
                }
                Goal {
                    key: PlanItemId::new(),
                    domain: a.domain.to_owned(),
                    related: Vec::new(),
                    outcome: a.outcome.to_owned(),
                    target,
                    steps,
                }
            })
            .collect(),
    }
}
