//! The participant's timeline: one chronological account of everything that
//! happened on their cases (status changes, contacts, appointments, drug
//! tests, progress toward conditions, alerts).

use super::App;
use crate::store::cases::{CaseRow, HistoryRow};
use crate::store::{alerts, conditions, supervision, testing, Tx};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// How many of each kind of event one case contributes.
const PER_KIND: i64 = 50;

/// One moment on the timeline.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Moment {
    pub at: DateTime<Utc>,
    pub case_number: String,
    /// `status`, `contact`, `appointment`, `drug_test`, `progress` or `alert`.
    pub kind: &'static str,
    /// What happened, in a line.
    pub what: String,
    pub by: Option<String>,
}

fn status_moment(case: &CaseRow, h: &HistoryRow) -> Moment {
    let exit = h
        .exit_reason
        .map(|x| format!(" ({})", x.title()))
        .unwrap_or_default();
    Moment {
        at: h.at,
        case_number: case.case_number.clone(),
        kind: "status",
        what: format!("{}{exit}: {}", h.to_status.title(), h.reason),
        by: h.actor_name.clone(),
    }
}

/// The timeline of `cases` (with their status histories, in the same
/// order), newest first.
pub async fn of_cases(
    tx: &mut Tx,
    app: &App,
    cases: &[CaseRow],
    histories: &[Vec<HistoryRow>],
) -> Result<Vec<Moment>, sqlx::Error> {
    let mut moments = Vec::new();
    let now = super::now();
    for (case, history) in cases.iter().zip(histories) {
        let number = &case.case_number;
        let moment = |at, kind, what: String, by: Option<String>| Moment {
            at,
            case_number: number.clone(),
            kind,
            what,
            by,
        };
        moments.extend(history.iter().map(|h| status_moment(case, h)));
        for c in supervision::contacts(tx, &app.keys, case.id, PER_KIND).await? {
            let with = c.collateral.map_or("the participant", |w| w.title());
            let note = c.note.map(|n| format!(": {n}")).unwrap_or_default();
            moments.push(moment(
                c.occurred_at,
                "contact",
                format!("{} contact with {with}{note}", c.kind.title()),
                c.recorded_by,
            ));
        }
        for a in
            supervision::appointments(tx, case.id, supervision::When::Before(now), PER_KIND).await?
        {
            let outcome = a.outcome.map_or("no outcome recorded", |o| o.title());
            moments.push(moment(
                a.starts_at,
                "appointment",
                format!("{}: {outcome}", a.kind.title()),
                None,
            ));
        }
        for t in testing::of_case(tx, &app.keys, case.id, PER_KIND).await? {
            let findings: Vec<String> = t
                .results
                .iter()
                .filter(|r| r.result.label() != "negative")
                .map(|r| format!("{} {}", r.substance, r.result.title()))
                .collect();
            let what = match (t.adverse, findings.is_empty()) {
                (false, _) => format!("{} test: all negative", t.specimen.title()),
                (true, true) => format!("{} test: {}", t.specimen.title(), t.outcome.title()),
                (true, false) => format!("{} test: {}", t.specimen.title(), findings.join(", ")),
            };
            moments.push(moment(t.collected_at, "drug_test", what, t.recorded_by));
        }
        for (title, unit, p) in
            conditions::progress_of_case(tx, &app.keys, case.id, PER_KIND).await?
        {
            let amount = p
                .amount
                .zip(unit)
                .map(|(q, u)| format!("{q} {} ", u.title()))
                .unwrap_or_default();
            let what = format!("{amount}toward {title} ({})", p.verification.title());
            moments.push(moment(p.recorded_at, "progress", what, p.recorded_by));
        }
        for a in alerts::of_case(tx, case.id, PER_KIND).await? {
            moments.push(moment(
                a.raised_at,
                "alert",
                format!("Alert: {} ({})", a.rule.title(), a.detail),
                None,
            ));
            if let Some(at) = a.resolved_at {
                let note = a.resolution.unwrap_or_default();
                moments.push(moment(
                    at,
                    "alert",
                    format!("Resolved: {}: {note}", a.rule.title()),
                    a.resolved_by,
                ));
            }
        }
    }
    moments.sort_by_key(|m| std::cmp::Reverse(m.at));
    Ok(moments)
}
