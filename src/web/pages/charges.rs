//! Charge rows, shared by the intake form and the case page's correction.

use crate::app::intake::ChargeInput;
use crate::domain::programs::ChargeLevel;
use crate::web::form::FormState;

/// Charge rows offered on the form (blank rows are ignored).
const CHARGE_ROWS: usize = 3;

/// The input names of one charge row.
pub struct ChargeRow {
    pub number: usize,
    pub statute_code: String,
    pub description: String,
    pub level: String,
    pub offense_date: String,
    pub violent: String,
}

impl ChargeRow {
    /// The rows a form offers: one for each charge held and a blank one,
    /// at least [`CHARGE_ROWS`].
    pub fn offered(held: usize) -> Vec<Self> {
        (0..CHARGE_ROWS.max(held + 1)).map(Self::new).collect()
    }

    /// How many rows a submitted form holds.
    fn sent(form: &FormState) -> usize {
        (0..)
            .take_while(|i| form.holds(&format!("charges[{i}].statute_code")))
            .count()
    }

    fn new(i: usize) -> Self {
        let name = |f: &str| format!("charges[{i}].{f}");
        Self {
            number: i + 1,
            statute_code: name("statute_code"),
            description: name("description"),
            level: name("level"),
            offense_date: name("offense_date"),
            violent: name("violent"),
        }
    }
}

/// The charges of the rows filled in; `None` when a row cannot be read
/// (the form records why). Blank rows are skipped.
pub fn charges_from(form: &mut FormState) -> Option<Vec<ChargeInput>> {
    let mut out = Vec::new();
    let mut ok = true;
    for i in 0..ChargeRow::sent(form) {
        let name = |f: &str| format!("charges[{i}].{f}");
        let blank = ["statute_code", "description", "offense_date"]
            .iter()
            .all(|f| form.v(&name(f)).trim().is_empty());
        if blank {
            continue;
        }
        let level = form.parse::<ChargeLevel>(&name("level"), "a charge level");
        let offense_date = form.date_opt(&name("offense_date"));
        match (level, offense_date) {
            (Some(level), Some(offense_date)) => out.push(ChargeInput {
                statute_code: form.v(&name("statute_code")).into(),
                description: form.v(&name("description")).into(),
                level,
                violent: form.checked(&name("violent")),
                offense_date,
            }),
            _ => ok = false,
        }
    }
    ok.then_some(out)
}
