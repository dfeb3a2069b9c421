//! PostgreSQL's audit appender: the audit events of read-only transactions
//! (record views, lists, searches), many requests' at a time, chained and
//! committed in one transaction. SQLite needs none: its writer already
//! batches every write (`writer`).
//!
//! A view's events must be durable before the view is shown, and each
//! append takes the chain's lock until its commit; one transaction a view
//! would make views take turns on that lock, one flush each. The appender
//! takes what has queued while its previous batch committed, so the lock
//! and the flush are shared by the whole batch.

use super::audit::NewEvent;
use super::Db;
use tokio::sync::{mpsc, oneshot};

/// Events waiting for the appender, with where to say they are durable.
type Request = (Vec<NewEvent>, oneshot::Sender<Result<(), String>>);

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

    /// Appends `events` and returns once they are durable.
    pub async fn append(&self, events: Vec<NewEvent>) -> Result<(), sqlx::Error> {
        let (done, is_done) = oneshot::channel();
        let stopped = || sqlx::Error::Protocol("the audit appender has stopped".into());
        self.queue
            .send((events, done))
            .await
            .map_err(|_| stopped())?;
        match is_done.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(sqlx::Error::Protocol(format!(
                "the audit events could not be committed: {e}"
            ))),
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
        let outcome = db.append_audit(&events).await.map_err(|e| e.to_string());
        for done in waiting {
            let _ = done.send(outcome.clone());
        }
    }
}
