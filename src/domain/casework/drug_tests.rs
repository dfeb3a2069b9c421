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
const MAX_RESULTS: usize = 30;

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
