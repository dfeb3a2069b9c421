//! Alerts and the work queue. Rules raise alerts from events as they are
//! recorded (a missed appointment, an adverse test) and from a periodic
//! sweep; raising is idempotent. Officers acknowledge and resolve them with
//! a note; the queue shows the actor's cases' open alerts and the day's
//! appointments, and a supervisor also sees each officer's load.

use super::guard::held_case;
use crate::app::audit::Origin;
use crate::app::{audit, policy, Actor, App, AppError, AppResult};
use crate::domain::access::users::Role;
use crate::domain::audit::Action;
use crate::domain::casework::supervision::{first_of_month, local_to_utc, SupervisionLevel};
use crate::domain::ids::{AlertId, CaseId};
use crate::domain::validation::{required_text, Invalid};
use crate::store::audit::Outcome;
use crate::store::casework::alerts::{
    self as store, AlertRow, CaseSpan, DayAppointment, OfficerLoad, SweepAt,
};
use crate::store::outreach::messages::{self, Undelivered};
use crate::store::Tx;
use chrono::{Duration, NaiveTime};

/// What the rules compare with, now.
fn sweep_at(app: &App) -> SweepAt {
    let zone = app.settings.zone();
    let at = app.now();
    let today = app.settings.date_at(at);
    let midnight = |days: i64| {
        local_to_utc(
            (today + Duration::days(days)).and_time(NaiveTime::MIN),
            zone,
        )
    };
    let a = &app.settings.alerts;
    let first = first_of_month(today);
    let next_month = first + chrono::Months::new(1);
    let standards = [
        SupervisionLevel::High,
        SupervisionLevel::Moderate,
        SupervisionLevel::Low,
        SupervisionLevel::Administrative,
    ]
    .map(|l| {
        let s = app.settings.contact_standards.for_level(l);
        (s.contacts, s.home_visits)
    });
    SweepAt {
        now: at,
        today,
        tomorrow: (midnight(1), midnight(2)),
        no_contact_days: a.no_contact_days,
        case_ending_days: a.case_ending_days,
        due_soon_days: a.due_soon_days,
        month: (first, local_to_utc(first.and_time(NaiveTime::MIN), zone)),
        late_in_month: (next_month - today).num_days() <= 10,
        standards,
    }
}

/// Raises what the rules find on one case, in the caller's transaction
/// (called as events are recorded).
pub(super) async fn raise_for_case(
    tx: &mut Tx,
    app: &App,
    case: CaseId,
) -> Result<u64, sqlx::Error> {
    store::sweep(tx, &sweep_at(app), CaseSpan::one(case)).await
}

/// Cases a sweep looks at in one write: short enough that other writes wait
/// milliseconds behind it, however many cases the agency holds.
const SWEEP_SPAN: i64 = 1000;

/// Sweeps every case, a span of cases per write, so that the sweep at start
/// (or any sweep) never holds the writer for long; each write that raised
/// anything is audited with it.
pub async fn sweep(app: &App) -> AppResult<u64> {
    sweep_in_spans(app, SWEEP_SPAN).await
}

/// Sweeps every case, `span` cases per write.
pub async fn sweep_in_spans(app: &App, span: i64) -> AppResult<u64> {
    let at = sweep_at(app);
    let (mut raised, mut after) = (0, None);
    loop {
        let mut tx = app.db.write().await?;
        let Some(cases) = store::next_span(&mut tx, after, span).await? else {
            tx.commit().await?;
            return Ok(raised);
        };
        let here = store::sweep(&mut tx, &at, cases).await?;
        if here > 0 {
            let event = Action::AlertSweep.because(format!("{here} alerts raised"));
            audit::write(&mut tx, Origin::system("sweep"), Outcome::Success, event);
        }
        tx.commit().await?;
        raised += here;
        after = Some(cases.last);
    }
}

/// An officer's (or a supervisor's team's) working day.
#[derive(Debug, Clone)]
pub struct WorkQueue {
    /// A page of the open alerts, most severe and soonest due first.
    pub alerts: Vec<AlertRow>,
    /// How many alerts are open in all.
    pub open_alerts: i64,
    /// The alert the next page continues after, when there are more.
    pub next_after: Option<AlertId>,
    /// Today's appointments (the agency's calendar day).
    pub today: Vec<DayAppointment>,
    /// Reminders and follow-ups sent to the participants today.
    pub messages_sent_today: i64,
    /// Messages that could not be delivered this past week (a wrong number,
    /// a mailbox that does not exist): the participant did not hear from us.
    pub undelivered: Vec<Undelivered>,
    /// For a supervisor: each officer's open cases and alerts.
    pub team: Vec<OfficerLoad>,
}

/// Alerts on one page of the work queue.
pub const QUEUE_PAGE: i64 = 100;

/// The actor's work queue, its alerts from the start or continuing after
/// the alert `after`; reading it is audited.
pub async fn work_queue(app: &App, actor: &Actor, after: Option<AlertId>) -> AppResult<WorkQueue> {
    let scope = policy::casework::caseload_scope(actor);
    let at = sweep_at(app);
    let zone = app.settings.zone();
    let start = local_to_utc(at.today.and_time(NaiveTime::MIN), zone);
    let mut tx = app.db.read().await?;
    let week_ago = start - Duration::days(7);
    let after = match after {
        Some(id) => Some(
            store::queue_key(&mut tx, id)
                .await?
                .ok_or(AppError::NotFound("alert to continue after"))?,
        ),
        None => None,
    };
    let (messages_sent_today, undelivered) =
        messages::outcomes(&mut tx, &scope, start, week_ago, 20).await?;
    let page = store::open_in(&mut tx, &scope, after, QUEUE_PAGE + 1).await?;
    let mut alerts = page.alerts;
    let more = alerts.len() as i64 > QUEUE_PAGE;
    alerts.truncate(QUEUE_PAGE as usize);
    let queue = WorkQueue {
        messages_sent_today,
        undelivered,
        open_alerts: page.total,
        next_after: alerts.last().filter(|_| more).map(|a| a.id),
        alerts,
        today: store::appointments_between(&mut tx, &scope, start, at.tomorrow.0).await?,
        team: if actor.role == Role::Supervisor {
            store::team_load(&mut tx, actor.id).await?
        } else {
            Vec::new()
        },
    };
    let reason = format!("{} of {} alerts", queue.alerts.len(), queue.open_alerts);
    audit::record(&mut tx, actor, Action::WorkQueueView.because(&reason));
    tx.commit().await?;
    Ok(queue)
}

/// The case an open alert is on, if the actor holds it.
async fn held_alert(tx: &mut Tx, actor: &Actor, id: AlertId) -> AppResult<CaseId> {
    let (case, resolved) = store::case_of(tx, id)
        .await?
        .ok_or(AppError::NotFound("alert"))?;
    held_case(tx, actor, case).await.map_err(|e| match e {
        AppError::NotFound(_) => AppError::NotFound("alert"),
        other => other,
    })?;
    if resolved {
        return Err(AppError::Conflict("this alert is already resolved".into()));
    }
    Ok(case)
}

pub async fn acknowledge(app: &App, actor: &Actor, id: AlertId) -> AppResult<()> {
    let mut tx = app.db.write().await?;
    held_alert(&mut tx, actor, id).await?;
    if store::acknowledge(&mut tx, id, actor.id, app.now()).await? {
        audit::record(&mut tx, actor, Action::AlertAcknowledge.on(id));
    }
    tx.commit().await?;
    Ok(())
}

/// Resolves an alert with a note saying what was done.
pub async fn resolve(app: &App, actor: &Actor, id: AlertId, note: &str) -> AppResult<()> {
    let mut tx = app.db.write().await?;
    held_alert(&mut tx, actor, id).await?;
    let note = required_text(note, 500).map_err(|e| Invalid::one("note", e))?;
    if !store::resolve(&mut tx, id, actor.id, app.now(), &note).await? {
        return Err(AppError::Conflict("this alert is already resolved".into()));
    }
    audit::record(&mut tx, actor, Action::AlertResolve.on(id));
    tx.commit().await?;
    Ok(())
}
