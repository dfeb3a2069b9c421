//! SQLite's one writer, shared by many requests: group commit.
//!
//! SQLite lets one transaction write at a time, and with `synchronous=FULL`
//! every commit waits for the disk. One commit per request caps the writes a
//! server takes at the disk's flushes per second, however small each write.
//! Here the requests take turns on one open transaction instead: each turn
//! runs in a savepoint of its own (released when its request commits, rolled
//! back when it fails or is dropped), and the batch is committed once the
//! turns queued behind the first have had theirs: by the last of them, when
//! it finds nobody waiting, or else by a committer task that asked for the
//! writer after them (a turn dropped mid-way wakes it too). A
//! request's `commit` returns only when its batch is durable, so nothing a
//! request answers is lost in a crash; a batch that cannot commit fails every
//! request in it.
//!
//! Turns follow each other in the order they asked (tokio's mutex is fair),
//! and the committer asks like everyone else: a batch holds the turns that
//! were waiting when its first turn was released.

use sqlx::pool::PoolConnection;
use sqlx::{Sqlite, SqliteConnection, SqlitePool};
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot, Mutex, OwnedMappedMutexGuard, OwnedMutexGuard};

/// What a request waits on after releasing its turn: its batch's commit.
type Durable = oneshot::Receiver<Result<(), Arc<sqlx::Error>>>;

/// The writer: its connection pool (one connection), the open batch, and
/// the line to the committer. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Writer {
    pool: SqlitePool,
    batch: Arc<Mutex<Option<Batch>>>,
    wake: mpsc::Sender<()>,
    counts: Arc<Counts>,
    /// Turns waiting for the writer.
    waiting: Arc<AtomicUsize>,
}

/// How many turns were asked for and how many batches committed, since the
/// writer started: their ratio is the writes each flush to disk carried.
#[derive(Debug, Default)]
pub struct Counts {
    pub turns_asked: AtomicU64,
    pub batches_committed: AtomicU64,
}

/// One open write transaction and the turns released into it.
#[derive(Debug)]
struct Batch {
    conn: PoolConnection<Sqlite>,
    /// The released turns, waiting for the commit.
    released: Vec<oneshot::Sender<Result<(), Arc<sqlx::Error>>>>,
    status: Status,
    /// The turn whose savepoint is open: its request is running, or was
    /// dropped before releasing or rolling it back.
    open_turn: Option<OpenTurn>,
    /// The audit chain's head as this batch's appends left it. Nothing else
    /// appends while the batch holds the write lock, so the next append
    /// need not read it (`store::audit::append_many`).
    chain_head: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Open,
    /// A statement failed in a way that may have ended the transaction:
    /// the batch can only be rolled back.
    Broken,
    /// Committed or rolled back; whoever takes the writer next drops it,
    /// which gives the connection back to its pool.
    Ended,
}

/// What undoing the open turn restores.
#[derive(Debug)]
struct OpenTurn {
    chain_head_at_start: Option<String>,
}

impl Writer {
    /// The writer over `pool` (which must hold at most one connection), and
    /// its committer task, which ends when the last clone is dropped.
    pub fn new(pool: SqlitePool) -> Self {
        let (wake, woken) = mpsc::channel(1);
        let batch = Arc::new(Mutex::new(None));
        let counts = Arc::new(Counts::default());
        tokio::spawn(committer(Arc::clone(&batch), woken, Arc::clone(&counts)));
        Self {
            pool,
            batch,
            wake,
            counts,
            waiting: Arc::new(AtomicUsize::new(0)),
        }
    }

    pub fn counts(&self) -> &Counts {
        &self.counts
    }

    /// The writer's pool (migrations run on it before any batch opens).
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Waits for the writer and opens a savepoint for this turn, joining the
    /// open batch or beginning one (`BEGIN IMMEDIATE`). Not
    /// cancellation-safe by itself: `Db::write` runs it on its own task.
    pub async fn turn(self) -> Result<Turn, sqlx::Error> {
        self.counts.turns_asked.fetch_add(1, Ordering::Relaxed);
        self.waiting.fetch_add(1, Ordering::SeqCst);
        let mut held = Arc::clone(&self.batch).lock_owned().await;
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        tidy(&mut held, &self.counts).await;
        let batch = match held.as_mut() {
            Some(batch) => batch,
            None => held.insert(self.begin().await?),
        };
        batch.open_turn = Some(OpenTurn {
            chain_head_at_start: batch.chain_head.clone(),
        });
        if let Err(e) = sqlx::query("SAVEPOINT turn")
            .execute(&mut *batch.conn)
            .await
        {
            batch.status = Status::Broken;
            self.wake_committer();
            return Err(e);
        }
        let held = OwnedMutexGuard::try_map(held, Option::as_mut)
            .map_err(|_| sqlx::Error::Protocol("no write batch is open".into()))?;
        Ok(Turn {
            held,
            _wake: WakeOnDrop(self.wake.clone()),
            writer: self,
        })
    }

    async fn begin(&self) -> Result<Batch, sqlx::Error> {
        let mut conn = self.pool.acquire().await?;
        sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await?;
        Ok(Batch {
            conn,
            released: Vec::new(),
            status: Status::Open,
            open_turn: None,
            chain_head: None,
        })
    }

    fn wake_committer(&self) {
        // A full channel means a wake is already on its way.
        let _ = self.wake.try_send(());
    }
}

/// Before a turn starts: rolls back the savepoint of a turn whose request
/// was dropped, ends a batch that can only be rolled back, and drops an
/// ended one.
async fn tidy(held: &mut Option<Batch>, counts: &Counts) {
    if let Some(batch) = held.as_mut() {
        if let Some(turn) = batch.open_turn.take() {
            roll_back_turn(batch, turn).await;
        }
        if batch.status == Status::Broken {
            end(batch, counts).await;
        }
    }
    if held.as_ref().is_some_and(|b| b.status == Status::Ended) {
        *held = None;
    }
}

/// Undoes the open turn's work, keeping the batch's released turns.
async fn roll_back_turn(batch: &mut Batch, turn: OpenTurn) {
    let mut undone = sqlx::query("ROLLBACK TO turn")
        .execute(&mut *batch.conn)
        .await;
    if undone.is_ok() {
        undone = sqlx::query("RELEASE turn").execute(&mut *batch.conn).await;
    }
    batch.chain_head = turn.chain_head_at_start;
    if let Err(e) = undone {
        // No savepoint to roll back to: the transaction itself is gone.
        tracing::warn!(error = %e, "a write batch lost its transaction");
        batch.status = Status::Broken;
    }
}

/// Commits a batch (or rolls back a broken one), counts it, and tells its
/// released turns.
async fn end(batch: &mut Batch, counts: &Counts) {
    let broken = match batch.status {
        Status::Ended => return,
        status => status == Status::Broken,
    };
    batch.status = Status::Ended;
    let outcome = if broken {
        let _ = sqlx::query("ROLLBACK").execute(&mut *batch.conn).await;
        Err(Arc::new(sqlx::Error::Protocol(
            "the write was undone with the batch it was committed in".into(),
        )))
    } else {
        sqlx::query("COMMIT")
            .execute(&mut *batch.conn)
            .await
            .map(drop)
            .map_err(Arc::new)
    };
    if outcome.is_err() {
        // Whatever state the connection is in, it must not hold a
        // transaction when it goes back to the pool.
        let _ = sqlx::query("ROLLBACK").execute(&mut *batch.conn).await;
    } else {
        counts.batches_committed.fetch_add(1, Ordering::Relaxed);
    }
    for turn in batch.released.drain(..) {
        let _ = turn.send(outcome.clone());
    }
}

/// Commits the open batch each time a turn asks for it, after the turns
/// that were already waiting; ends when the writer is dropped.
async fn committer(
    batch: Arc<Mutex<Option<Batch>>>,
    mut woken: mpsc::Receiver<()>,
    counts: Arc<Counts>,
) {
    while woken.recv().await.is_some() {
        let mut held = batch.lock().await;
        tidy(&mut held, &counts).await;
        if let Some(open) = held.as_mut() {
            end(open, &counts).await;
        }
        *held = None;
    }
}

/// A request's turn on the writer: its savepoint in the open batch.
/// Dropped without `release`, it leaves its savepoint open for the next turn
/// or the committer to roll back, and wakes the committer so that the batch
/// does not wait for a next request.
#[derive(Debug)]
pub struct Turn {
    held: OwnedMappedMutexGuard<Option<Batch>, Batch>,
    /// Dropped after `held`, when the writer is free again.
    _wake: WakeOnDrop,
    writer: Writer,
}

#[derive(Debug)]
struct WakeOnDrop(mpsc::Sender<()>);

impl Drop for WakeOnDrop {
    fn drop(&mut self) {
        // A full channel means a wake is already on its way.
        let _ = self.0.try_send(());
    }
}

impl Turn {
    /// Releases the turn's savepoint into the batch and hands the writer on;
    /// what it returns resolves when the batch is durable. With no turn
    /// waiting, it commits the batch itself rather than wake the committer.
    /// Not cancellation-safe by itself: `Tx::commit` runs it on its own task.
    pub async fn release(self) -> Result<Durable, sqlx::Error> {
        let Turn {
            mut held,
            _wake,
            writer,
        } = self;
        let released = sqlx::query("RELEASE turn").execute(&mut *held.conn).await;
        held.open_turn = None;
        if let Err(e) = released {
            held.status = Status::Broken;
            return Err(e);
        }
        let (durable, is_durable) = oneshot::channel();
        held.released.push(durable);
        if writer.waiting.load(Ordering::SeqCst) == 0 {
            end(&mut held, &writer.counts).await;
        }
        Ok(is_durable)
    }

    /// The audit chain's head, if this batch has appended to it.
    pub fn chain_head(&self) -> Option<&str> {
        self.held.chain_head.as_deref()
    }

    /// Records the audit chain's head after this turn's appends.
    pub fn set_chain_head(&mut self, hash: String) {
        self.held.chain_head = Some(hash);
    }
}

impl Deref for Turn {
    type Target = SqliteConnection;

    fn deref(&self) -> &SqliteConnection {
        &self.held.conn
    }
}

impl DerefMut for Turn {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        &mut self.held.conn
    }
}

/// Waits for a released turn's batch to be durable.
pub async fn durable(is_durable: Durable) -> Result<(), sqlx::Error> {
    match is_durable.await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(super::outage::relay("the write could not be committed", &e)),
        Err(_) => Err(sqlx::Error::Protocol(
            "the writer stopped before the write was committed".into(),
        )),
    }
}
