//! An instrument's definition: its sections (need domains), items, scales,
//! the points that depend on combinations of answers, the answers that
//! exclude one another, raw-to-scaled tables, flags and risk levels by
//! population. A definition is read from TOML and checked whole before it
//! is used; [`Definition::digest`] pins the exact text an assessment used.

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use std::collections::{BTreeMap, HashSet};

/// Words in English and, where the agency provides it, Spanish.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Words {
    pub en: String,
    #[serde(default)]
    pub es: Option<String>,
}

/// A whole definition, as its file states it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Definition {
    /// Stable across versions, e.g. `bw-needs`.
    pub id: String,
    pub name: String,
    pub version: u32,
    /// Who wrote it and where it is published.
    pub source: String,
    /// Under what terms it may be used.
    pub licence: String,
    /// The groups cut-offs may differ by (e.g. `male`, `female`); empty:
    /// one set of cut-offs for everyone.
    #[serde(default)]
    pub populations: Vec<String>,
    pub sections: Vec<Section>,
    pub items: Vec<Item>,
    pub scales: Vec<Scale>,
    #[serde(default)]
    pub combinations: Vec<Combination>,
    #[serde(default)]
    pub constraints: Vec<Constraint>,
    /// How the risk level is read from a scale, if the instrument gives one.
    #[serde(default)]
    pub levels: Option<Levels>,
}

/// A section of the form; with a threshold, a need domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub id: String,
    pub title: Words,
    /// The section's points at which it is an identified need.
    #[serde(default)]
    pub need_at: Option<i64>,
}

/// What kind of answer an item takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerType {
    Choice,
    YesNo,
    Number,
    Date,
}

/// Facts of the record an item may be filled from, for the assessor to
/// confirm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Prefill {
    /// Age in years on the day of the assessment, from the date of birth.
    Age,
    /// The most serious current charge's level: `felony`, `misdemeanor`
    /// or `infraction` (a choice item offering those values).
    ChargeLevel,
    /// Whether any current charge is violent (a yes/no item).
    ViolentCharge,
    /// Prior convictions entered at intake (a number item).
    PriorConvictions,
}

/// One choice of a choice item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub value: String,
    pub label: Words,
    #[serde(default)]
    pub points: i64,
}

/// Points for a number within `[from, to]` (`to` absent: and above).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    pub from: i64,
    #[serde(default)]
    pub to: Option<i64>,
    pub points: i64,
}

impl Band {
    fn holds(&self, n: i64) -> bool {
        n >= self.from && self.to.is_none_or(|to| n <= to)
    }
}

/// A question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    pub id: String,
    pub section: String,
    pub text: Words,
    #[serde(default)]
    pub help: Option<Words>,
    #[serde(rename = "type")]
    pub answer: AnswerType,
    /// For a choice item.
    #[serde(default)]
    pub choices: Vec<Choice>,
    /// For a yes/no item: the points of "yes" ("no" scores none).
    #[serde(default)]
    pub yes_points: i64,
    /// For a number item: the points of each band it may fall in.
    #[serde(default)]
    pub bands: Vec<Band>,
    /// For a number item: the least and most allowed.
    #[serde(default)]
    pub min: Option<i64>,
    #[serde(default)]
    pub max: Option<i64>,
    #[serde(default)]
    pub prefill: Option<Prefill>,
    /// Substance use or mental health: the answer is sealed at rest.
    #[serde(default)]
    pub sensitive: bool,
    /// May be left unanswered without leaving the result short (a
    /// follow-up that may not apply): such an item carries no points.
    #[serde(default)]
    pub optional: bool,
    /// The scales its points count toward.
    #[serde(default)]
    pub scales: Vec<String>,
}

/// A test of one item's answer: it equals a value (a choice, `yes`/`no`),
/// a number is at least or at most a bound, or (any item, a date) it is
/// answered at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub item: String,
    #[serde(default)]
    pub equals: Option<String>,
    #[serde(default)]
    pub at_least: Option<i64>,
    #[serde(default)]
    pub at_most: Option<i64>,
    /// `true`: holds once the item has any answer.
    #[serde(default)]
    pub answered: bool,
}

/// Points a scale gains when every condition holds ("violent charge AND
/// age 20 or under").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Combination {
    pub id: String,
    pub label: Words,
    pub scale: String,
    pub points: i64,
    pub when: Vec<Condition>,
}

/// Answers that cannot stand together: when every condition holds, the
/// answers are refused with the message, naming the items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Constraint {
    pub id: String,
    pub message: Words,
    pub when: Vec<Condition>,
}

/// A scale: the sum of its items' points (and combinations'), perhaps
/// turned into a scaled score by a table, perhaps raising flags.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scale {
    pub id: String,
    pub title: Words,
    /// Raw score → scaled score: each row applies from its `raw` up to the
    /// next row's.
    #[serde(default)]
    pub table: Vec<TableRow>,
    #[serde(default)]
    pub flags: Vec<Flag>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableRow {
    pub raw: i64,
    pub scaled: i64,
}

/// Raised when the scale's score (scaled if it has a table) reaches `at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Flag {
    pub id: String,
    pub label: Words,
    pub at: i64,
}

/// The risk level read from a scale's score by cut-offs, which may differ
/// by population.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Levels {
    pub scale: String,
    /// The levels from lowest to highest, e.g. `low`, `moderate`, `high`.
    pub names: Vec<String>,
    /// Per population (or `default`): the lowest score of each level, in
    /// the order of `names`.
    pub cutoffs: BTreeMap<String, Vec<i64>>,
}

/// The population whose cut-offs apply when none of its own is given.
pub const DEFAULT_POPULATION: &str = "default";

impl Levels {
    /// The cut-offs for `population`, or the default ones.
    pub fn cutoffs_for(&self, population: Option<&str>) -> Option<&[i64]> {
        population
            .and_then(|p| self.cutoffs.get(p))
            .or_else(|| self.cutoffs.get(DEFAULT_POPULATION))
            .map(Vec::as_slice)
    }
}

impl Definition {
    /// Reads and checks a definition; every problem is listed.
    pub fn from_toml(text: &str) -> Result<Self, Vec<String>> {
        let definition: Self = toml::from_str(text).map_err(|e| vec![e.to_string()])?;
        definition.check()?;
        Ok(definition)
    }

    /// The SHA-256 of a definition's text, hex: what an assessment pins.
    pub fn digest(text: &str) -> String {
        hex::encode(Sha256::digest(text.as_bytes()))
    }

    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.id == id)
    }

    /// Every problem that would make scoring wrong or ambiguous.
    pub fn check(&self) -> Result<(), Vec<String>> {
        let mut problems = Vec::new();
        let mut say = |p: String| problems.push(p);
        if !valid_id(&self.id) {
            say(format!(
                "id '{}' must be lower-case letters, digits, '-' or '_'",
                self.id
            ));
        }
        if self.version == 0 {
            say("version must be 1 or more".into());
        }
        for (what, ids) in [
            (
                "section",
                self.sections
                    .iter()
                    .map(|s| s.id.as_str())
                    .collect::<Vec<_>>(),
            ),
            ("item", self.items.iter().map(|i| i.id.as_str()).collect()),
            ("scale", self.scales.iter().map(|s| s.id.as_str()).collect()),
            (
                "combination",
                self.combinations.iter().map(|c| c.id.as_str()).collect(),
            ),
            (
                "constraint",
                self.constraints.iter().map(|c| c.id.as_str()).collect(),
            ),
        ] {
            let mut seen = HashSet::new();
            for id in ids {
                if !valid_id(id) {
                    say(format!(
                        "{what} id '{id}' must be lower-case letters, digits, '-' or '_'"
                    ));
                }
                if !seen.insert(id) {
                    say(format!("{what} '{id}' is defined twice"));
                }
            }
        }
        let sections: HashSet<&str> = self.sections.iter().map(|s| s.id.as_str()).collect();
        let scales: HashSet<&str> = self.scales.iter().map(|s| s.id.as_str()).collect();
        for item in &self.items {
            item_problems(item, &sections, &scales, &mut say);
        }
        for c in &self.combinations {
            if !scales.contains(c.scale.as_str()) {
                say(format!(
                    "combination '{}' adds to unknown scale '{}'",
                    c.id, c.scale
                ));
            }
            if c.points < 0 {
                say(format!(
                    "combination '{}' takes points away: points are 0 or more",
                    c.id
                ));
            }
            self.condition_problems(&format!("combination '{}'", c.id), &c.when, &mut say);
        }
        for c in &self.constraints {
            self.condition_problems(&format!("constraint '{}'", c.id), &c.when, &mut say);
        }
        for s in &self.scales {
            if s.table
                .windows(2)
                .any(|w| matches!(w, [a, b] if a.raw >= b.raw))
            {
                say(format!(
                    "scale '{}': the table's raw scores must rise row by row",
                    s.id
                ));
            }
            // A score short of answers is a lower bound only if more raw
            // points never give a lower scaled score.
            if s.table
                .windows(2)
                .any(|w| matches!(w, [a, b] if a.scaled > b.scaled))
            {
                say(format!(
                    "scale '{}': the table's scaled scores must not fall",
                    s.id
                ));
            }
        }
        if let Some(levels) = &self.levels {
            self.level_problems(levels, &scales, &mut say);
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }

    fn condition_problems(&self, whose: &str, when: &[Condition], say: &mut impl FnMut(String)) {
        if when.is_empty() {
            say(format!("{whose} has no condition"));
        }
        for c in when {
            let Some(item) = self.item(&c.item) else {
                say(format!("{whose} names unknown item '{}'", c.item));
                continue;
            };
            let bounds = c.at_least.is_some() || c.at_most.is_some();
            match (item.answer, &c.equals, bounds) {
                (_, None, false) if c.answered => {}
                (AnswerType::Number, None, true) if !c.answered => {}
                (AnswerType::Choice, Some(v), false)
                    if !c.answered && item.choices.iter().any(|x| &x.value == v) => {}
                (AnswerType::YesNo, Some(v), false) if !c.answered && (v == "yes" || v == "no") => {
                }
                _ => say(format!(
                    "{whose}: the test of '{}' does not fit its answer type (a choice or yes/no \
                     item is tested with 'equals' one of its values, a number with 'at_least' or \
                     'at_most', any item with 'answered = true' alone)",
                    c.item
                )),
            }
        }
    }

    fn level_problems(
        &self,
        levels: &Levels,
        scales: &HashSet<&str>,
        say: &mut impl FnMut(String),
    ) {
        if !scales.contains(levels.scale.as_str()) {
            say(format!(
                "levels are read from unknown scale '{}'",
                levels.scale
            ));
        }
        if levels.names.is_empty() {
            say("levels need at least one name".into());
        }
        if !levels.cutoffs.contains_key(DEFAULT_POPULATION)
            && !self
                .populations
                .iter()
                .all(|p| levels.cutoffs.contains_key(p))
        {
            say("levels need 'default' cut-offs, or cut-offs for every population".into());
        }
        for (population, cuts) in &levels.cutoffs {
            if population != DEFAULT_POPULATION && !self.populations.contains(population) {
                say(format!("cut-offs for unknown population '{population}'"));
            }
            if cuts.len() != levels.names.len() {
                say(format!(
                    "cut-offs for '{population}' give {} scores for {} levels",
                    cuts.len(),
                    levels.names.len()
                ));
            }
            if cuts.windows(2).any(|w| matches!(w, [a, b] if a >= b)) {
                say(format!(
                    "cut-offs for '{population}' must rise level by level"
                ));
            }
        }
    }
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 60
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

fn item_problems(
    item: &Item,
    sections: &HashSet<&str>,
    scales: &HashSet<&str>,
    say: &mut impl FnMut(String),
) {
    let id = &item.id;
    if !sections.contains(item.section.as_str()) {
        say(format!(
            "item '{id}' is in unknown section '{}'",
            item.section
        ));
    }
    for s in &item.scales {
        if !scales.contains(s.as_str()) {
            say(format!("item '{id}' counts toward unknown scale '{s}'"));
        }
    }
    let negative = item.yes_points < 0
        || item.choices.iter().any(|c| c.points < 0)
        || item.bands.iter().any(|b| b.points < 0);
    if negative {
        say(format!(
            "item '{id}' takes points away: points are 0 or more"
        ));
    }
    let scores = item.yes_points > 0
        || item.choices.iter().any(|c| c.points > 0)
        || item.bands.iter().any(|b| b.points > 0)
        || !item.scales.is_empty();
    if item.optional && scores {
        say(format!(
            "item '{id}' is optional but scores: leaving it out would lower a result unseen"
        ));
    }
    match item.answer {
        AnswerType::Choice if item.choices.is_empty() => {
            say(format!("item '{id}' is a choice with no choices"));
        }
        AnswerType::Number => {
            let mut bands = item.bands.clone();
            bands.sort_by_key(|b| b.from);
            let overlap = bands
                .windows(2)
                .any(|w| matches!(w, [a, b] if a.to.is_none_or(|to| to >= b.from)));
            if overlap || bands.iter().any(|b| b.to.is_some_and(|to| to < b.from)) {
                say(format!("item '{id}': its bands overlap or run backwards"));
            }
        }
        _ => {}
    }
    let fits = match (item.prefill, item.answer) {
        (None, _)
        | (Some(Prefill::Age | Prefill::PriorConvictions), AnswerType::Number)
        | (Some(Prefill::ViolentCharge), AnswerType::YesNo) => true,
        (Some(Prefill::ChargeLevel), AnswerType::Choice) => ["felony", "misdemeanor", "infraction"]
            .iter()
            .all(|v| item.choices.iter().any(|c| c.value == *v)),
        _ => false,
    };
    if !fits {
        say(format!(
            "item '{id}': its prefill does not fit its answer type"
        ));
    }
}

impl Item {
    /// The points a number earns, from the band it falls in (none outside).
    pub fn band_points(&self, n: i64) -> i64 {
        self.bands
            .iter()
            .find(|b| b.holds(n))
            .map_or(0, |b| b.points)
    }
}
