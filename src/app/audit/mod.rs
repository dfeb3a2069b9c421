//! Writing audit events for use cases; the auditors' search and export
//! (`trail`), checkpoints and retention (`integrity`).
//!
//! What an event says is typed (`domain::audit::{Action, Event}`): an
//! action, the record it is about (a typed id) and a short reason, written
//! `Action::CaseView.on(case_id)` or `Action::CaseList.because("12 results")`.

pub mod integrity;
pub mod refusals;
pub mod trail;

use super::Actor;
use crate::domain::access::users::Role;
use crate::domain::audit::{Action, Event, Object};
use crate::domain::ids::UserId;
use crate::store::audit::{NewEvent, Outcome};
use crate::store::Tx;

/// Who an event names: a signed-in user, or a part of the system acting on
/// its own (the command line, the alert sweep, the reminder service).
#[derive(Debug, Clone, Copy)]
pub struct Origin<'a> {
    pub user: Option<(UserId, Role)>,
    pub source: Option<&'a str>,
}

impl<'a> From<&'a Actor> for Origin<'a> {
    fn from(actor: &'a Actor) -> Self {
        Self {
            user: Some((actor.id, actor.role)),
            source: actor.source.as_deref(),
        }
    }
}

impl Origin<'static> {
    /// A part of the system, named: `cli`, `sweep`, `reminders`.
    pub const fn system(name: &'static str) -> Self {
        Self {
            user: None,
            source: Some(name),
        }
    }
}

impl<'a> Origin<'a> {
    /// A signed-in user, or else the command line on the server.
    pub fn actor_or_console(by: Option<&'a Actor>) -> Self {
        by.map_or(Origin::system("cli"), Self::from)
    }
}

/// Records `event` with its outcome, in the caller's transaction: it is
/// chained onto the trail when the transaction commits, and lost with it.
pub fn write<'a, 'b>(
    tx: &mut Tx,
    by: impl Into<Origin<'b>>,
    outcome: Outcome,
    event: impl Into<Event<'a>>,
) {
    let (by, event) = (by.into(), event.into());
    let at = tx.now();
    tx.audit(NewEvent {
        at,
        actor: by.user,
        source: by.source.map(str::to_owned),
        action: event.action,
        object: event.object,
        outcome,
        reason: event.reason.map(|r| r.into_owned()),
    });
}

/// Records that `actor` did what `event` says, in the caller's transaction.
/// A write that records what its actor did is the write their request
/// asked for: it claims the request's one-time submission, if any.
pub fn record<'a>(tx: &mut Tx, actor: &Actor, event: impl Into<Event<'a>>) {
    if let Some(submission) = &actor.submission {
        tx.answers(actor.id, submission);
    }
    write(tx, actor, Outcome::Success, event);
}

/// Records that `actor` tried what `event` says and was refused (its reason says why).
pub fn record_failure<'a>(tx: &mut Tx, actor: &Actor, event: impl Into<Event<'a>>) {
    write(tx, actor, Outcome::Failure, event);
}

/// Records that `actor` did `action` on each of `objects` (one event each,
/// e.g. every case a search showed), in the caller's transaction.
pub fn record_each<O: Into<Object>>(
    tx: &mut Tx,
    actor: &Actor,
    action: Action,
    objects: impl IntoIterator<Item = O>,
) {
    for object in objects {
        record(tx, actor, action.on(object));
    }
}
