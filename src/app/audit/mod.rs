//! Writing audit events for use cases; the auditors' search and export
//! (`trail`), checkpoints and retention (`integrity`).

pub mod integrity;
pub mod trail;

use crate::app::Actor;
use crate::store::audit::{self, NewEvent, Outcome};
use crate::store::Tx;
use uuid::Uuid;

/// Records that `actor` did `action` on an object, in the caller's transaction.
pub async fn record(
    tx: &mut Tx,
    actor: &Actor,
    action: &str,
    object: Option<(&str, Uuid)>,
    reason: Option<&str>,
) -> Result<(), sqlx::Error> {
    append_for(tx, actor, action, object, Outcome::Success, reason).await
}

/// Records that `actor` did `action` on each of `objects` (one event each,
/// e.g. every case a search showed), in the caller's transaction.
pub async fn record_each(
    tx: &mut Tx,
    actor: &Actor,
    action: &str,
    objects: &[(&str, Uuid)],
) -> Result<(), sqlx::Error> {
    let at = crate::app::now();
    let events: Vec<NewEvent> = objects
        .iter()
        .map(|o| NewEvent {
            at,
            actor: Some((actor.id, actor.role)),
            source: actor.source.as_deref(),
            action,
            object: Some(*o),
            outcome: Outcome::Success,
            reason: None,
        })
        .collect();
    audit::append_many(tx, &events).await
}

/// Records that `actor` tried `action` and was refused, and why.
pub async fn record_failure(
    tx: &mut Tx,
    actor: &Actor,
    action: &str,
    reason: &str,
) -> Result<(), sqlx::Error> {
    append_for(tx, actor, action, None, Outcome::Failure, Some(reason)).await
}

async fn append_for(
    tx: &mut Tx,
    actor: &Actor,
    action: &str,
    object: Option<(&str, Uuid)>,
    outcome: Outcome,
    reason: Option<&str>,
) -> Result<(), sqlx::Error> {
    audit::append(
        tx,
        NewEvent {
            at: crate::app::now(),
            actor: Some((actor.id, actor.role)),
            source: actor.source.as_deref(),
            action,
            object,
            outcome,
            reason,
        },
    )
    .await
}

/// Who an event names: a signed-in user, or the command line on the server.
pub fn origin(
    by: Option<&Actor>,
) -> (
    Option<(
        crate::domain::ids::UserId,
        crate::domain::access::users::Role,
    )>,
    Option<&str>,
) {
    match by {
        Some(a) => (Some((a.id, a.role)), a.source.as_deref()),
        None => (None, Some("cli")),
    }
}
