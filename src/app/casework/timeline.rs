//! The participant's timeline: one chronological account of everything that
//! happened on their cases (status changes, contacts, appointments, drug
//! tests, progress toward conditions, alerts, messages to and from the
//! participant, signed notes with their addenda, and assessments and case
//! plans on the cases the reader holds).

use crate::app::{policy, Actor, App};
use crate::domain::casework::supervision::local_to_utc;
use crate::domain::casework::timeline::{MomentKind, TimelineQuery};
use crate::store::assessments::{case_assessments, case_plans};
use crate::store::casework::cases::{CaseRow, HistoryRow};
use crate::store::casework::{alerts, conditions, drug_tests, notes, supervision};
use crate::store::outreach::messages;
use crate::store::Tx;
use chrono::{DateTime, Utc};

const MIDDAY: chrono::NaiveTime = chrono::NaiveTime::from_hms_opt(12, 0, 0).expect("valid time");

/// One moment on the timeline.
#[derive(Debug, Clone)]
pub struct Moment {
    pub at: DateTime<Utc>,
    pub case_number: String,
    pub kind: MomentKind,
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
        kind: MomentKind::Status,
        what: format!("{}{exit}: {}", h.to_status.title(), h.reason),
        by: h.actor_name.clone(),
    }
}

/// A note's opening, to about 160 characters.
fn first_line(text: &str) -> String {
    let line = text.lines().next().unwrap_or_default();
    match line.char_indices().nth(160) {
        Some((at, _)) => format!("{}…", &line[..at]),
        None if text.len() > line.len() => format!("{line}…"),
        None => line.to_owned(),
    }
}

/// The timeline of `cases` (with their status histories, in the same
/// order), newest first: the kinds `q` asks for, as far back as it asks.
pub async fn of_cases(
    tx: &mut Tx,
    app: &App,
    reader: &Actor,
    (cases, histories): (&[CaseRow], &[Vec<HistoryRow>]),
    q: TimelineQuery,
) -> Result<Vec<Moment>, sqlx::Error> {
    // How many of a kind each case gives: none of a kind not asked for.
    let depth = |kind| if q.shows(kind) { q.depth.per_kind() } else { 0 };
    let mut moments = Vec::new();
    let now = app.now();
    let zone = app.settings.zone();
    for (case, history) in cases.iter().zip(histories) {
        let number = &case.case_number;
        let moment = |at, kind, what: String, by: Option<String>| Moment {
            at,
            case_number: number.clone(),
            kind,
            what,
            by,
        };
        if q.shows(MomentKind::Status) {
            moments.extend(history.iter().map(|h| status_moment(case, h)));
        }
        for c in supervision::contacts(tx, &app.keys, case.id, depth(MomentKind::Contact)).await? {
            let with = c.collateral.map_or("the participant", |w| w.title());
            let note = c.note.map(|n| format!(": {n}")).unwrap_or_default();
            moments.push(moment(
                c.occurred_at,
                MomentKind::Contact,
                format!("{} contact with {with}{note}", c.kind.title()),
                c.recorded_by,
            ));
        }
        for a in supervision::appointments(
            tx,
            case.id,
            supervision::When::Before(now),
            depth(MomentKind::Appointment),
        )
        .await?
        {
            let outcome = a.outcome.map_or("no outcome recorded", |o| o.title());
            moments.push(moment(
                a.starts_at,
                MomentKind::Appointment,
                format!("{}: {outcome}", a.kind.title()),
                None,
            ));
        }
        for t in drug_tests::of_case(tx, &app.keys, case.id, depth(MomentKind::DrugTest)).await? {
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
            moments.push(moment(
                t.collected_at,
                MomentKind::DrugTest,
                what,
                t.recorded_by,
            ));
        }
        for (title, unit, p) in
            conditions::progress_of_case(tx, &app.keys, case.id, depth(MomentKind::Progress))
                .await?
        {
            let amount = p
                .amount
                .zip(unit)
                .map(|(q, u)| format!("{q} {} ", u.title()))
                .unwrap_or_default();
            let what = format!("{amount}toward {title} ({})", p.verification.title());
            // Dated when it happened (midday, agency time), not when typed in.
            let at = local_to_utc(p.occurred_on.and_time(MIDDAY), zone).min(p.recorded_at);
            moments.push(moment(at, MomentKind::Progress, what, p.recorded_by));
        }
        if policy::casework::read_notes(reader, case).is_ok() {
            let signed =
                notes::of_case(tx, &app.keys, case.id, None, depth(MomentKind::Note)).await?;
            let ids: Vec<_> = signed.iter().map(|n| n.id).collect();
            for n in signed {
                let what = format!("{} note: {}", n.kind.title(), first_line(&n.text));
                let at = n.signed_at.unwrap_or(n.written_at);
                moments.push(moment(at, MomentKind::Note, what, Some(n.author)));
            }
            for a in notes::addenda(tx, &app.keys, &ids).await? {
                let what = format!("Addendum: {}", first_line(&a.text));
                moments.push(moment(a.written_at, MomentKind::Note, what, Some(a.author)));
            }
        }
        let levels = depth(MomentKind::Assessment);
        for s in supervision::level_history(tx, case.id, levels).await? {
            let level = s.level.map_or("cleared", |l| l.title());
            let recommended = s
                .recommended
                .filter(|r| Some(*r) != s.level)
                .map(|r| format!(" (recommended {})", r.title()))
                .unwrap_or_default();
            let why = s.reason.map(|r| format!(": {r}")).unwrap_or_default();
            let what = format!("Supervision level {level}{recommended}{why}");
            moments.push(moment(s.at, MomentKind::Assessment, what, Some(s.actor)));
        }
        if policy::assessments::read_assessments(reader, case).is_ok() {
            for a in case_assessments::completed_of_case(tx, case.id, levels).await? {
                let level = a.level.as_deref().unwrap_or("no level");
                let raised = a
                    .override_level
                    .map(|o| format!(", {o} by an approved override"))
                    .unwrap_or_default();
                let what = format!(
                    "Assessment completed: {} v{}, {level}{raised}",
                    a.instrument_name, a.instrument_version
                );
                moments.push(moment(
                    a.completed_at,
                    MomentKind::Assessment,
                    what,
                    Some(a.assessor),
                ));
            }
        }
        if policy::assessments::read_assessments(reader, case).is_ok() {
            let plans =
                case_plans::signed_of_case(tx, case.id, depth(MomentKind::CasePlan)).await?;
            for p in plans {
                let answer = p
                    .agreement
                    .map(|a| format!("; the participant: {}", a.title().to_lowercase()))
                    .unwrap_or_default();
                let what = format!(
                    "Case plan signed: version {}, {}{answer}",
                    p.number,
                    p.kind.title()
                );
                moments.push(moment(
                    p.signed_at,
                    MomentKind::CasePlan,
                    what,
                    Some(p.signer),
                ));
                if let (Some(at), Some(by)) = (p.countersigned_at, p.countersigner) {
                    let what = format!("Case plan version {} countersigned", p.number);
                    moments.push(moment(at, MomentKind::CasePlan, what, Some(by)));
                }
            }
        }
        for m in messages::of_case(tx, &app.keys, case.id, depth(MomentKind::Message)).await? {
            let error = m.error.map(|e| format!(" — {e}")).unwrap_or_default();
            let what = format!(
                "{} · {} ({}{error}): {}",
                m.channel.title(),
                m.purpose.title(),
                m.status.title(),
                first_line(&m.body)
            );
            moments.push(moment(
                m.sent_at.unwrap_or(m.created_at),
                MomentKind::Message,
                what,
                None,
            ));
        }
        for a in alerts::of_case(tx, case.id, depth(MomentKind::Alert)).await? {
            moments.push(moment(
                a.raised_at,
                MomentKind::Alert,
                format!("Alert: {} ({})", a.rule.title(), a.rule.describe(&a.detail)),
                None,
            ));
            if let Some(at) = a.resolved_at {
                let note = a.resolution.unwrap_or_default();
                moments.push(moment(
                    at,
                    MomentKind::Alert,
                    format!("Resolved: {}: {note}", a.rule.title()),
                    a.resolved_by,
                ));
            }
        }
    }
    moments.sort_by_key(|m| std::cmp::Reverse(m.at));
    Ok(moments)
}
