//! Scoring an instrument's answers: each item's points, summed per section
//! and per scale, combinations, the raw-to-scaled table, flags, the risk
//! level by the population's cut-offs, and needs. Points are never
//! negative, so an unanswered item can only add to a score: a result short
//! of answers is a lower bound, and said to be so (a level "at least", a
//! need "not assessed"), never a quiet "low".

use super::instrument::{AnswerType, Condition, Definition, Item, Prefill, Scale};
use crate::domain::programs::ChargeLevel;
use crate::labelled_enum;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An answer as it is written (in a file, a form or JSON): read against
/// its item's type by [`read`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum Given {
    Flag(bool),
    Number(i64),
    Text(String),
}

/// An answer of the item's type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Choice(String),
    YesNo(bool),
    Number(i64),
    Date(NaiveDate),
}

impl Answer {
    /// As it would be written back: what [`read`] takes.
    pub fn given(&self) -> Given {
        match self {
            Self::Choice(v) => Given::Text(v.clone()),
            Self::YesNo(b) => Given::Flag(*b),
            Self::Number(n) => Given::Number(*n),
            Self::Date(d) => Given::Text(d.to_string()),
        }
    }
}

/// Reads `given` as an answer to `item`, or says why it is not one.
pub fn read(item: &Item, given: &Given) -> Result<Answer, String> {
    match (item.answer, given) {
        (AnswerType::Choice, Given::Text(v)) if item.choices.iter().any(|c| &c.value == v) => {
            Ok(Answer::Choice(v.clone()))
        }
        (AnswerType::Choice, _) => {
            let values: Vec<&str> = item.choices.iter().map(|c| c.value.as_str()).collect();
            Err(format!("must be one of: {}", values.join(", ")))
        }
        (AnswerType::YesNo, Given::Flag(b)) => Ok(Answer::YesNo(*b)),
        (AnswerType::YesNo, Given::Text(t)) if t == "yes" || t == "no" => {
            Ok(Answer::YesNo(t == "yes"))
        }
        (AnswerType::YesNo, _) => Err("must be yes or no".into()),
        (AnswerType::Number, Given::Number(n)) => {
            let (low, high) = (
                item.min.unwrap_or(0),
                item.max.unwrap_or(i64::from(u16::MAX)),
            );
            if (low..=high).contains(n) {
                Ok(Answer::Number(*n))
            } else {
                Err(format!("must be a whole number from {low} to {high}"))
            }
        }
        (AnswerType::Number, _) => Err("must be a whole number".into()),
        (AnswerType::Date, Given::Text(t)) => t
            .parse()
            .map(Answer::Date)
            .map_err(|_| "must be a date like 2026-12-07".into()),
        (AnswerType::Date, _) => Err("must be a date like 2026-12-07".into()),
    }
}

/// Answers by item id.
pub type Answers = BTreeMap<String, Answer>;

/// Reads every answer given against its item: the answers, or each item
/// (by id) with what is wrong with its answer.
pub fn read_all(
    def: &Definition,
    given: &BTreeMap<String, Given>,
) -> Result<Answers, Vec<(String, String)>> {
    let mut answers = Answers::new();
    let mut problems = Vec::new();
    for (id, given) in given {
        match def.item(id).map(|item| read(item, given)) {
            Some(Ok(a)) => {
                answers.insert(id.clone(), a);
            }
            Some(Err(e)) => problems.push((id.clone(), e)),
            None => problems.push((id.clone(), "is not an item of this instrument".into())),
        }
    }
    if problems.is_empty() {
        Ok(answers)
    } else {
        Err(problems)
    }
}

/// Why answers were refused: the items named and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The item (or items, for answers that exclude one another).
    pub items: Vec<String>,
    pub message: String,
    /// The constraint broken, if that was it.
    pub constraint: Option<String>,
}

labelled_enum! {
    /// Whether a section is a need. "Not assessed" (not answered enough to
    /// say) is never read as "no need".
    pub enum Need ("need") {
        Identified => ("identified", "Identified need"),
        NotIdentified => ("not_identified", "No need identified"),
        NotAssessed => ("not_assessed", "Not assessed"),
    }
}

/// A scale's score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ScaleScore {
    pub scale: String,
    pub raw: i64,
    /// From the scale's table, if it has one.
    pub scaled: Option<i64>,
    /// Every item and combination counting toward it is settled; if not,
    /// the score is a lower bound.
    pub complete: bool,
}

impl ScaleScore {
    /// The score flags and levels read: scaled if there is a table.
    pub fn score(&self) -> i64 {
        self.scaled.unwrap_or(self.raw)
    }
}

/// A need domain's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NeedResult {
    pub section: String,
    pub points: i64,
    pub need: Need,
}

/// The risk level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LevelResult {
    pub name: String,
    /// False: the scale is not fully answered, the level is "at least".
    pub complete: bool,
}

/// What produced the result: an item's answer or a combination, with its
/// points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Factor {
    pub id: String,
    pub points: i64,
}

/// The whole result of scoring.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Scored {
    pub scales: Vec<ScaleScore>,
    pub needs: Vec<NeedResult>,
    pub level: Option<LevelResult>,
    pub flags: Vec<String>,
    /// Highest points first.
    pub factors: Vec<Factor>,
    /// Items without an answer (optional ones aside), in the form's order.
    pub unanswered: Vec<String>,
}

/// Does `c` hold for `answers`? `None`: its item is not answered yet.
fn holds(c: &Condition, answers: &Answers) -> Option<bool> {
    let answer = answers.get(&c.item)?;
    if c.answered {
        return Some(true);
    }
    let equals = |v: &str| c.equals.as_deref() == Some(v);
    Some(match answer {
        Answer::Choice(v) => equals(v),
        Answer::YesNo(b) => equals(if *b { "yes" } else { "no" }),
        Answer::Number(n) => {
            c.at_least.is_none_or(|low| *n >= low) && c.at_most.is_none_or(|high| *n <= high)
        }
        Answer::Date(_) => false,
    })
}

/// Do all of `when` hold? `None` when one is unanswered and none fails.
fn all_hold(when: &[Condition], answers: &Answers) -> Option<bool> {
    let mut settled = true;
    for c in when {
        match holds(c, answers) {
            Some(false) => return Some(false),
            Some(true) => {}
            None => settled = false,
        }
    }
    settled.then_some(true)
}

fn item_points(item: &Item, answer: &Answer) -> i64 {
    match answer {
        Answer::Choice(v) => item
            .choices
            .iter()
            .find(|c| &c.value == v)
            .map_or(0, |c| c.points),
        Answer::YesNo(true) => item.yes_points,
        Answer::YesNo(false) | Answer::Date(_) => 0,
        Answer::Number(n) => item.band_points(*n),
    }
}

/// The scaled score of `raw`: the last table row at or below it (the first
/// row below every row).
fn scaled(scale: &Scale, raw: i64) -> Option<i64> {
    let first = scale.table.first()?;
    let row = scale
        .table
        .iter()
        .rev()
        .find(|r| r.raw <= raw)
        .unwrap_or(first);
    Some(row.scaled)
}

/// Checks `answers` (read already) against the constraints: every broken
/// one is a refusal naming its items.
pub fn refusals(def: &Definition, answers: &Answers) -> Vec<Refusal> {
    let unknown = answers
        .keys()
        .filter(|id| def.item(id).is_none())
        .map(|id| Refusal {
            items: vec![id.clone()],
            message: "is not an item of this instrument".into(),
            constraint: None,
        });
    let broken = def
        .constraints
        .iter()
        .filter(|c| all_hold(&c.when, answers) == Some(true))
        .map(|c| Refusal {
            items: c.when.iter().map(|w| w.item.clone()).collect(),
            message: c.message.en.clone(),
            constraint: Some(c.id.clone()),
        });
    unknown.chain(broken).collect()
}

/// Scores `answers` for `population` (whose cut-offs apply; `None` or an
/// unknown one: the default cut-offs). Refused answers are not scored.
pub fn score(
    def: &Definition,
    answers: &Answers,
    population: Option<&str>,
) -> Result<Scored, Vec<Refusal>> {
    let refused = refusals(def, answers);
    if !refused.is_empty() {
        return Err(refused);
    }
    let mut section_points: BTreeMap<&str, (i64, usize, usize)> = BTreeMap::new();
    let mut scale_points: BTreeMap<&str, (i64, bool)> = def
        .scales
        .iter()
        .map(|s| (s.id.as_str(), (0, true)))
        .collect();
    let mut factors = Vec::new();
    let mut unanswered = Vec::new();
    for item in &def.items {
        let entry = section_points.entry(item.section.as_str()).or_default();
        entry.2 += usize::from(!item.optional);
        let points = match answers.get(&item.id) {
            Some(answer) => {
                entry.1 += usize::from(!item.optional);
                item_points(item, answer)
            }
            None if item.optional => continue,
            None => {
                unanswered.push(item.id.clone());
                for s in &item.scales {
                    if let Some(p) = scale_points.get_mut(s.as_str()) {
                        p.1 = false;
                    }
                }
                continue;
            }
        };
        entry.0 += points;
        for s in &item.scales {
            if let Some(p) = scale_points.get_mut(s.as_str()) {
                p.0 += points;
            }
        }
        if points > 0 {
            factors.push(Factor {
                id: item.id.clone(),
                points,
            });
        }
    }
    for c in &def.combinations {
        let Some(p) = scale_points.get_mut(c.scale.as_str()) else {
            continue;
        };
        match all_hold(&c.when, answers) {
            Some(true) => {
                p.0 += c.points;
                factors.push(Factor {
                    id: c.id.clone(),
                    points: c.points,
                });
            }
            Some(false) => {}
            None => p.1 = false,
        }
    }
    let scales: Vec<ScaleScore> = def
        .scales
        .iter()
        .map(|s| {
            let (raw, complete) = scale_points
                .get(s.id.as_str())
                .copied()
                .unwrap_or((0, true));
            ScaleScore {
                scale: s.id.clone(),
                raw,
                scaled: scaled(s, raw),
                complete,
            }
        })
        .collect();
    let flags = def
        .scales
        .iter()
        .zip(&scales)
        .flat_map(|(s, score)| s.flags.iter().filter(|f| score.score() >= f.at))
        .map(|f| f.id.clone())
        .collect();
    let needs = def
        .sections
        .iter()
        .filter_map(|s| {
            let threshold = s.need_at?;
            let (points, answered, items) = section_points
                .get(s.id.as_str())
                .copied()
                .unwrap_or_default();
            let need = if answered > 0 && points >= threshold {
                Need::Identified
            } else if answered == items && items > 0 {
                Need::NotIdentified
            } else {
                Need::NotAssessed
            };
            Some(NeedResult {
                section: s.id.clone(),
                points,
                need,
            })
        })
        .collect();
    let level = def.levels.as_ref().and_then(|levels| {
        let score = scales.iter().find(|s| s.scale == levels.scale)?;
        let cuts = levels.cutoffs_for(population)?;
        let reached = cuts.iter().filter(|cut| score.score() >= **cut).count();
        let name = levels.names.get(reached.saturating_sub(1))?;
        Some(LevelResult {
            name: name.clone(),
            complete: score.complete,
        })
    });
    factors.sort_by(|a, b| b.points.cmp(&a.points).then_with(|| a.id.cmp(&b.id)));
    Ok(Scored {
        scales,
        needs,
        level,
        flags,
        factors,
        unanswered,
    })
}

/// An answer as people read it (a choice's label, "Yes", a number), or
/// "Not answered".
pub fn shown(item: &Item, given: Option<&Given>) -> String {
    match read_given(item, given) {
        None => "Not answered".into(),
        Some(Answer::Choice(v)) => item
            .choices
            .iter()
            .find(|c| c.value == v)
            .map_or(v, |c| c.label.en.clone()),
        Some(Answer::YesNo(b)) => if b { "Yes" } else { "No" }.into(),
        Some(Answer::Number(n)) => n.to_string(),
        Some(Answer::Date(d)) => d.to_string(),
    }
}

fn read_given(item: &Item, given: Option<&Given>) -> Option<Answer> {
    read(item, given?).ok()
}

/// What a factor of a result was, as people read it: the item's question
/// with its answer, or the combination's label.
pub fn factor_label(def: &Definition, factor: &str, answers: &BTreeMap<String, Given>) -> String {
    match def.item(factor) {
        Some(item) => format!("{}: {}", item.text.en, shown(item, answers.get(factor))),
        None => def
            .combinations
            .iter()
            .find(|c| c.id == factor)
            .map_or_else(|| factor.to_owned(), |c| c.label.en.clone()),
    }
}

/// What the record says that items may be filled from.
#[derive(Debug, Clone, Default)]
pub struct RecordFacts {
    pub date_of_birth: Option<NaiveDate>,
    /// The day of the assessment.
    pub on: Option<NaiveDate>,
    pub charge_levels: Vec<ChargeLevel>,
    pub violent_charge: Option<bool>,
    pub prior_convictions: Option<u32>,
}

/// The answers the record gives, for the assessor to confirm.
pub fn prefilled(def: &Definition, facts: &RecordFacts) -> Answers {
    let most_serious = [
        ChargeLevel::Felony,
        ChargeLevel::Misdemeanor,
        ChargeLevel::Infraction,
    ]
    .into_iter()
    .find(|l| facts.charge_levels.contains(l));
    def.items
        .iter()
        .filter_map(|item| {
            let answer = match item.prefill? {
                Prefill::Age => {
                    let (born, on) = (facts.date_of_birth?, facts.on?);
                    Answer::Number(i64::from(crate::domain::people::age_on(born, on)))
                }
                Prefill::ChargeLevel => Answer::Choice(most_serious?.label().to_owned()),
                Prefill::ViolentCharge => Answer::YesNo(facts.violent_charge?),
                Prefill::PriorConvictions => Answer::Number(i64::from(facts.prior_convictions?)),
            };
            read(item, &answer.given())
                .ok()
                .map(|a| (item.id.clone(), a))
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A small instrument using every feature: each item type, a
    /// combination, a constraint, a table, a flag, cut-offs by population,
    /// two need domains and prefills.
    pub(crate) const SAMPLE: &str = r#"
id = "sample"
name = "Sample"
version = 1
source = "Tests"
licence = "CC0"
populations = ["male", "female"]

[[sections]]
id = "history"
title = { en = "History" }
need_at = 3

[[sections]]
id = "drugs"
title = { en = "Drugs", es = "Drogas" }
need_at = 2

[[items]]
id = "priors"
section = "history"
text = { en = "Prior convictions" }
type = "number"
max = 200
prefill = "prior_convictions"
scales = ["total"]
bands = [{ from = 0, to = 0, points = 0 }, { from = 1, to = 2, points = 1 }, { from = 3, points = 3 }]

[[items]]
id = "age"
section = "history"
text = { en = "Age" }
type = "number"
min = 10
max = 110
prefill = "age"
scales = ["total"]
bands = [{ from = 10, to = 23, points = 2 }, { from = 24, to = 33, points = 1 }]

[[items]]
id = "violent"
section = "history"
text = { en = "Current charge violent" }
type = "yes_no"
prefill = "violent_charge"

[[items]]
id = "charge"
section = "history"
text = { en = "Current charge level" }
type = "choice"
prefill = "charge_level"
scales = ["total"]
choices = [
  { value = "felony", label = { en = "Felony" }, points = 1 },
  { value = "misdemeanor", label = { en = "Misdemeanor" } },
  { value = "infraction", label = { en = "Infraction" } },
]

[[items]]
id = "use"
section = "drugs"
text = { en = "Drug use in the past year" }
type = "yes_no"
yes_points = 2
sensitive = true
scales = ["total"]

[[items]]
id = "last_use"
section = "drugs"
text = { en = "Date of last use" }
type = "date"
sensitive = true
optional = true

[[scales]]
id = "total"
title = { en = "Total" }
table = [{ raw = 0, scaled = 0 }, { raw = 3, scaled = 10 }, { raw = 6, scaled = 20 }]
flags = [{ id = "high_total", label = { en = "High total" }, at = 20 }]

[[combinations]]
id = "young_violent"
label = { en = "Violent charge at 23 or under" }
scale = "total"
points = 1
when = [{ item = "violent", equals = "yes" }, { item = "age", at_most = 23 }]

[[constraints]]
id = "use_date"
message = { en = "a date of last use needs drug use in the past year" }
when = [{ item = "use", equals = "no" }, { item = "last_use", answered = true }]

[levels]
scale = "total"
names = ["low", "moderate", "high"]
cutoffs = { default = [0, 10, 20], female = [0, 12, 20] }
"#;

    fn sample() -> Definition {
        Definition::from_toml(SAMPLE).expect("the sample is valid")
    }

    fn answers(def: &Definition, given: &[(&str, Given)]) -> Answers {
        given
            .iter()
            .map(|(id, g)| {
                let item = def.item(id).expect("an item");
                ((*id).to_owned(), read(item, g).expect("a valid answer"))
            })
            .collect()
    }

    fn full(def: &Definition, priors: i64, age: i64, violent: bool, used: bool) -> Answers {
        answers(
            def,
            &[
                ("priors", Given::Number(priors)),
                ("age", Given::Number(age)),
                ("violent", Given::Flag(violent)),
                ("charge", Given::Text("felony".into())),
                ("use", Given::Flag(used)),
                ("last_use", Given::Text("2026-10-01".into())),
            ],
        )
    }

    #[test]
    fn items_sum_per_scale_through_the_table_to_a_level() {
        let def = sample();
        // priors 3 → 3, age 22 → 2, felony → 1, use → 2, young and violent → 1.
        let scored = score(&def, &full(&def, 3, 22, true, true), None).unwrap();
        let total = &scored.scales[0];
        assert_eq!(
            (total.raw, total.scaled, total.complete),
            (9, Some(20), true)
        );
        assert_eq!(scored.flags, ["high_total"]);
        assert_eq!(scored.level.as_ref().map(|l| l.name.as_str()), Some("high"));
        assert_eq!(
            scored.factors[0],
            Factor {
                id: "priors".into(),
                points: 3
            }
        );
        assert!(scored.factors.iter().any(|f| f.id == "young_violent"));
        assert!(scored.unanswered.is_empty());
    }

    #[test]
    fn cut_offs_differ_by_population() {
        let def = sample();
        // priors 1 → 1, age 30 → 1, felony → 1: raw 3, scaled 10.
        let a = full(&def, 1, 30, false, false);
        let mut a = a;
        a.remove("last_use");
        let level = |p| score(&def, &a, p).unwrap().level.unwrap().name;
        assert_eq!(level(None), "moderate");
        assert_eq!(level(Some("male")), "moderate", "no cut-offs of its own");
        assert_eq!(level(Some("female")), "low", "12 is her moderate");
    }

    #[test]
    fn a_combination_needs_every_condition() {
        let def = sample();
        let older = score(&def, &full(&def, 0, 40, true, true), None).unwrap();
        assert!(older.factors.iter().all(|f| f.id != "young_violent"));
        let calm = score(&def, &full(&def, 0, 20, false, true), None).unwrap();
        assert!(calm.factors.iter().all(|f| f.id != "young_violent"));
    }

    #[test]
    fn answers_that_exclude_one_another_are_refused_naming_both() {
        let def = sample();
        let refused = score(&def, &full(&def, 0, 40, false, false), None).unwrap_err();
        assert_eq!(refused.len(), 1);
        assert_eq!(refused[0].items, ["use", "last_use"]);
        assert_eq!(refused[0].constraint.as_deref(), Some("use_date"));
        let mut unknown = full(&def, 0, 40, false, true);
        unknown.insert("shoe_size".into(), Answer::Number(9));
        assert_eq!(
            score(&def, &unknown, None).unwrap_err()[0].items,
            ["shoe_size"]
        );
    }

    #[test]
    fn needs_are_identified_not_identified_or_not_assessed() {
        let def = sample();
        let need = |a: &Answers, section: &str| {
            score(&def, a, None)
                .unwrap()
                .needs
                .into_iter()
                .find(|n| n.section == section)
                .unwrap()
                .need
        };
        let all = full(&def, 3, 40, false, true);
        assert_eq!(need(&all, "history"), Need::Identified);
        assert_eq!(need(&all, "drugs"), Need::Identified);
        let none = Answers::new();
        assert_eq!(
            need(&none, "drugs"),
            Need::NotAssessed,
            "unanswered is never 'no need'"
        );
        let mut partly = answers(&def, &[("priors", Given::Number(0))]);
        assert_eq!(
            need(&partly, "history"),
            Need::NotAssessed,
            "below, but not all answered"
        );
        partly = answers(&def, &[("priors", Given::Number(5))]);
        assert_eq!(
            need(&partly, "history"),
            Need::Identified,
            "reached, whatever follows"
        );
        let mut clean = full(&def, 0, 40, false, false);
        clean.remove("last_use");
        assert_eq!(need(&clean, "drugs"), Need::NotIdentified);
    }

    #[test]
    fn a_result_short_of_answers_says_so() {
        let def = sample();
        let partly = answers(
            &def,
            &[("priors", Given::Number(3)), ("use", Given::Flag(true))],
        );
        let scored = score(&def, &partly, None).unwrap();
        assert!(!scored.scales[0].complete);
        let level = scored.level.unwrap();
        assert_eq!(
            (level.name.as_str(), level.complete),
            ("moderate", false),
            "at least moderate"
        );
        assert_eq!(
            scored.unanswered,
            ["age", "violent", "charge"],
            "the optional one aside"
        );
    }

    #[test]
    fn answers_are_read_against_their_item() {
        let def = sample();
        let item = |id| def.item(id).unwrap();
        assert_eq!(
            read(item("use"), &Given::Text("yes".into())),
            Ok(Answer::YesNo(true))
        );
        assert!(read(item("use"), &Given::Number(1)).is_err());
        assert!(read(item("charge"), &Given::Text("treason".into()))
            .unwrap_err()
            .contains("felony, misdemeanor, infraction"));
        assert!(read(item("age"), &Given::Number(7))
            .unwrap_err()
            .contains("from 10 to 110"));
        assert!(read(item("last_use"), &Given::Text("last week".into())).is_err());
        assert_eq!(
            read(item("last_use"), &Given::Text("2026-01-02".into())),
            Ok(Answer::Date(NaiveDate::from_ymd_opt(2026, 1, 2).unwrap()))
        );
    }

    #[test]
    fn the_record_fills_what_it_knows() {
        let def = sample();
        let facts = RecordFacts {
            date_of_birth: NaiveDate::from_ymd_opt(2004, 12, 8),
            on: NaiveDate::from_ymd_opt(2026, 12, 7),
            charge_levels: vec![ChargeLevel::Misdemeanor, ChargeLevel::Felony],
            violent_charge: Some(true),
            prior_convictions: None,
        };
        let filled = prefilled(&def, &facts);
        assert_eq!(
            filled.get("age"),
            Some(&Answer::Number(21)),
            "a day short of 22"
        );
        assert_eq!(filled.get("charge"), Some(&Answer::Choice("felony".into())));
        assert_eq!(filled.get("violent"), Some(&Answer::YesNo(true)));
        assert!(!filled.contains_key("priors"), "not entered: not guessed");
    }

    #[test]
    fn a_definition_is_checked_whole() {
        let broken = SAMPLE
            .replace(
                "scales = [\"total\"]\nbands = [{ from = 0, to = 0",
                "scales = [\"totl\"]\nbands = [{ from = 0, to = 5",
            )
            .replace(
                "cutoffs = { default = [0, 10, 20]",
                "cutoffs = { default = [0, 20, 10]",
            )
            .replace("points = 1\nwhen", "points = -1\nwhen");
        let problems = Definition::from_toml(&broken).unwrap_err();
        for expected in [
            "item 'priors' counts toward unknown scale 'totl'",
            "item 'priors': its bands overlap or run backwards",
            "cut-offs for 'default' must rise level by level",
            "combination 'young_violent' takes points away",
        ] {
            assert!(
                problems.iter().any(|p| p.starts_with(expected)),
                "{expected}: {problems:?}"
            );
        }
        assert!(Definition::from_toml("id = 3").unwrap_err()[0].contains("invalid type"));
        assert_eq!(Definition::digest("a").len(), 64);
    }
}

#[cfg(test)]
mod properties {
    use super::tests::SAMPLE;
    use super::*;
    use proptest::prelude::*;

    /// Any answer set to the sample: each item answered (within its range)
    /// or not; answer sets the constraint refuses are left out.
    fn answer_sets() -> impl Strategy<Value = Answers> {
        (
            proptest::option::of(0..=200i64),
            proptest::option::of(10..=110i64),
            proptest::option::of(any::<bool>()),
            proptest::option::of(prop_oneof!["felony", "misdemeanor", "infraction"]),
            proptest::option::of(any::<bool>()),
        )
            .prop_map(|(priors, age, violent, charge, used)| {
                let mut a = Answers::new();
                priors.map(|n| a.insert("priors".into(), Answer::Number(n)));
                age.map(|n| a.insert("age".into(), Answer::Number(n)));
                violent.map(|b| a.insert("violent".into(), Answer::YesNo(b)));
                charge.map(|c| a.insert("charge".into(), Answer::Choice(c.to_owned())));
                used.map(|b| a.insert("use".into(), Answer::YesNo(b)));
                a
            })
    }

    fn rank(def: &Definition, s: &Scored) -> Option<usize> {
        let names = &def.levels.as_ref()?.names;
        names
            .iter()
            .position(|n| Some(n) == s.level.as_ref().map(|l| &l.name))
    }

    proptest! {
        #[test]
        fn scoring_is_deterministic(a in answer_sets(), female in any::<bool>()) {
            let def = Definition::from_toml(SAMPLE).unwrap();
            let population = female.then_some("female");
            prop_assert_eq!(score(&def, &a, population), score(&def, &a, population));
        }

        /// Answering an item left unanswered never lowers a score, a level
        /// or a need already identified: an incomplete result is a floor.
        #[test]
        fn an_unanswered_item_never_lowers_a_result(a in answer_sets(), b in answer_sets()) {
            let def = Definition::from_toml(SAMPLE).unwrap();
            let before = score(&def, &a, None).unwrap();
            let mut more = a.clone();
            for (k, v) in b {
                more.entry(k).or_insert(v);
            }
            let after = score(&def, &more, None).unwrap();
            for (x, y) in before.scales.iter().zip(&after.scales) {
                prop_assert!(y.raw >= x.raw && y.score() >= x.score());
            }
            prop_assert!(rank(&def, &after) >= rank(&def, &before));
            for (x, y) in before.needs.iter().zip(&after.needs) {
                if x.need == Need::Identified {
                    prop_assert_eq!(y.need, Need::Identified);
                }
            }
            for f in &before.flags {
                prop_assert!(after.flags.contains(f));
            }
        }
    }

    #[test]
    fn answers_and_factors_read_as_people_say_them() {
        let def = Definition::from_toml(SAMPLE).unwrap();
        let item = def
            .items
            .iter()
            .find(|i| i.answer == AnswerType::YesNo)
            .unwrap();
        assert_eq!(shown(item, Some(&Given::Flag(true))), "Yes");
        assert_eq!(shown(item, Some(&Given::Text("no".into()))), "No");
        assert_eq!(shown(item, None), "Not answered");
        let answers = BTreeMap::from([(item.id.clone(), Given::Flag(true))]);
        assert_eq!(
            factor_label(&def, &item.id, &answers),
            format!("{}: Yes", item.text.en)
        );
        if let Some(c) = def.combinations.first() {
            assert_eq!(factor_label(&def, &c.id, &answers), c.label.en);
        }
    }
}
