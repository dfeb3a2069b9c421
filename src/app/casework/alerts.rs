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
use crate::domain::casework::alerts::Rule;
use crate::domain::casework::supervision::{first_of_month, local_to_utc, SupervisionLevel};
use crate::domain::ids::{AlertId, CaseId};
use crate::domain::input::RequiredText;
use crate::domain::validation::Invalid;
use crate::store::audit::Outcome;
use crate::store::casework::alerts::{
    self as store, AlertRow, Among, CaseSpan, DayAppointment, OfficerLoad, QueueFilter, SweepAt,
};
use crate::store::casework::notes::{self as note_store, Draft};
use crate::store::outreach::messages::{self, Undelivered};
use crate::store::Tx;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use std::collections::HashSet;

/// What the rules compare with, now.
fn sweep_at(app: &App) -> SweepAt {
    rules_at(app, app.now())
}

/// What the rules compared with during `day` (as the sweep that finished
/// it saw the day).
fn rules_on(app: &App, day: NaiveDate) -> SweepAt {
    let noon = NaiveTime::from_hms_opt(12, 0, 0).unwrap_or(NaiveTime::MIN);
    rules_at(app, local_to_utc(day.and_time(noon), app.settings.zone()))
}

fn rules_at(app: &App, at: DateTime<Utc>) -> SweepAt {
    let zone = app.settings.zone();
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
        no_contact_since: midnight(-a.no_contact_days),
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
pub(crate) async fn raise_for_case(
    tx: &mut Tx,
    app: &App,
    case: CaseId,
) -> Result<u64, sqlx::Error> {
    store::sweep(tx, &sweep_at(app), CaseSpan::one(case)).await
}

/// Cases a sweep looks at in one write: short enough that other writes wait
/// milliseconds behind it, however many cases the agency holds.
const SWEEP_SPAN: i64 = 1000;

/// How many days since the last sweep the sweep catches up with by reading
/// only what they brought; after a longer gap it sweeps every case.
const CATCH_UP_DAYS: i64 = 7;

/// Brings the alerts up to today. Events and writes raise what they change
/// as they are recorded, so what remains is the passing of days: the first
/// sweep of a day reads only the rows those days brought into a rule's reach
/// (conditions falling due, end dates nearing, tomorrow's court dates,
/// contacts leaving the window), a day or an hour of them per write; later
/// sweeps that day read one row. The first sweep ever, or after more than
/// [`CATCH_UP_DAYS`], goes over every case. Raising is idempotent, so several
/// servers may sweep at once.
pub async fn sweep(app: &App) -> AppResult<u64> {
    let at = sweep_at(app);
    let mut tx = app.db.read().await?;
    let swept_on = store::swept_on(&mut tx).await?;
    tx.commit().await?;
    let raised = match swept_on {
        Some(day) if day >= at.today => return Ok(0),
        Some(day) if (at.today - day).num_days() <= CATCH_UP_DAYS => {
            catch_up(app, &at, &rules_on(app, day)).await?
        }
        _ => sweep_spans(app, &at, Rule::all(), SWEEP_SPAN).await?,
    };
    mark_swept(app, &at).await?;
    Ok(raised)
}

/// Sweeps every case, whatever the last sweep saw (`sweep-alerts --full`:
/// after rows were changed outside Bridgeway, e.g. a restore or an import).
pub async fn sweep_all(app: &App) -> AppResult<u64> {
    sweep_in_spans(app, SWEEP_SPAN).await
}

/// Sweeps every case, `span` cases per write.
pub async fn sweep_in_spans(app: &App, span: i64) -> AppResult<u64> {
    let at = sweep_at(app);
    let raised = sweep_spans(app, &at, Rule::all(), span).await?;
    mark_swept(app, &at).await?;
    Ok(raised)
}

/// Raises what the days after `since` up to `at` brought, a slice per write.
async fn catch_up(app: &App, at: &SweepAt, since: &SweepAt) -> AppResult<u64> {
    let changes = store::day_changes(since, at);
    let mut raised = 0;
    for (rule, reach, window) in changes.reached {
        for slice in window.slices() {
            let mut tx = app.db.write().await?;
            raised += raise_audited(&mut tx, at, &[rule], Among::Reached(reach, slice)).await?;
            tx.commit().await?;
        }
    }
    Ok(raised + sweep_spans(app, at, &changes.every_case, SWEEP_SPAN).await?)
}

/// Raises `rules` on every case, `span` cases per write, so that no sweep
/// holds the writer for long.
async fn sweep_spans(app: &App, at: &SweepAt, rules: &[Rule], span: i64) -> AppResult<u64> {
    let (mut raised, mut after) = (0, None);
    while !rules.is_empty() {
        let mut tx = app.db.write().await?;
        let Some(cases) = store::next_span(&mut tx, after, span).await? else {
            tx.commit().await?;
            break;
        };
        raised += raise_audited(&mut tx, at, rules, Among::Span(cases)).await?;
        tx.commit().await?;
        after = Some(cases.last);
    }
    Ok(raised)
}

/// Raises `rules` on the cases `among`; a write that raised anything is
/// audited with it.
async fn raise_audited(tx: &mut Tx, at: &SweepAt, rules: &[Rule], among: Among) -> AppResult<u64> {
    let mut here = 0;
    for rule in rules {
        here += store::raise(tx, at, *rule, among).await?;
    }
    if here > 0 {
        let event = Action::AlertSweep.because(format!("{here} alerts raised"));
        audit::write(tx, Origin::system("sweep"), Outcome::Success, event);
    }
    Ok(here)
}

async fn mark_swept(app: &App, at: &SweepAt) -> AppResult<()> {
    let mut tx = app.db.write().await?;
    store::mark_swept(&mut tx, at.today, at.now).await?;
    tx.commit().await?;
    Ok(())
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
    /// The reader's notes still drafts, waiting to be signed.
    pub drafts: Vec<Draft>,
    /// The alerts of this page the actor may acknowledge and resolve.
    pub settleable: HashSet<AlertId>,
}

impl WorkQueue {
    /// May the actor acknowledge and resolve this alert (so the page
    /// offers it)?
    pub fn may_settle(&self, id: &AlertId) -> bool {
        self.settleable.contains(id)
    }
}

/// The alerts of `alerts` the actor may settle: none for those who hold no
/// case (a court liaison reads its court's queue), and a review only for a
/// supervisor other than the note's author.
async fn settleable(
    tx: &mut Tx,
    actor: &Actor,
    alerts: &[AlertRow],
) -> AppResult<HashSet<AlertId>> {
    let mut ids = HashSet::new();
    if !policy::casework::settles_alerts(actor) {
        return Ok(ids);
    }
    for a in alerts {
        let author = match a.rule.reviewed_note(&a.occurrence) {
            Some(note) => note_store::author_of(tx, note).await?,
            None => None,
        };
        if policy::casework::settle_alert(actor, author).is_ok() {
            ids.insert(a.id);
        }
    }
    Ok(ids)
}

/// Alerts on one page of the work queue.
pub const QUEUE_PAGE: i64 = 100;

/// Drafts the work queue lists.
const DRAFTS_LISTED: i64 = 20;

/// The actor's work queue, its alerts (those `only` lets through) from the
/// start or continuing after the alert `after`; reading it is audited.
pub async fn work_queue(
    app: &App,
    actor: &Actor,
    only: QueueFilter,
    after: Option<AlertId>,
) -> AppResult<WorkQueue> {
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
    let page = store::open_in(&mut tx, &scope, only, after, QUEUE_PAGE + 1).await?;
    let mut alerts = page.alerts;
    let more = alerts.len() as i64 > QUEUE_PAGE;
    alerts.truncate(QUEUE_PAGE as usize);
    let settleable = settleable(&mut tx, actor, &alerts).await?;
    let queue = WorkQueue {
        settleable,
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
        drafts: note_store::drafts_of(&mut tx, actor.id, DRAFTS_LISTED).await?,
    };
    let reason = format!("{} of {} alerts", queue.alerts.len(), queue.open_alerts);
    audit::record(&mut tx, actor, Action::WorkQueueView.because(&reason));
    tx.commit().await?;
    Ok(queue)
}

/// The case an open alert is on, if the actor holds it and may settle the
/// alert (a supervisor review: a supervisor other than the note's author).
async fn held_alert(tx: &mut Tx, actor: &Actor, id: AlertId) -> AppResult<CaseId> {
    let alert = store::alert_ref(tx, id)
        .await?
        .ok_or(AppError::NotFound("alert"))?;
    held_case(tx, actor, alert.case_id)
        .await
        .map_err(|e| match e {
            AppError::NotFound(_) => AppError::NotFound("alert"),
            other => other,
        })?;
    let author = match alert.rule.reviewed_note(&alert.occurrence) {
        Some(note) => note_store::author_of(tx, note).await?,
        None => None,
    };
    policy::casework::settle_alert(actor, author)?;
    if alert.resolved_at.is_some() {
        return Err(AppError::Conflict("this alert is already resolved".into()));
    }
    Ok(alert.case_id)
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

/// Most alerts marked seen at once.
pub const MOST_AT_ONCE: usize = 100;

/// Marks many alerts as seen in one go: all of them, or (when one may not
/// be settled by the actor, or is resolved already) none.
pub async fn acknowledge_many(app: &App, actor: &Actor, ids: &[AlertId]) -> AppResult<usize> {
    if !policy::casework::settles_alerts(actor) {
        return Err(AppError::Forbidden("settle alerts"));
    }
    if ids.is_empty() || ids.len() > MOST_AT_ONCE {
        return Err(
            Invalid::one("alerts", format!("choose from 1 to {MOST_AT_ONCE} alerts")).into(),
        );
    }
    let mut tx = app.db.write().await?;
    let mut marked = 0;
    for &id in ids {
        held_alert(&mut tx, actor, id).await?;
        if store::acknowledge(&mut tx, id, actor.id, app.now()).await? {
            audit::record(&mut tx, actor, Action::AlertAcknowledge.on(id));
            marked += 1;
        }
    }
    tx.commit().await?;
    Ok(marked)
}

/// What was done about an alert, as typed.
pub type ResolutionNote = RequiredText<500>;

/// Resolves an alert with a note saying what was done.
pub async fn resolve(
    app: &App,
    actor: &Actor,
    id: AlertId,
    note: &ResolutionNote,
) -> AppResult<()> {
    let mut tx = app.db.write().await?;
    held_alert(&mut tx, actor, id).await?;
    let note = note.checked().map_err(|e| Invalid::one("note", e))?;
    if !store::resolve(&mut tx, id, actor.id, app.now(), &note).await? {
        return Err(AppError::Conflict("this alert is already resolved".into()));
    }
    audit::record(&mut tx, actor, Action::AlertResolve.on(id));
    tx.commit().await?;
    Ok(())
}
