//! Refused requests on the audit trail, without letting a flood of them
//! flood it. CJIS asks that unsuccessful attempts be recorded; an address
//! sending unknown API tokens in a loop would otherwise add an event a
//! request, forever (six years' retention).
//!
//! The first refusal of a kind (action, reason, address, user) in a minute
//! is audited at once, as every event is. The rest of that minute are
//! counted (`store::audit::refusals`), and once the minute has passed the
//! count is audited as one event naming the first and last time: by the
//! next refusal of any kind, or by the server's periodic fold. An address
//! past [`PER_MINUTE`] identical refusals in a minute is answered 429.

use super::Origin;
use crate::app::{App, AppError, AppResult};
use crate::domain::audit::Action;
use crate::store::audit::refusals::{self, NewRefusal, Tally};
use crate::store::audit::{NewEvent, Outcome};
use crate::store::Tx;
use chrono::{DateTime, DurationRound, TimeDelta, Utc};

/// Identical refusals one address may have in a minute before it is
/// answered "too many attempts".
pub const PER_MINUTE: i64 = 30;

/// Counts a refusal and audits it as the module says; answers
/// [`AppError::TooManyAttempts`] once its address is past [`PER_MINUTE`].
pub async fn count(app: &App, by: Origin<'_>, action: Action, reason: &str) -> AppResult<()> {
    let at = app.now();
    let window_start = minute_of(at);
    let mut tx = app.db.write().await?;
    fold_in(&mut tx, window_start).await?;
    let refusal = NewRefusal {
        window_start,
        action: action.label(),
        reason,
        source: by.source,
        actor: by.user,
        at,
    };
    let seen = refusals::count(&mut tx, &refusal).await?;
    if seen == 1 {
        super::write(&mut tx, by, Outcome::Failure, action.because(reason));
    }
    tx.commit().await?;
    if seen > PER_MINUTE {
        return Err(AppError::TooManyAttempts);
    }
    Ok(())
}

/// Audits the counts of the minutes that have passed (the server runs this
/// every minute, so a flood's last minute is not left uncounted).
pub async fn fold(app: &App) -> AppResult<()> {
    let mut tx = app.db.write().await?;
    fold_in(&mut tx, minute_of(app.now())).await?;
    tx.commit().await?;
    Ok(())
}

async fn fold_in(tx: &mut Tx, window_start: DateTime<Utc>) -> Result<(), sqlx::Error> {
    let at = tx.now();
    for tally in refusals::take_closed(tx, window_start).await? {
        if let Some(event) = summary(tally, at) {
            tx.audit(event);
        }
    }
    Ok(())
}

/// The event that records a minute's repeats of one refusal.
fn summary(tally: Tally, at: DateTime<Utc>) -> Option<NewEvent> {
    let action = tally.action.parse::<Action>().ok()?;
    let reason = format!(
        "{}: {} times from {} to {} (the first recorded on its own)",
        tally.reason,
        tally.count,
        tally.first_at.to_rfc3339(),
        tally.last_at.to_rfc3339(),
    );
    Some(NewEvent {
        at,
        actor: tally.actor_id.zip(tally.actor_role),
        source: tally.source,
        action,
        object: None,
        outcome: Outcome::Failure,
        reason: Some(reason),
    })
}

fn minute_of(at: DateTime<Utc>) -> DateTime<Utc> {
    at.duration_trunc(TimeDelta::minutes(1)).unwrap_or(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_names_its_count_and_times_and_keeps_who() {
        let first: DateTime<Utc> = "2026-11-18T19:00:05Z".parse().unwrap();
        let tally = Tally {
            action: Action::AuthToken.label().into(),
            reason: "unknown token".into(),
            source: Some("192.0.2.7".into()),
            actor_id: None,
            actor_role: None,
            first_at: first,
            last_at: first + TimeDelta::seconds(50),
            count: 640,
        };
        let event = summary(tally, first + TimeDelta::minutes(1)).unwrap();
        assert_eq!(event.action, Action::AuthToken);
        assert_eq!(event.outcome, Outcome::Failure);
        assert_eq!(event.source.as_deref(), Some("192.0.2.7"));
        let reason = event.reason.unwrap();
        assert!(
            reason.starts_with("unknown token: 640 times from 2026-11-18T19:00:05"),
            "{reason}"
        );
    }

    #[test]
    fn minutes_start_on_the_minute() {
        let at: DateTime<Utc> = "2026-11-18T19:07:59.999Z".parse().unwrap();
        assert_eq!(
            minute_of(at),
            "2026-11-18T19:07:00Z".parse::<DateTime<Utc>>().unwrap()
        );
    }
}
