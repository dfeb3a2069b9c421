//! PostgreSQL's audit appender: it chains the audit events of every
//! transaction, many requests' at a time, in one transaction and one flush.
//! SQLite needs none: its writer already batches every write (`writer`).
//!
//! A write stages its events with its own transaction (`audit::stage`),
//! without the chain's lock, and then asks the appender to chain them; a
//! read-only transaction (a record view, a list, a search) hands its events
//! over directly. Each run takes the chain's lock, chains everything staged
//! so far, whichever server staged it, and what was handed over, and
//! commits; the requests that asked before the run began wait for it. The
//! lock is held for one short transaction a batch, not one a request, so
//! writes from any number of requests and servers commit in parallel and
//! the chain stays one chain in the order the appenders took the events.

use super::audit::NewEvent;
use super::Db;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// Events waiting for the appender, with where to say they are durable.
type Request = (Vec<NewEvent>, oneshot::Sender<Result<(), Arc<sqlx::Error>>>);

/// The most events one batch carries.
const MOST_EVENTS: usize = 2_000;

#[derive(Clone, Debug)]
pub struct Appender {
    queue: mpsc::Sender<Request>,
}

impl Appender {
    /// Starts the appender of `db`; it ends when the last clone is dropped.
    pub fn start(db: Db) -> Self {
        let (queue, requests) = mpsc::channel(1_024);
        tokio::spawn(run(db, requests));
        Self { queue }
    }

    /// Appends `events`, with every event staged before, and returns once
    /// they are durable on the chain.
    pub async fn append(&self, events: Vec<NewEvent>) -> Result<(), sqlx::Error> {
        let (done, is_done) = oneshot::channel();
        let stopped = || sqlx::Error::Protocol("the audit appender has stopped".into());
        self.queue
            .send((events, done))
            .await
            .map_err(|_| stopped())?;
        match is_done.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(super::outage::relay(
                "the audit events could not be committed",
                &e,
            )),
            Err(_) => Err(stopped()),
        }
    }
}

async fn run(db: Db, mut requests: mpsc::Receiver<Request>) {
    while let Some(first) = requests.recv().await {
        let (mut events, first_done) = first;
        let mut waiting = vec![first_done];
        while events.len() < MOST_EVENTS {
            let Ok((more, done)) = requests.try_recv() else {
                break;
            };
            events.extend(more);
            waiting.push(done);
        }
        let outcome = db.chain_audit(&events).await.map_err(Arc::new);
        for done in waiting {
            let _ = done.send(outcome.clone());
        }
    }
}
