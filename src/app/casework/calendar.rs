//! The officer's calendar (day and week views) and an iCalendar feed of it
//! reached by a secret URL the officer can replace or revoke. The feed names
//! participants by their agency number only: calendar apps copy events to
//! phones and cloud services.

use crate::app::access::auth::{load_actor, random_token, token_hash, Secret};
use crate::app::audit::Origin;
use crate::app::{audit, policy, Actor, App, AppError, AppResult};
use crate::domain::audit::Action;
use crate::domain::casework::calendar::{self as feed, Event, EventStatus};
use crate::domain::casework::supervision::{local_to_utc, Outcome};
use crate::store::access::users;
use crate::store::audit::Outcome as AuditOutcome;
use crate::store::casework::alerts::{self as alert_store, DayAppointment};
use crate::store::casework::calendar as store;
use chrono::{Duration, NaiveDate, NaiveTime};

/// The actor's appointments on `days` days from `first` (agency calendar).
pub async fn days(
    app: &App,
    actor: &Actor,
    first: NaiveDate,
    days: i64,
) -> AppResult<Vec<DayAppointment>> {
    let zone = app.settings.zone();
    let start = local_to_utc(first.and_time(NaiveTime::MIN), zone);
    let end = local_to_utc(
        (first + Duration::days(days)).and_time(NaiveTime::MIN),
        zone,
    );
    let mut tx = app.db.read().await?;
    let list = alert_store::appointments_between(
        &mut tx,
        &policy::casework::caseload_scope(actor),
        start,
        end,
    )
    .await?;
    audit::record(
        &mut tx,
        actor,
        Action::CalendarView.because(first.to_string()),
    );
    tx.commit().await?;
    Ok(list)
}

/// Gives the signed-in person a new feed URL path (shown once), replacing
/// any earlier one.
pub async fn new_feed(app: &App, actor: &Actor) -> AppResult<Secret> {
    if actor.scope.is_some() {
        return Err(AppError::Forbidden(
            "make a calendar feed with an API token",
        ));
    }
    let token = random_token();
    let mut tx = app.db.write().await?;
    store::replace(&mut tx, actor.id, &token_hash(&token), app.now()).await?;
    audit::record(&mut tx, actor, Action::CalendarFeedCreated);
    tx.commit().await?;
    Ok(Secret::new(format!("/calendar/{token}.ics")))
}

pub async fn revoke_feed(app: &App, actor: &Actor) -> AppResult<()> {
    let mut tx = app.db.write().await?;
    if !store::revoke(&mut tx, actor.id).await? {
        return Err(AppError::NotFound("calendar feed"));
    }
    audit::record(&mut tx, actor, Action::CalendarFeedRevoked);
    tx.commit().await?;
    Ok(())
}

/// The feed a secret opens: 30 days back to 90 ahead. An unknown secret is
/// "not found" (and audited as a failure).
pub async fn feed(app: &App, token: &str, source: Option<String>) -> AppResult<String> {
    let mut tx = app.db.write().await?;
    let owner = store::owner(&mut tx, &token_hash(token)).await?;
    let user = match owner {
        Some(id) => users::by_id(&mut tx, id).await?.filter(|u| u.active),
        None => None,
    };
    let Some(user) = user else {
        let by = Origin {
            user: None,
            source: source.as_deref(),
        };
        let event = Action::CalendarFeed.because("unknown or revoked feed");
        audit::write(&mut tx, by, AuditOutcome::Failure, event);
        tx.commit().await?;
        return Err(AppError::NotFound("calendar feed"));
    };
    let actor = load_actor(&mut tx, user, source).await?;
    let at = app.now();
    let list = alert_store::appointments_between(
        &mut tx,
        &policy::casework::caseload_scope(&actor),
        at - Duration::days(30),
        at + Duration::days(90),
    )
    .await?;
    audit::record(
        &mut tx,
        &actor,
        Action::CalendarFeed.because(format!("{} events", list.len())),
    );
    tx.commit().await?;
    let summaries: Vec<String> = list
        .iter()
        .map(|a| {
            let what = format!("{} · {}", a.kind.title(), a.person_number);
            match a.outcome {
                Some(o) if o != Outcome::Attended => format!("{}: {what}", o.title()),
                _ => what,
            }
        })
        .collect();
    let events: Vec<Event> = list
        .iter()
        .zip(&summaries)
        .map(|(a, summary)| Event {
            uid: format!("{}@bridgeway", a.id),
            starts: a.starts_at,
            ends: a.starts_at + Duration::minutes(i64::from(a.duration_minutes)),
            summary,
            location: a.location.as_deref(),
            sequence: a.version - 1,
            status: match a.outcome {
                None | Some(Outcome::Attended) => EventStatus::Confirmed,
                Some(o) if o.called_off() => EventStatus::Cancelled,
                Some(_) => EventStatus::Unsettled,
            },
        })
        .collect();
    Ok(feed::calendar(
        &format!("Bridgeway: {}", actor.full_name),
        &events,
        at,
    ))
}
