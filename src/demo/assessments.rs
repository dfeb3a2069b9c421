//! The demo's assessments: the shipped instruments loaded, and each case
//! under supervision assessed with the needs screener when its supervision
//! began. Answers are drawn for a risk the case was given, scored by the
//! instrument, and the case's supervision level is the one its level
//! recommends; about one in twenty was overridden one step up, approved by
//! a supervisor.

use super::names::pick;
use super::supervision::Supervised;
use crate::app::assessments::instruments::{self, Loaded};
use crate::app::App;
use crate::config::AssessmentSettings;
use crate::domain::assessments::instrument::{AnswerType, Definition, Item};
use crate::domain::assessments::reassessment::next_after;
use crate::domain::assessments::recommendation::OverrideDecision;
use crate::domain::assessments::scoring::{score, Answer, Answers, Need, Scored};
use crate::domain::casework::supervision::SupervisionLevel;
use crate::domain::ids::{AssessmentId, CaseId, InstrumentId, OverrideId, UserId};
use crate::keyring::KeyRing;
use crate::store::assessments::case_assessments::{self as store, GivenAnswers, NewAssessment};
use crate::store::assessments::overrides::{self as override_store, NewOverride};
use crate::store::casework::cases as case_store;
use crate::store::Tx;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use rand::rngs::StdRng;
use rand::Rng;
use std::collections::BTreeMap;

/// The instruments Bridgeway ships, as the demo loads them.
const SHIPPED: [&str; 2] = [
    include_str!("../../instruments/bw-needs-1.toml"),
    include_str!("../../instruments/bw-pretrial-1.toml"),
];

/// The instrument the demo assesses with, and what its levels recommend.
pub struct Screener {
    id: InstrumentId,
    digest: String,
    definition: Definition,
    settings: AssessmentSettings,
    /// Who approve the demo's overrides (never their own proposals).
    supervisors: Vec<UserId>,
    /// The agency's zone, whose dates the rules count in.
    zone: Tz,
}

/// Loads the shipped instruments (as the console would) and returns the
/// needs screener.
pub async fn load_shipped(app: &App, supervisors: Vec<UserId>) -> anyhow::Result<Screener> {
    let mut needs = None;
    for text in SHIPPED {
        let row = match instruments::import(app, None, text).await? {
            Loaded::Added(row) | Loaded::Unchanged(row) => row,
        };
        if row.instrument_id == "bw-needs" {
            needs = Some((row, text));
        }
    }
    let (row, text) = needs.ok_or_else(|| anyhow::anyhow!("the needs screener is shipped"))?;
    let definition = Definition::from_toml(text)
        .map_err(|problems| anyhow::anyhow!("the needs screener reads: {}", problems.join("; ")))?;
    Ok(Screener {
        id: row.id,
        digest: row.digest,
        definition,
        settings: app.settings.assessments.clone(),
        supervisors,
        zone: app.settings.zone(),
    })
}

impl Screener {
    /// A supervisor other than `not` (who approves or countersigns).
    pub fn approver(&self, not: UserId) -> Option<UserId> {
        self.supervisors.iter().copied().find(|u| *u != not)
    }
}

/// An assessment to store, with its override if it had one.
struct Seed {
    id: AssessmentId,
    case: CaseId,
    answers: GivenAnswers,
    scored: Scored,
    by: UserId,
    at: DateTime<Utc>,
    /// One step above the computed level, approved.
    raised_to: Option<String>,
}

/// The assessments of a batch's cases.
#[derive(Default)]
pub struct Assessed {
    seeds: Vec<Seed>,
    /// When each case's next assessment is due, by its program's rule.
    due: Vec<(CaseId, NaiveDate)>,
}

/// An answer to `item` drawn for a risk `p` (the chance of each concern).
fn draw(rng: &mut StdRng, item: &Item, p: f64) -> Option<Answer> {
    let worse = rng.gen_bool(p);
    match item.answer {
        AnswerType::YesNo => Some(Answer::YesNo(worse)),
        AnswerType::Choice => {
            let choices = &item.choices;
            let index = if worse {
                rng.gen_range(0..choices.len())
            } else {
                0
            };
            choices.get(index).map(|c| Answer::Choice(c.value.clone()))
        }
        AnswerType::Number => {
            let low = item.min.unwrap_or(0);
            let high = item
                .max
                .unwrap_or(low + 10)
                .min(low + if worse { 8 } else { 2 });
            Some(Answer::Number(rng.gen_range(low..=high.max(low))))
        }
        // Dates are optional details (a last use): left unanswered.
        AnswerType::Date => None,
    }
}

impl Assessed {
    /// The assessment just made on `case` (if one was), with the need
    /// domains it identified.
    pub fn latest_of(&self, case: CaseId) -> Option<(AssessmentId, Vec<String>)> {
        self.seeds.last().filter(|s| s.case == case).map(|s| {
            let needs = s
                .scored
                .needs
                .iter()
                .filter(|n| n.need == Need::Identified)
                .map(|n| n.section.clone())
                .collect();
            (s.id, needs)
        })
    }

    /// Assesses a case when its supervision began, for a risk drawn as
    /// agencies' caseloads run; returns the supervision level the result
    /// recommends (none if the instrument gives no level the agency maps).
    pub fn assess(
        &mut self,
        rng: &mut StdRng,
        screener: &Screener,
        case: &Supervised<'_>,
        at: DateTime<Utc>,
    ) -> Option<SupervisionLevel> {
        let p = *pick(rng, &[0.08, 0.2, 0.3, 0.45, 0.6]);
        let def = &screener.definition;
        // Answers that break a constraint (drug problems without use) are
        // drawn again; answering every concern "no" always holds.
        let (answers, scored) = (0..9).find_map(|attempt| {
            let chance = if attempt < 8 { p } else { 0.0 };
            let answers: Answers = def
                .items
                .iter()
                .filter_map(|i| Some((i.id.clone(), draw(rng, i, chance)?)))
                .collect();
            score(def, &answers, None).ok().map(|s| (answers, s))
        })?;
        let level = scored.level.as_ref()?.name.clone();
        let names = def
            .levels
            .as_ref()
            .map(|l| l.names.as_slice())
            .unwrap_or_default();
        let raised_to = names
            .iter()
            .position(|n| *n == level)
            .and_then(|i| names.get(i + 1))
            .filter(|_| rng.gen_bool(0.05))
            .cloned();
        let standing = raised_to.as_deref().unwrap_or(&level);
        let recommended = screener.settings.recommends(standing);
        if let Some(months) = case.reassess_months {
            let on = at.with_timezone(&screener.zone).date_naive();
            self.due.push((case.id, next_after(on, months)));
        }
        self.seeds.push(Seed {
            id: AssessmentId::new(),
            case: case.id,
            answers: answers
                .iter()
                .map(|(k, a)| (k.clone(), a.given()))
                .collect(),
            scored,
            by: case.officer,
            at,
            raised_to,
        });
        recommended
    }

    /// Stores the assessments and their overrides.
    pub async fn store(
        &self,
        tx: &mut Tx,
        keys: &KeyRing,
        screener: &Screener,
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        let rows: Vec<NewAssessment> = self
            .seeds
            .iter()
            .map(|s| NewAssessment {
                id: s.id,
                case_id: s.case,
                instrument: screener.id,
                digest: &screener.digest,
                population: None,
                answers: &s.answers,
                assessor_id: s.by,
                completed: Some((&s.scored, s.at)),
            })
            .collect();
        store::insert_many(tx, keys, &rows, now).await?;
        set_due_days(tx, case_store::Due::Reassessment, &self.due).await?;
        let reason = screener
            .settings
            .override_reasons
            .first()
            .map_or("Agency policy", String::as_str);
        for s in &self.seeds {
            let Some(level) = &s.raised_to else { continue };
            let id = OverrideId::new();
            let proposal = NewOverride {
                id,
                assessment_id: s.id,
                level,
                reason_code: reason,
                reason: "Recent threats toward the victim reported by the family.",
                proposed_by: s.by,
            };
            override_store::insert(tx, &proposal, s.at).await?;
            let Some(approver) = screener.supervisors.iter().find(|u| **u != s.by) else {
                continue;
            };
            let approved = OverrideDecision::Approved;
            override_store::decide(tx, id, approved, *approver, None, s.at).await?;
        }
        Ok(())
    }
}

/// Sets the day `what` is due on each case, a day's cases at once.
pub(super) async fn set_due_days(
    tx: &mut Tx,
    what: case_store::Due,
    due: &[(CaseId, NaiveDate)],
) -> anyhow::Result<()> {
    let mut by_day: BTreeMap<NaiveDate, Vec<CaseId>> = BTreeMap::new();
    for (case, day) in due {
        by_day.entry(*day).or_default().push(*case);
    }
    for (day, cases) in &by_day {
        case_store::set_due_of_many(tx, what, Some(*day), cases).await?;
    }
    Ok(())
}
