//! The audit trail as auditors read it: search and export. Reading the
//! trail is itself audited.

use crate::app::{audit, policy, Actor, App, AppResult};
use crate::domain::audit::{Action, ActionFilter};
use crate::domain::casework::supervision::local_to_utc;
use crate::domain::csv;
use crate::domain::ids::PersonId;
use crate::domain::validation::Invalid;
use crate::store::access::users;
use crate::store::audit::{self as store, AuditEntry, EventQuery};
use crate::store::people;
use chrono::{NaiveDate, NaiveTime};

/// An auditor's question, as typed.
#[derive(Debug, Clone, Default)]
pub struct TrailQuery {
    pub person: Option<PersonId>,
    /// The agency person number (`P-0000042`), for people who read it off a page.
    pub person_number: Option<String>,
    pub username: Option<String>,
    pub action: Option<String>,
    pub from: Option<NaiveDate>,
    /// Inclusive: events on this day are included.
    pub to: Option<NaiveDate>,
    pub before_seq: Option<i64>,
}

/// Most events one export holds.
pub const EXPORT_LIMIT: i64 = 100_000;

async fn run(
    app: &App,
    actor: &Actor,
    q: &TrailQuery,
    limit: i64,
    audited_as: Action,
) -> AppResult<Vec<AuditEntry>> {
    policy::audit::read_audit_trail(actor)?;
    if let (Some(from), Some(to)) = (q.from, q.to) {
        if to < from {
            return Err(Invalid::one("to", "must not be before the start date").into());
        }
    }
    // Every event up to now, the reads' staged a moment ago included.
    app.db.chain_staged_audit().await?;
    let mut tx = app.db.read().await?;
    let person = match q
        .person_number
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        Some(number) => Some(
            people::by_number(&mut tx, &number.to_uppercase())
                .await?
                .ok_or_else(|| {
                    Invalid::one(
                        "person_number",
                        format!("no participant has the number '{number}'"),
                    )
                })?,
        ),
        None => q.person,
    };
    let actor_filter = match q
        .username
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
    {
        Some(name) => Some(
            users::by_username(&mut tx, &name.to_lowercase())
                .await?
                .ok_or_else(|| Invalid::one("username", format!("no user is named '{name}'")))?
                .id,
        ),
        None => None,
    };
    let action = match q.action.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        Some(a) => Some(
            a.parse::<ActionFilter>()
                .map_err(|e| Invalid::one("action", e))?,
        ),
        None => None,
    };
    // Days are the agency's calendar days, as the trail shows its times.
    let midnight = |d: NaiveDate| local_to_utc(d.and_time(NaiveTime::MIN), app.settings.zone());
    let query = EventQuery {
        person: person.map(|p| p.0),
        actor: actor_filter,
        action,
        from: q.from.map(midnight),
        until: q.to.and_then(|d| d.succ_opt()).map(midnight),
        before_seq: q.before_seq,
    };
    let entries = store::search(&mut tx, &query, limit).await?;
    let event = audited_as
        .because(format!("{} events", entries.len()))
        .about_if(person);
    audit::record(&mut tx, actor, event);
    tx.commit().await?;
    Ok(entries)
}

/// A page of events, newest first.
pub async fn search(
    app: &App,
    actor: &Actor,
    q: &TrailQuery,
    limit: i64,
) -> AppResult<Vec<AuditEntry>> {
    run(app, actor, q, limit.clamp(1, 500), Action::AuditSearch).await
}

/// Every matching event (up to [`EXPORT_LIMIT`]) as CSV.
pub async fn export_csv(app: &App, actor: &Actor, q: &TrailQuery) -> AppResult<String> {
    policy::audit::read_audit_trail(actor)?;
    policy::privileged(actor, "export the audit trail", app.now())?;
    let entries = run(app, actor, q, EXPORT_LIMIT, Action::AuditExport).await?;
    let mut out = String::from(
        "seq,time_utc,time_local,username,name,role,source,action,object_type,object_id,record,\
         outcome,reason\r\n",
    );
    for e in &entries {
        let fields = [
            e.seq.to_string(),
            e.at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            e.at.with_timezone(&app.settings.zone())
                .format("%Y-%m-%d %H:%M:%S %Z")
                .to_string(),
            e.actor_username.clone().unwrap_or_default(),
            e.actor_name.clone().unwrap_or_default(),
            e.actor_role.clone().unwrap_or_default(),
            e.source.clone().unwrap_or_default(),
            e.action.clone(),
            e.object_type.clone().unwrap_or_default(),
            e.object_id.map(|o| o.to_string()).unwrap_or_default(),
            e.record(),
            e.outcome.clone(),
            e.reason.clone().unwrap_or_default(),
        ];
        out.push_str(&csv::record(&fields));
    }
    Ok(out)
}
