//! Programs, the charges a referral brings, and the eligibility screening
//! each program applies to a referral.

use crate::domain::input::{RequiredText, Whole};
use crate::labelled_enum;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;

labelled_enum! {
    pub enum ProgramKind ("program kind") {
        Probation => ("probation", "Probation"),
        Pretrial => ("pretrial", "Pretrial supervision"),
        Diversion => ("diversion", "Diversion"),
    }
}

labelled_enum! {
    pub enum ChargeLevel ("charge level") {
        Felony => ("felony", "Felony"),
        Misdemeanor => ("misdemeanor", "Misdemeanor"),
        Infraction => ("infraction", "Infraction"),
    }
}

/// One charge on a referral.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Charge {
    pub statute_code: String,
    pub description: String,
    pub level: ChargeLevel,
    pub violent: bool,
    pub offense_date: Option<NaiveDate>,
}

/// A count of prior convictions as entered.
pub type PriorConvictions = Whole<0, 200>;

/// A statute code as entered (e.g. `13A-8-4`).
pub type StatuteCode = RequiredText<40>;

/// A program's eligibility criteria. Every field is optional: an empty set of
/// rules admits everyone.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct EligibilityRules {
    /// Charge levels that exclude a referral (e.g. felony for a misdemeanor diversion).
    pub excluded_levels: Vec<ChargeLevel>,
    /// Statute codes, or prefixes ending in `*`, that exclude a referral.
    #[schema(value_type = Vec<StatuteCode>)]
    pub excluded_statutes: Vec<String>,
    /// Any violent charge excludes the referral.
    pub exclude_violent: bool,
    /// In years (0 to 255, the range of the number kept).
    #[schema(maximum = 255)]
    pub min_age: Option<u8>,
    /// In years, at least `min_age`.
    #[schema(maximum = 255)]
    pub max_age: Option<u8>,
    /// Most prior convictions allowed.
    #[schema(value_type = Option<PriorConvictions>)]
    pub max_prior_convictions: Option<u32>,
    /// The victim must consent before enrolment.
    pub victim_consent_required: bool,
}

/// What the referral says, as screening sees it.
#[derive(Debug, Clone)]
pub struct Referral<'a> {
    pub charges: &'a [Charge],
    pub age: i32,
    pub prior_convictions: Option<u32>,
    pub victim_consent: Option<bool>,
}

/// One rule a referral does not meet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Finding {
    /// The rule, e.g. `excluded_levels`.
    pub rule: String,
    pub reason: String,
}

/// The outcome of screening: eligible when no finding was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ScreeningResult {
    pub eligible: bool,
    pub findings: Vec<Finding>,
    /// Information the referral lacked for a rule that needs it.
    pub missing: Vec<Finding>,
}

fn statute_matches(pattern: &str, code: &str) -> bool {
    let (pattern, code) = (pattern.trim().to_uppercase(), code.trim().to_uppercase());
    match pattern.strip_suffix('*') {
        Some(prefix) => code.starts_with(prefix),
        None => code == pattern,
    }
}

impl EligibilityRules {
    pub fn screen(&self, referral: &Referral<'_>) -> ScreeningResult {
        let mut findings = Vec::new();
        let mut missing = Vec::new();
        let mut find = |rule: &str, reason: String| {
            findings.push(Finding {
                rule: rule.into(),
                reason,
            })
        };

        for charge in referral.charges {
            if self.excluded_levels.contains(&charge.level) {
                find(
                    "excluded_levels",
                    format!(
                        "{} {} is a {} charge, which this program excludes",
                        charge.statute_code, charge.description, charge.level
                    ),
                );
            }
            if let Some(p) = self
                .excluded_statutes
                .iter()
                .find(|p| statute_matches(p, &charge.statute_code))
            {
                find(
                    "excluded_statutes",
                    format!("statute {} is excluded (rule {})", charge.statute_code, p),
                );
            }
            if self.exclude_violent && charge.violent {
                find(
                    "exclude_violent",
                    format!(
                        "{} {} is a violent charge",
                        charge.statute_code, charge.description
                    ),
                );
            }
        }
        if let Some(min) = self.min_age.filter(|m| referral.age < i32::from(*m)) {
            find(
                "min_age",
                format!("age {} is under the minimum of {}", referral.age, min),
            );
        }
        if let Some(max) = self.max_age.filter(|m| referral.age > i32::from(*m)) {
            find(
                "max_age",
                format!("age {} is over the maximum of {}", referral.age, max),
            );
        }
        if let Some(max) = self.max_prior_convictions {
            match referral.prior_convictions {
                Some(n) if n > max => find(
                    "max_prior_convictions",
                    format!("{n} prior convictions exceed the limit of {max}"),
                ),
                Some(_) => {}
                None => missing.push(Finding {
                    rule: "max_prior_convictions".into(),
                    reason: "the number of prior convictions is not recorded".into(),
                }),
            }
        }
        if self.victim_consent_required {
            match referral.victim_consent {
                Some(true) => {}
                Some(false) => find(
                    "victim_consent_required",
                    "the victim has not consented".into(),
                ),
                None => missing.push(Finding {
                    rule: "victim_consent_required".into(),
                    reason: "victim consent is not recorded".into(),
                }),
            }
        }
        ScreeningResult {
            eligible: findings.is_empty() && missing.is_empty(),
            findings,
            missing,
        }
    }

    /// Checks rules entered by an administrator.
    pub fn validate(&self) -> Result<(), String> {
        if let (Some(min), Some(max)) = (self.min_age, self.max_age) {
            if min > max {
                return Err(format!("min_age {min} is above max_age {max}"));
            }
        }
        if let Some(n) = self.max_prior_convictions {
            PriorConvictions::from(i64::from(n))
                .checked::<u32>()
                .map_err(|e| format!("max_prior_convictions {e}"))?;
        }
        for statute in &self.excluded_statutes {
            StatuteCode::from(statute.as_str())
                .checked()
                .map_err(|e| format!("excluded statute '{statute}' {e}"))?;
        }
        Ok(())
    }

    /// Plain-language summary for the program page.
    pub fn describe(&self) -> Vec<String> {
        let mut out = Vec::new();
        if !self.excluded_levels.is_empty() {
            let levels: Vec<_> = self.excluded_levels.iter().map(|l| l.title()).collect();
            out.push(format!(
                "Excludes {} charges",
                levels.join(" and ").to_lowercase()
            ));
        }
        if !self.excluded_statutes.is_empty() {
            out.push(format!(
                "Excludes statutes {}",
                self.excluded_statutes.join(", ")
            ));
        }
        if self.exclude_violent {
            out.push("Excludes violent charges".into());
        }
        match (self.min_age, self.max_age) {
            (Some(a), Some(b)) => out.push(format!("Ages {a} to {b}")),
            (Some(a), None) => out.push(format!("Age {a} or older")),
            (None, Some(b)) => out.push(format!("Age {b} or younger")),
            (None, None) => {}
        }
        if let Some(n) = self.max_prior_convictions {
            out.push(format!("At most {n} prior convictions"));
        }
        if self.victim_consent_required {
            out.push("Victim consent required".into());
        }
        out
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn charge(code: &str, level: ChargeLevel, violent: bool) -> Charge {
        Charge {
            statute_code: code.into(),
            description: "test".into(),
            level,
            violent,
            offense_date: None,
        }
    }

    fn referral(charges: &[Charge]) -> Referral<'_> {
        Referral {
            charges,
            age: 30,
            prior_convictions: Some(0),
            victim_consent: Some(true),
        }
    }

    #[test]
    fn no_rules_admit_everyone() {
        let charges = [charge("PC 187", ChargeLevel::Felony, true)];
        let result = EligibilityRules::default().screen(&referral(&charges));
        assert!(result.eligible);
        assert!(result.findings.is_empty());
    }

    #[test]
    fn each_rule_reports_its_own_finding() {
        let rules = EligibilityRules {
            excluded_levels: vec![ChargeLevel::Felony],
            excluded_statutes: vec!["HS 11*".into(), "VC 23152".into()],
            exclude_violent: true,
            min_age: Some(18),
            max_age: Some(25),
            max_prior_convictions: Some(1),
            victim_consent_required: true,
        };
        let charges = [
            charge("PC 245", ChargeLevel::Felony, true),
            charge("hs 11350", ChargeLevel::Misdemeanor, false),
            charge("VC 23152", ChargeLevel::Misdemeanor, false),
        ];
        let r = Referral {
            charges: &charges,
            age: 40,
            prior_convictions: Some(3),
            victim_consent: Some(false),
        };
        let result = rules.screen(&r);
        let rules_hit: Vec<&str> = result.findings.iter().map(|f| f.rule.as_str()).collect();
        assert_eq!(
            rules_hit,
            [
                "excluded_levels",
                "exclude_violent",
                "excluded_statutes",
                "excluded_statutes",
                "max_age",
                "max_prior_convictions",
                "victim_consent_required"
            ]
        );
        assert!(!result.eligible);
        let young = Referral {
            age: 16,
            ..r.clone()
        };
        assert!(rules
            .screen(&young)
            .findings
            .iter()
            .any(|f| f.rule == "min_age"));
    }

    #[test]
    fn missing_information_blocks_eligibility_without_a_finding() {
        let rules = EligibilityRules {
            max_prior_convictions: Some(0),
            victim_consent_required: true,
            ..Default::default()
        };
        let charges = [charge("PC 484", ChargeLevel::Misdemeanor, false)];
        let r = Referral {
            charges: &charges,
            age: 30,
            prior_convictions: None,
            victim_consent: None,
        };
        let result = rules.screen(&r);
        assert!(!result.eligible);
        assert!(result.findings.is_empty());
        assert_eq!(result.missing.len(), 2);
    }

    #[test]
    fn boundaries_are_inclusive() {
        let rules = EligibilityRules {
            min_age: Some(18),
            max_age: Some(25),
            max_prior_convictions: Some(1),
            ..Default::default()
        };
        let charges = [];
        for age in [18, 25] {
            let r = Referral {
                charges: &charges,
                age,
                prior_convictions: Some(1),
                victim_consent: None,
            };
            assert!(rules.screen(&r).eligible, "age {age}");
        }
    }

    #[test]
    fn statute_patterns() {
        assert!(statute_matches("PC 2*", "pc 245"));
        assert!(statute_matches("PC 245", " PC 245 "));
        assert!(!statute_matches("PC 245", "PC 2451"));
    }

    #[test]
    fn rules_are_validated_and_described() {
        let bad = EligibilityRules {
            min_age: Some(30),
            max_age: Some(20),
            ..Default::default()
        };
        assert!(bad.validate().is_err());
        let ok = EligibilityRules {
            excluded_levels: vec![ChargeLevel::Felony],
            exclude_violent: true,
            min_age: Some(18),
            ..Default::default()
        };
        assert!(ok.validate().is_ok());
        assert_eq!(
            ok.describe(),
            [
                "Excludes felony charges",
                "Excludes violent charges",
                "Age 18 or older"
            ]
        );
        let json: Result<EligibilityRules, _> =
            serde_json::from_str(r#"{"min_age": 18, "colour": 1}"#);
        assert!(json.is_err(), "unknown rule names are refused");
    }
}
