//! SQLite's audited reads: their events wait, durable, in a file of their
//! own beside the database (`<database>-reads`) and are chained onto the
//! trail a quarter of a second later, many at a time.
//!
//! Why a file of its own: when a read transaction begins after another
//! connection has committed to the database, SQLite empties the reading
//! connection's page cache (and, through the memory map, unmaps the file),
//! and the read starts cold. Every record view appends an audit event, so
//! with the events committed to the database itself, under load every view
//! read every page again: more than half of a page view's time (see
//! docs/PERFORMANCE.md). Committed to this file instead, a view's event
//! changes nothing the readers read; the database itself changes a few
//! times a second, when the events are chained.
//!
//! What is promised stays: a view answers only once its event is durable
//! (this file is written by the same writer's batches, with the same
//! `synchronous = FULL`), and every event reaches the chain: the chaining
//! takes the events from this file in the order they were written and never
//! removes one until a later chaining finds it on the trail, committed. A
//! crash between the two leaves the event here, and the next chaining (at
//! the latest when the server starts) lets it go without chaining it twice.
//! Until it is chained (a quarter of a second, or the next start after a
//! crash), an event is durable but not yet covered by the chain's hashes.

use super::{audit, Db};
use sqlx::SqliteConnection;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, Mutex};

/// The schema name the writer's connection gives the file.
pub(super) const SCHEMA: &str = "reads";

/// How long the chaining waits after the first event it is woken for, so
/// that one commit to the database carries the events of many reads.
const GATHER: Duration = Duration::from_millis(250);

/// The file beside `database` that holds its reads' events.
pub fn path(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push("-reads");
    PathBuf::from(name)
}

/// Attaches the reads' file to the writer's connection (creating it, and
/// its table, when missing), with the database's durability.
pub(super) async fn attach(conn: &mut SqliteConnection, file: &Path) -> Result<(), sqlx::Error> {
    let in_memory = file.as_os_str().is_empty() || file == Path::new(":memory:");
    let target = if in_memory {
        ":memory:".to_owned()
    } else {
        path(file).to_string_lossy().into_owned()
    };
    sqlx::query(&format!("ATTACH DATABASE $1 AS {SCHEMA}"))
        .bind(target)
        .execute(&mut *conn)
        .await?;
    for statement in [
        format!("PRAGMA {SCHEMA}.journal_mode = WAL"),
        format!("PRAGMA {SCHEMA}.synchronous = FULL"),
        format!(
            "CREATE TABLE IF NOT EXISTS {SCHEMA}.audit_staged (seq INTEGER PRIMARY KEY \
             AUTOINCREMENT, id TEXT NOT NULL UNIQUE, at TEXT NOT NULL, actor_id TEXT, actor_role \
             TEXT, source TEXT, action TEXT NOT NULL, object_type TEXT, object_id TEXT, outcome \
             TEXT NOT NULL, reason TEXT)"
        ),
        format!(
            "CREATE TRIGGER IF NOT EXISTS {SCHEMA}.audit_staged_no_update BEFORE UPDATE ON \
             audit_staged BEGIN SELECT RAISE(ABORT, 'staged audit events cannot be changed'); END"
        ),
    ] {
        sqlx::query(&statement).execute(&mut *conn).await?;
    }
    Ok(())
}

/// The chaining of SQLite's reads' events: woken by each read that stages
/// one, it chains everything staged a moment later. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Reads {
    wake: mpsc::Sender<()>,
    /// One chaining at a time: each lets go only of events a chaining before
    /// it committed.
    chaining: Arc<Mutex<()>>,
}

impl Reads {
    /// Starts the chaining task for `db` (a handle without one of its own);
    /// it ends when the last clone of this is dropped.
    pub(super) fn start(db: Db) -> Self {
        let (wake, woken) = mpsc::channel(1);
        let chaining = Arc::new(Mutex::new(()));
        tokio::spawn(run(db, Arc::clone(&chaining), woken));
        Self { wake, chaining }
    }

    /// Says an event was staged.
    pub(super) fn staged(&self) {
        // A full channel means a wake is already on its way.
        let _ = self.wake.try_send(());
    }

    /// Chains every event staged so far; returns once they are durable on
    /// the chain.
    pub(super) async fn chain(&self, db: &Db) -> Result<(), sqlx::Error> {
        chain(db, &self.chaining).await
    }
}

async fn run(db: Db, chaining: Arc<Mutex<()>>, mut woken: mpsc::Receiver<()>) {
    while woken.recv().await.is_some() {
        tokio::time::sleep(GATHER).await;
        if let Err(e) = chain(&db, &chaining).await {
            tracing::warn!(
                error = %e,
                "audited reads' events could not be chained yet; they stay staged for the next try"
            );
        }
    }
}

async fn chain(db: &Db, chaining: &Mutex<()>) -> Result<(), sqlx::Error> {
    let _one_at_a_time = chaining.lock().await;
    loop {
        let mut tx = db.write().await?;
        let more = audit::chain_reads(&mut tx).await?;
        tx.finish().await?;
        if !more {
            return Ok(());
        }
    }
}
