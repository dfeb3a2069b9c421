//! Reminders to participants and the queue that sends them.
//!
//! `plan` turns what is coming (appointments, court dates, requirements
//! falling due) and what was missed into queued messages when each
//! reminder's moment arrives: so many days before, and on the morning of
//! the day, by every channel the person agreed to, in their language. A
//! reminder is named by its dedupe key, so planning twice (two servers, a
//! restart) stores it once. `deliver` claims due messages, sends them and
//! records the outcome: sent, retried with back-off, or failed. Replies
//! (STOP, START, HELP and their Spanish forms) change the person's consent
//! and are answered through the same queue. Every message shows on the
//! participant's timeline.

use crate::app::audit::{self, Origin};
use crate::app::{App, AppResult};
use crate::domain::audit::Action;
use crate::domain::casework::supervision::{local_to_utc, AppointmentKind};
use crate::domain::ids::{AppointmentId, CaseId, MessageId};
use crate::domain::outreach::messages::{
    backoff, e164, keyword, wording, About, Channel, Keyword, Purpose, Sender, Status, MAX_ATTEMPTS,
};
use crate::gateways::{Gateways, SendError};
use crate::store::audit::Outcome;
use crate::store::outreach::messages::{self as store, Claimed, Finished, NewMessage, Reach};
use crate::store::Tx;
use chrono::{DateTime, Duration, NaiveDateTime, NaiveTime, Utc};

/// A reminder whose moment passed longer ago than this (the server was
/// down) is no longer sent.
const GRACE_HOURS: i64 = 6;
/// How long a claimed message is held before it counts as abandoned: well
/// beyond a batch sent one by one at the gateways' 20-second timeout.
const LEASE_MINUTES: i64 = 10;
/// Messages claimed at once.
const BATCH: i64 = 10;
/// When due-date reminders go out if no morning time is set.
const DEFAULT_MORNING: NaiveTime = NaiveTime::from_hms_opt(8, 0, 0).expect("valid time");

/// One reminder moment: its label (in the dedupe key) and when it falls.
struct Moment {
    label: String,
    at: DateTime<Utc>,
}

/// The moments before something at local time `when`: each configured day
/// before (at the same time of day), and the morning of the day; a moment
/// in the quiet hours waits until they end, and is dropped if that is no
/// longer before `when`.
fn moments(app: &App, when: NaiveDateTime) -> Vec<Moment> {
    let zone = app.settings.zone();
    let r = &app.settings.reminders;
    let mut local: Vec<(String, NaiveDateTime)> = r
        .days_before
        .iter()
        .map(|d| (format!("{d}d"), when - Duration::days(i64::from(*d))))
        .collect();
    if let Some(morning) = r.morning() {
        local.push(("morning".into(), when.date().and_time(morning)));
    }
    let quiet = r.quiet();
    local
        .into_iter()
        .map(|(label, at)| (label, quiet.map_or(at, |q| q.next_allowed(at))))
        .filter(|(_, at)| *at < when)
        .map(|(label, at)| Moment {
            label,
            at: local_to_utc(at, zone),
        })
        .collect()
}

/// Which moments to gather, and by which channels.
pub(crate) struct Window {
    /// Moments in `(after, until]`.
    pub after: DateTime<Utc>,
    pub until: DateTime<Utc>,
    /// Only appointments without an outcome (reminders still to send).
    pub pending_only: bool,
    /// Channels a gateway exists for (a demo's history assumes both).
    pub sms: bool,
    pub email: bool,
}

impl Window {
    fn holds(&self, at: DateTime<Utc>) -> bool {
        at > self.after && at <= self.until
    }

    /// The channels a person agreed to and can be reached by, with the address.
    fn channels(&self, reach: &Reach) -> Vec<(Channel, String)> {
        let mut out = Vec::new();
        if self.sms && reach.may_text {
            if let Some(phone) = reach.phone.as_deref().and_then(e164) {
                out.push((Channel::Sms, phone));
            }
        }
        if self.email && reach.may_email {
            if let Some(email) = reach.email.clone() {
                out.push((Channel::Email, email));
            }
        }
        out
    }
}

fn sender(app: &App) -> Sender<'_> {
    let r = &app.settings.reminders;
    Sender {
        agency: &r.agency_name,
        phone: &r.agency_phone,
    }
}

/// A message, worded and addressed, to queue at `at`.
pub(crate) struct Planned {
    pub at: DateTime<Utc>,
    pub key: String,
    pub reach: Reach,
    pub channel: Channel,
    pub address: String,
    pub purpose: Purpose,
    pub subject: String,
    pub body: String,
}

impl Planned {
    pub fn message(&self, status: Status) -> NewMessage<'_> {
        NewMessage {
            id: MessageId::new(),
            person_id: self.reach.person_id,
            case_id: Some(self.reach.case_id),
            channel: self.channel,
            purpose: self.purpose,
            dedupe_key: Some(self.key.clone()),
            address: &self.address,
            subject: &self.subject,
            body: &self.body,
            language: self.reach.preferred_language,
            status,
            at: self.at,
        }
    }
}

/// What to send about one thing at moment `at`, one message per channel,
/// keyed `{key}:{channel}`.
struct Occasion<'a> {
    key: String,
    at: DateTime<Utc>,
    reach: &'a Reach,
    purpose: Purpose,
    about: About<'a>,
}

fn plan_for(app: &App, window: &Window, o: Occasion<'_>, out: &mut Vec<Planned>) {
    let words = wording(o.reach.preferred_language, &sender(app), &o.about);
    for (channel, address) in window.channels(o.reach) {
        out.push(Planned {
            at: o.at,
            key: format!("{}:{}", o.key, channel.label()),
            reach: o.reach.clone(),
            channel,
            address,
            purpose: o.purpose,
            subject: words.subject.clone(),
            body: words.body.clone(),
        });
    }
}

/// Every reminder and follow-up whose moment falls in `window`.
pub(crate) async fn gather(tx: &mut Tx, app: &App, window: &Window) -> AppResult<Vec<Planned>> {
    let zone = app.settings.zone();
    let local = |t: DateTime<Utc>| t.with_timezone(&zone).naive_local();
    let r = &app.settings.reminders;
    // A moment is never later than what it reminds of and never earlier than
    // the most days before it (quiet hours only move it later), so only
    // starts up to that far past the window can have one in it (an hour's
    // slack for a daylight-saving change in between).
    let most_days = r.days_before.iter().copied().max().unwrap_or(0).max(1);
    let ahead = Duration::days(i64::from(most_days)) + Duration::hours(1);
    let mut planned = Vec::new();
    let appointments =
        store::appointments_between(tx, window.after, window.until + ahead, window.pending_only)
            .await?;
    for a in &appointments {
        let when = local(a.starts_at);
        let court = a.kind == AppointmentKind::CourtDate;
        for m in moments(app, when)
            .into_iter()
            .filter(|m| window.holds(m.at))
        {
            let occasion = Occasion {
                key: format!(
                    "appointment:{}:{}:{}",
                    a.id,
                    a.starts_at.timestamp(),
                    m.label
                ),
                at: m.at,
                reach: &a.reach,
                purpose: if court {
                    Purpose::CourtReminder
                } else {
                    Purpose::AppointmentReminder
                },
                about: About::Appointment {
                    court,
                    when,
                    place: a.location.as_deref(),
                },
            };
            plan_for(app, window, occasion, &mut planned);
        }
    }
    let morning = r.morning().unwrap_or(DEFAULT_MORNING);
    let (first, last) = (
        local(window.after).date(),
        local(window.until + ahead).date(),
    );
    for c in &store::conditions_due(tx, first, last).await? {
        for m in moments(app, c.due_date.and_time(morning))
            .into_iter()
            .filter(|m| window.holds(m.at))
        {
            let occasion = Occasion {
                key: format!("condition:{}:{}:{}", c.id, c.due_date, m.label),
                at: m.at,
                reach: &c.reach,
                purpose: Purpose::DueReminder,
                about: About::Due { on: c.due_date },
            };
            plan_for(app, window, occasion, &mut planned);
        }
    }
    if r.missed_follow_up {
        for a in &store::missed_between(tx, window.after, window.until).await? {
            let occasion = Occasion {
                key: format!("missed:{}", a.id),
                at: window
                    .until
                    .min(a.starts_at + Duration::hours(2))
                    .max(a.starts_at),
                reach: &a.reach,
                purpose: Purpose::MissedFollowUp,
                about: About::Missed {
                    when: local(a.starts_at),
                },
            };
            plan_for(app, window, occasion, &mut planned);
        }
    }
    Ok(planned)
}

/// Queues every reminder and follow-up whose moment has come (within the
/// last few hours: after a long outage, stale reminders are not sent);
/// returns how many new messages were queued.
pub async fn plan(app: &App) -> AppResult<u64> {
    let window = Window {
        after: app.now() - Duration::hours(GRACE_HOURS),
        until: app.now(),
        pending_only: true,
        sms: app.settings.sms.is_some(),
        email: app.settings.email.is_some(),
    };
    if !window.sms && !window.email {
        return Ok(0);
    }
    // Gathered on a read transaction (on SQLite the reader pool, so planning
    // never holds the one writer); the dedupe keys make storing it safe
    // whatever another server stored meanwhile.
    let mut tx = app.db.read().await?;
    let planned = gather(&mut tx, app, &window).await?;
    tx.commit().await?;
    if planned.is_empty() {
        return Ok(0);
    }
    let mut tx = app.db.write().await?;
    let rows: Vec<NewMessage> = planned
        .iter()
        .map(|p| NewMessage {
            at: window.until,
            ..p.message(Status::Queued)
        })
        .collect();
    let queued = store::insert_many(&mut tx, &app.keys, &rows).await?;
    if queued > 0 {
        let event = Action::MessagePlan.because(format!("{queued} reminders queued"));
        audit::write(&mut tx, REMINDERS, Outcome::Success, event);
    }
    tx.commit().await?;
    Ok(queued)
}

/// A suspension or an ending called off `count` appointments of `case`:
/// its reminders still waiting are withdrawn, and the participant is told,
/// in the caller's transaction. Returns the messages queued to tell them.
pub(crate) async fn called_off(tx: &mut Tx, app: &App, case: CaseId, count: u64) -> AppResult<u64> {
    let at = app.now();
    store::withdraw_reminders(tx, case, at).await?;
    if count == 0 {
        return Ok(0);
    }
    let key = format!("called-off:{case}:{}", at.timestamp());
    tell(tx, app, case, key, About::CalledOff { count }).await
}

/// Appointments of `case` were moved or cancelled (`about` says which):
/// their reminders still waiting are withdrawn (a moved one is reminded
/// afresh for its new time) and the participant is told, in the caller's
/// transaction. `key` names this change, so it is told once.
pub(crate) async fn changed(
    tx: &mut Tx,
    app: &App,
    case: CaseId,
    appointments: &[AppointmentId],
    key: String,
    about: About<'_>,
) -> AppResult<u64> {
    store::withdraw_appointment_reminders(tx, appointments, app.now()).await?;
    tell(tx, app, case, key, about).await
}

/// Queues a message telling the participant of `case` about `about` now,
/// where the agency wants changes told and the participant agreed to
/// texts or e-mail; returns how many were queued (one a channel).
async fn tell(
    tx: &mut Tx,
    app: &App,
    case: CaseId,
    key: String,
    about: About<'_>,
) -> AppResult<u64> {
    if !app.settings.reminders.tell_called_off {
        return Ok(0);
    }
    let Some(reach) = store::reach_of(tx, case).await? else {
        return Ok(0);
    };
    let at = app.now();
    let window = Window {
        after: at,
        until: at,
        pending_only: true,
        sms: app.settings.sms.is_some(),
        email: app.settings.email.is_some(),
    };
    let purpose = match about {
        About::CalledOff { .. } => Purpose::CalledOff,
        _ => Purpose::Changed,
    };
    let mut planned = Vec::new();
    let occasion = Occasion {
        key,
        at,
        reach: &reach,
        purpose,
        about,
    };
    plan_for(app, &window, occasion, &mut planned);
    let rows: Vec<NewMessage> = planned.iter().map(|p| p.message(Status::Queued)).collect();
    Ok(store::insert_many(tx, &app.keys, &rows).await?)
}

/// The reminder service, acting on its own (no person asked).
const REMINDERS: Origin<'static> = Origin::system("reminders");

/// What one delivery pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Delivered {
    pub sent: u64,
    pub retrying: u64,
    pub failed: u64,
}

async fn send(gateways: &Gateways, m: &Claimed) -> Result<Option<String>, SendError> {
    let missing = |what: &str| SendError::Permanent(format!("no {what} is configured"));
    match m.channel {
        Channel::Sms => {
            let sms = gateways
                .sms
                .as_ref()
                .ok_or_else(|| missing("SMS gateway"))?;
            sms.send(&m.address, &m.body).await.map(Some)
        }
        Channel::Email => {
            let mail = gateways
                .email
                .as_ref()
                .ok_or_else(|| missing("mail server"))?;
            mail.send(&m.address, &m.subject, &m.body)
                .await
                .map(|()| None)
        }
    }
}

/// Sends what is due, as `worker` (a name unique to this server process),
/// until nothing due is left.
pub async fn deliver(app: &App, gateways: &Gateways, worker: &str) -> AppResult<Delivered> {
    let mut done = Delivered::default();
    loop {
        let at = app.now();
        let mut tx = app.db.write().await?;
        store::cancel_withdrawn(&mut tx, at).await?;
        let expired = store::expire_leases(&mut tx, at).await?;
        done.failed += expired;
        let claimed = store::claim(
            &mut tx,
            &app.keys,
            worker,
            at,
            at + Duration::minutes(LEASE_MINUTES),
            BATCH,
        )
        .await?;
        tx.commit().await?;
        if claimed.is_empty() {
            return Ok(done);
        }
        for m in &claimed {
            let result = send(gateways, m).await;
            let status = record(app, worker, m, &result).await?;
            match status {
                Status::Sent => done.sent += 1,
                Status::Queued => done.retrying += 1,
                _ => done.failed += 1,
            }
        }
    }
}

/// Records how sending `m` ended: sent, queued again after its back-off
/// (a transient failure with tries left), or failed; audited.
async fn record(
    app: &App,
    worker: &str,
    m: &Claimed,
    result: &Result<Option<String>, SendError>,
) -> AppResult<Status> {
    let at = app.now();
    let (status, retry_at, error, provider_id) = match result {
        Ok(provider) => (Status::Sent, None, None, provider.as_deref()),
        Err(SendError::Transient(e)) if m.attempts < MAX_ATTEMPTS => (
            Status::Queued,
            Some(at + backoff(m.attempts)),
            Some(e.as_str()),
            None,
        ),
        Err(SendError::Transient(e) | SendError::Permanent(e)) => {
            (Status::Failed, None, Some(e.as_str()), None)
        }
    };
    let finished = Finished {
        id: m.id,
        worker,
        status,
        provider_id,
        error,
        retry_at,
        at,
    };
    let mut tx = app.db.write().await?;
    if store::finish(&mut tx, &finished).await? {
        let reason = format!("{} by {worker}: {}", m.channel.label(), status.label());
        let outcome = if status == Status::Failed {
            Outcome::Failure
        } else {
            Outcome::Success
        };
        let event = Action::MessageSend.on(m.id).because(reason);
        audit::write(&mut tx, REMINDERS, outcome, event);
    }
    tx.commit().await?;
    Ok(status)
}

/// A gateway's report that a text was delivered or not.
pub async fn delivery_report(
    app: &App,
    provider_id: &str,
    status: &str,
    error_code: Option<&str>,
) -> AppResult<()> {
    let status = match status {
        "delivered" => Status::Delivered,
        "undelivered" | "failed" => Status::Failed,
        _ => return Ok(()),
    };
    let error = error_code.map(|c| format!("the carrier reported error {c}"));
    let mut tx = app.db.write().await?;
    store::report_delivery(&mut tx, provider_id, status, error.as_deref(), app.now()).await?;
    tx.commit().await?;
    Ok(())
}

/// A text from a participant: recorded on their timeline; STOP, START and
/// HELP (and the Spanish words) change consent and are answered. A number
/// Bridgeway never texted is ignored.
pub async fn receive(app: &App, from: &str, body: &str) -> AppResult<()> {
    let Some(phone) = e164(from) else {
        return Ok(());
    };
    let mut tx = app.db.write().await?;
    let Some((person, case, language)) = store::latest_texted(&mut tx, &app.keys, &phone).await?
    else {
        return Ok(());
    };
    let at = app.now();
    let message = |purpose, body, status| NewMessage {
        id: MessageId::new(),
        person_id: person,
        case_id: case,
        channel: Channel::Sms,
        purpose,
        dedupe_key: None,
        address: &phone,
        subject: "",
        body,
        language,
        status,
        at,
    };
    let asked = keyword(body);
    let reply = asked.map(|k| wording(language, &sender(app), &About::Keyword(k)));
    let mut rows = vec![message(Purpose::Inbound, body.trim(), Status::Received)];
    if let Some(reply) = &reply {
        rows.push(message(Purpose::Reply, &reply.body, Status::Queued));
    }
    if let Some(k @ (Keyword::Stop | Keyword::Start)) = asked {
        let may_text = k == Keyword::Start;
        crate::store::people::set_may_text(&mut tx, person, may_text, at).await?;
        let action = if may_text {
            Action::PersonTextsResumed
        } else {
            Action::PersonTextsStopped
        };
        let event = action
            .on(person)
            .because("reply from the participant's phone");
        audit::write(&mut tx, REMINDERS, Outcome::Success, event);
    }
    store::insert_many(&mut tx, &app.keys, &rows).await?;
    tx.commit().await?;
    Ok(())
}
