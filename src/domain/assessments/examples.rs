//! An instrument's published examples: answer sets with the results they
//! must give (scores, level, flags, needs, or a refusal). Running a
//! definition against them is how an agency validates it before use.

use super::instrument::Definition;
use super::scoring::{read_all, score, Answers, Given, Need, Scored};
use serde::Deserialize;
use std::collections::BTreeMap;

/// A file of examples (`[[example]]` tables).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    #[serde(rename = "example")]
    pub examples: Vec<Example>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    pub name: String,
    #[serde(default)]
    pub population: Option<String>,
    pub answers: BTreeMap<String, Given>,
    pub expect: Expected,
}

/// What an example must give; what it leaves out is not checked.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expected {
    /// The risk level's name.
    #[serde(default)]
    pub level: Option<String>,
    /// Each scale's score as levels read it (scaled, if it has a table).
    #[serde(default)]
    pub scores: BTreeMap<String, i64>,
    /// Every flag raised, in any order.
    #[serde(default)]
    pub flags: Option<Vec<String>>,
    #[serde(default)]
    pub needs: BTreeMap<String, Need>,
    /// The constraint the answers break (they are refused).
    #[serde(default)]
    pub refused: Option<String>,
}

/// One difference between an example and what the definition gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    pub example: String,
    pub what: String,
}

/// Runs every example of `text` against `def`: the differences, none when
/// the definition gives every expected result. A file that cannot be read
/// is an error.
pub fn run(def: &Definition, text: &str) -> Result<(usize, Vec<Mismatch>), String> {
    let file: Examples = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut mismatches = Vec::new();
    for example in &file.examples {
        let mut differ = |what: String| {
            mismatches.push(Mismatch {
                example: example.name.clone(),
                what,
            });
        };
        match answers_of(def, example) {
            Err(problems) => problems.into_iter().for_each(&mut differ),
            Ok(answers) => match (
                score(def, &answers, example.population.as_deref()),
                &example.expect.refused,
            ) {
                (Ok(scored), None) => compare(&scored, &example.expect, &mut differ),
                (Ok(_), Some(c)) => differ(format!(
                    "expected constraint '{c}' to refuse the answers; they were scored"
                )),
                (Err(refusals), expected) => {
                    let broken: Vec<&str> = refusals
                        .iter()
                        .filter_map(|r| r.constraint.as_deref())
                        .collect();
                    if expected.as_deref().is_none_or(|c| !broken.contains(&c)) {
                        let why: Vec<String> = refusals
                            .iter()
                            .map(|r| format!("{}: {}", r.items.join(" and "), r.message))
                            .collect();
                        differ(format!("refused: {}", why.join("; ")));
                    }
                }
            },
        }
    }
    Ok((file.examples.len(), mismatches))
}

fn answers_of(def: &Definition, example: &Example) -> Result<Answers, Vec<String>> {
    read_all(def, &example.answers).map_err(|problems| {
        problems
            .into_iter()
            .map(|(id, e)| format!("answer to '{id}' {e}"))
            .collect()
    })
}

fn compare(scored: &Scored, expect: &Expected, differ: &mut impl FnMut(String)) {
    let level = scored.level.as_ref().map(|l| l.name.as_str());
    if let Some(want) = &expect.level {
        if level != Some(want.as_str()) {
            differ(format!(
                "level: expected {want}, got {}",
                level.unwrap_or("none")
            ));
        }
    }
    for (scale, want) in &expect.scores {
        match scored.scales.iter().find(|s| &s.scale == scale) {
            Some(s) if s.score() == *want => {}
            Some(s) => differ(format!("scale {scale}: expected {want}, got {}", s.score())),
            None => differ(format!("no scale {scale}")),
        }
    }
    if let Some(want) = &expect.flags {
        let (mut want, mut got) = (want.clone(), scored.flags.clone());
        want.sort();
        got.sort();
        if want != got {
            differ(format!(
                "flags: expected [{}], got [{}]",
                want.join(", "),
                got.join(", ")
            ));
        }
    }
    for (section, want) in &expect.needs {
        let got = scored
            .needs
            .iter()
            .find(|n| &n.section == section)
            .map(|n| n.need);
        if got != Some(*want) {
            let got = got.map_or("no such need domain", Need::label);
            differ(format!(
                "need {section}: expected {}, got {got}",
                want.label()
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::scoring::tests::SAMPLE;
    use super::*;

    #[test]
    fn examples_pass_or_name_each_difference() {
        let def = Definition::from_toml(SAMPLE).unwrap();
        let file = r#"
[[example]]
name = "young, violent, using"
answers = { priors = 3, age = 22, violent = "yes", charge = "felony", use = true }
expect = { level = "high", scores = { total = 20 }, flags = ["high_total"], needs = { drugs = "identified" } }

[[example]]
name = "a wrong expectation"
population = "female"
answers = { priors = 1, age = 30, violent = false, charge = "felony", use = false }
expect = { level = "moderate", needs = { history = "identified", drugs = "identified" } }

[[example]]
name = "a date without use"
answers = { use = false, last_use = "2026-01-01" }
expect = { refused = "use_date" }

[[example]]
name = "a bad answer"
answers = { priors = -4 }
expect = {}
"#;
        let (count, mismatches) = run(&def, file).unwrap();
        assert_eq!(count, 4);
        let said: Vec<String> = mismatches
            .iter()
            .map(|m| format!("{}: {}", m.example, m.what))
            .collect();
        assert_eq!(
            said,
            [
                "a wrong expectation: level: expected moderate, got low",
                "a wrong expectation: need drugs: expected identified, got not_identified",
                "a bad answer: answer to 'priors' must be a whole number from 0 to 200",
            ]
        );
        assert!(run(&def, "[[example]]\nname = 1").is_err());
    }

    #[test]
    fn the_shipped_instruments_pass_their_own_examples() {
        for (definition, examples) in [
            (
                include_str!("../../../instruments/bw-needs-1.toml"),
                include_str!("../../../instruments/bw-needs-1.examples.toml"),
            ),
            (
                include_str!("../../../instruments/bw-pretrial-1.toml"),
                include_str!("../../../instruments/bw-pretrial-1.examples.toml"),
            ),
        ] {
            let def = Definition::from_toml(definition).expect("a valid definition");
            let (count, mismatches) = run(&def, examples).unwrap();
            assert!(count >= 4, "{}: {count} examples", def.id);
            assert_eq!(mismatches, [], "{}", def.id);
        }
    }
}
