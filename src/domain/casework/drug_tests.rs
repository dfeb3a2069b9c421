//! Drug and alcohol tests: the specimen, whether one was given, and the
//! result for each substance, with laboratory confirmation.

use crate::domain::input::RequiredText;
use crate::labelled_enum;

labelled_enum! {
    pub enum Specimen ("specimen") {
        Urine => ("urine", "Urine"),
        OralFluid => ("oral_fluid", "Oral fluid"),
        Breath => ("breath", "Breath"),
        SweatPatch => ("sweat_patch", "Sweat patch"),
    }
}

labelled_enum! {
    /// Whether a specimen was given at all.
    pub enum Collection ("test outcome") {
        Collected => ("collected", "Collected"),
        Refused => ("refused", "Refused"),
        NoShow => ("no_show", "No-show"),
    }
}

labelled_enum! {
    pub enum SubstanceResult ("test result") {
        Negative => ("negative", "Negative"),
        Positive => ("positive", "Positive"),
        Dilute => ("dilute", "Dilute"),
        Adulterated => ("adulterated", "Adulterated"),
    }
}

/// A substance's name as entered.
pub type Substance = RequiredText<60>;

/// Most substances one test reports.
pub const MAX_RESULTS: usize = 30;

/// A panel the agency tests for: its name ("5-panel") and the substances
/// it reports, in the order the form lists them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Panel {
    pub name: String,
    pub substances: Vec<String>,
}

impl Panel {
    fn new(name: &str, substances: &[&str]) -> Self {
        Self {
            name: name.to_owned(),
            substances: substances.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    /// The common immunoassay panels: the five substances of the federal
    /// workplace panel, and the ten of the classic extended one.
    pub fn common() -> Vec<Self> {
        let five = [
            "Amphetamines",
            "Cocaine",
            "Marijuana (THC)",
            "Opiates",
            "Phencyclidine (PCP)",
        ];
        let ten = [
            "Amphetamines",
            "Barbiturates",
            "Benzodiazepines",
            "Cocaine",
            "Marijuana (THC)",
            "Methadone",
            "Methaqualone",
            "Opiates",
            "Phencyclidine (PCP)",
            "Propoxyphene",
        ];
        vec![Self::new("5-panel", &five), Self::new("10-panel", &ten)]
    }

    /// Checks an agency's panels: each named once, each substance a name a
    /// result may carry, listed once, and no more than a test reports.
    pub fn check_all(panels: &[Self]) -> Result<(), String> {
        let mut names: Vec<String> = panels.iter().map(|p| p.name.to_lowercase()).collect();
        names.sort();
        if names.windows(2).any(|w| matches!(w, [a, b] if a == b)) {
            return Err("each panel is named once".into());
        }
        for panel in panels {
            let lines: Vec<SubstanceLine> = panel
                .substances
                .iter()
                .map(|s| SubstanceLine {
                    substance: s.clone(),
                    result: SubstanceResult::Negative,
                    lab_confirmed: false,
                })
                .collect();
            let named = Substance::from(panel.name.as_str())
                .checked()
                .map_err(|e| format!("a panel's name {e}"))?;
            check_results(Collection::Collected, &lines)
                .map_err(|e| format!("panel '{named}': {e}"))?;
        }
        Ok(())
    }
}

/// One substance's result.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubstanceLine {
    /// e.g. "THC", "Cocaine", "Alcohol (BrAC)".
    #[schema(value_type = Substance)]
    pub substance: String,
    pub result: SubstanceResult,
    /// A laboratory confirmed this result (e.g. by GC-MS).
    #[serde(default)]
    pub lab_confirmed: bool,
}

/// Whether a test needs the officer's attention: a refusal, a no-show, or
/// any result other than negative.
pub fn adverse(collection: Collection, results: &[SubstanceLine]) -> bool {
    collection != Collection::Collected
        || results
            .iter()
            .any(|r| r.result != SubstanceResult::Negative)
}

/// Checks the results against the collection: a collected specimen has at
/// least one result, each substance once; a refusal or no-show has none.
pub fn check_results(collection: Collection, results: &[SubstanceLine]) -> Result<(), String> {
    match collection {
        Collection::Collected if results.is_empty() => {
            Err("at least one result is required for a collected specimen".into())
        }
        Collection::Refused | Collection::NoShow if !results.is_empty() => {
            Err("a refused or missed test has no results".into())
        }
        _ => {
            if results.len() > MAX_RESULTS {
                return Err(format!("at most {MAX_RESULTS} substances"));
            }
            let mut names = Vec::with_capacity(results.len());
            for (n, line) in results.iter().enumerate() {
                let name = Substance::from(line.substance.as_str())
                    .checked()
                    .map_err(|e| format!("result {}: the substance {e}", n + 1))?;
                names.push(name.to_lowercase());
            }
            names.sort();
            if names.windows(2).any(|w| matches!(w, [a, b] if a == b)) {
                return Err("each substance is listed once".into());
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panels_are_checked_as_results_are() {
        assert!(Panel::check_all(&Panel::common()).is_ok());
        let twice = [
            Panel::new("5-panel", &["THC"]),
            Panel::new("5-Panel", &["THC"]),
        ];
        assert_eq!(
            Panel::check_all(&twice).unwrap_err(),
            "each panel is named once"
        );
        let repeated = [Panel::new("hair", &["Cocaine", "cocaine"])];
        assert_eq!(
            Panel::check_all(&repeated).unwrap_err(),
            "panel 'hair': each substance is listed once"
        );
        assert!(Panel::check_all(&[Panel::new("empty", &[])]).is_err());
        assert!(Panel::check_all(&[Panel::new(" ", &["THC"])]).is_err());
    }

    fn line(substance: &str, result: SubstanceResult) -> SubstanceLine {
        SubstanceLine {
            substance: substance.into(),
            result,
            lab_confirmed: false,
        }
    }

    #[test]
    fn anything_but_a_clean_collected_test_is_adverse() {
        let clean = [line("THC", SubstanceResult::Negative)];
        assert!(!adverse(Collection::Collected, &clean));
        assert!(adverse(
            Collection::Collected,
            &[line("THC", SubstanceResult::Dilute)]
        ));
        assert!(adverse(Collection::Refused, &[]));
        assert!(adverse(Collection::NoShow, &[]));
    }

    #[test]
    fn results_match_the_collection() {
        assert!(check_results(Collection::Collected, &[]).is_err());
        assert!(check_results(
            Collection::NoShow,
            &[line("THC", SubstanceResult::Negative)]
        )
        .is_err());
        let twice = [
            line("THC", SubstanceResult::Negative),
            line(" thc", SubstanceResult::Positive),
        ];
        assert!(check_results(Collection::Collected, &twice).is_err());
        assert!(check_results(
            Collection::Collected,
            &[line(" ", SubstanceResult::Negative)]
        )
        .is_err());
        assert!(check_results(Collection::Refused, &[]).is_ok());
    }
}
