//! Storage: one set of queries over SQLite (embedded default) or PostgreSQL.
//!
//! Queries are written once with `$1` placeholders and run on either backend
//! through [`Tx`]; the few places where the dialects differ ask
//! [`Tx::dialect`]. Every use case runs in one transaction.

pub mod access;
mod appender;
pub mod assessments;
pub mod audit;
pub mod backup;
pub mod bulk;
pub mod casework;
mod codec;
pub mod name_keys;
pub mod offices;
pub mod outage;
pub mod outreach;
pub mod people;
pub mod programs;
pub mod reads;
pub mod sealed;
pub mod sql;
pub mod submissions;
pub mod writer;

use crate::domain::clock::Clock;
use crate::domain::ids::UserId;
use anyhow::Context;
use chrono::{DateTime, Utc};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool};
use std::future::Future;
use std::ops::{Deref, DerefMut};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use writer::Writer;

// The query macros are the store's alone: SQL is written here and nowhere else.

/// Runs `$body` with `$c` bound to the transaction's connection, whichever backend it is.
macro_rules! on_tx {
    ($tx:expr, |$c:ident| $body:expr) => {
        match &mut ($tx).conn {
            $crate::store::Conn::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::store::Conn::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}

/// Executes a statement and returns the number of rows it touched.
macro_rules! exec {
    ($tx:expr, $q:expr) => {
        $crate::store::on_tx!($tx, |c| $q.execute(c).await.map(|r| r.rows_affected()))
    };
}

/// Runs a `query_as` / `query_scalar` with `fetch_one`, `fetch_optional` or `fetch_all`.
macro_rules! fetch {
    ($tx:expr, $method:ident, $q:expr) => {
        $crate::store::on_tx!($tx, |c| $q.$method(c).await)
    };
}

pub(in crate::store) use {exec, fetch, on_tx};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// A handle on the database and the clock its transactions tell time by;
/// cheap to clone.
#[derive(Clone, Debug)]
pub struct Db {
    pool: Pool,
    clock: Clock,
    /// PostgreSQL's audit appender, which chains every transaction's
    /// events (`appender`).
    appender: Option<appender::Appender>,
    /// SQLite's chaining of audited reads' events (`reads`).
    reads: Option<reads::Reads>,
}

/// The connections of either backend.
#[derive(Clone, Debug)]
pub enum Pool {
    /// SQLite keeps one writer connection (writes take turns in batches
    /// instead of failing with "database is locked", see `writer`) and a
    /// pool of readers.
    Sqlite {
        writer: Writer,
        readers: SqlitePool,
        /// The database file, whose disk's free space is watched.
        file: std::path::PathBuf,
    },
    Postgres(PgPool),
}

/// One transaction on either backend, with the database it belongs to (and
/// so its clock). Dropped without commit, it rolls back.
///
/// Audit events recorded in it are kept until `commit`. On SQLite a write
/// chains them onto the trail last thing before its commit (its batch holds
/// the one writer anyway); on PostgreSQL a write stages them, unchained,
/// in its own transaction (no lock, so writes commit in parallel) and the
/// appender then chains them with everyone else's. A read-only transaction
/// hands its events over after its snapshot ends: to the appender on
/// PostgreSQL, to a short write into the reads' file on SQLite (`reads`:
/// chained a moment later, so that readers keep their page caches). Either
/// way `commit` returns once the events are durable, so nothing is shown
/// unless its audit event is kept.
pub struct Tx {
    pub conn: Conn,
    access: Access,
    db: Db,
    events: Vec<audit::NewEvent>,
    /// The one-time submission this write answers, claimed as it commits.
    submission: Option<(UserId, Arc<submissions::Submission>)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    Read,
    Write,
}

/// The connection a transaction holds (the query macros run on it).
pub enum Conn {
    Sqlite(SqliteTx),
    Postgres(sqlx::Transaction<'static, Postgres>),
}

/// A SQLite transaction: a snapshot on a reader, or a turn on the writer.
pub enum SqliteTx {
    Reader(sqlx::Transaction<'static, Sqlite>),
    Writer(writer::Turn),
}

impl Deref for SqliteTx {
    type Target = sqlx::SqliteConnection;

    fn deref(&self) -> &sqlx::SqliteConnection {
        match self {
            Self::Reader(t) => t,
            Self::Writer(t) => t,
        }
    }
}

impl DerefMut for SqliteTx {
    fn deref_mut(&mut self) -> &mut sqlx::SqliteConnection {
        match self {
            Self::Reader(t) => t,
            Self::Writer(t) => t,
        }
    }
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// See [`Db::connect_sqlite`]: 64 GiB, past any database Bridgeway expects.
const SQLITE_MMAP_BYTES: u64 = 64 << 30;

impl Db {
    /// Connects to `url` (`sqlite://path` or `postgres://…`), creating a
    /// SQLite file if it is missing. Its transactions tell time by the system's clock.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url).context("reading the PostgreSQL URL")?;
            Self::connect_postgres(options).await
        } else if url.starts_with("sqlite:") {
            Self::connect_sqlite(url).await
        } else {
            anyhow::bail!("unsupported database URL (expected sqlite://… or postgres://…)")
        }
    }

    fn new(pool: Pool) -> Self {
        let db = Self {
            pool,
            clock: Clock::system(),
            appender: None,
            reads: None,
        };
        match db.pool {
            Pool::Postgres(_) => Self {
                appender: Some(appender::Appender::start(db.clone())),
                ..db
            },
            Pool::Sqlite { .. } => Self {
                reads: Some(reads::Reads::start(db.clone())),
                ..db
            },
        }
    }

    /// The same database, telling time by `clock` (tests fix it).
    pub fn with_clock(self, clock: Clock) -> Self {
        Self { clock, ..self }
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// SQLite's writer's counts of turns and committed batches (none on PostgreSQL).
    pub fn write_counts(&self) -> Option<&writer::Counts> {
        match &self.pool {
            Pool::Sqlite { writer, .. } => Some(writer.counts()),
            Pool::Postgres(_) => None,
        }
    }

    /// The connection pools, for what the store does not cover (tests
    /// creating and dropping their schemas).
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// Connects to PostgreSQL with just-in-time compilation off: it compiles
    /// any statement its planner thinks costly, and a sweep's statement
    /// spent 175 ms compiling to run in 5 (Bridgeway's statements are short;
    /// none gains from it).
    pub async fn connect_postgres(options: PgConnectOptions) -> anyhow::Result<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options.options([("jit", "off")]))
            .await
            .context("connecting to PostgreSQL")?;
        Ok(Self::new(Pool::Postgres(pool)))
    }

    /// How much of the SQLite file every connection reads through a memory
    /// map instead of `pread` (SQLite caps it at `SQLITE_MAX_MMAP_SIZE`, see
    /// `.cargo/config.toml`). Each connection's own page cache is emptied
    /// whenever another connection has written, which under load is every
    /// few milliseconds; through the map, its reads come from the kernel's
    /// page cache without a system call and a copy each. Writes still go
    /// through SQLite's write path.
    async fn connect_sqlite(url: &str) -> anyhow::Result<Self> {
        let options = SqliteConnectOptions::from_str(url)
            .context("reading the SQLite URL")?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .pragma("mmap_size", SQLITE_MMAP_BYTES.to_string());
        let file = options.get_filename().to_owned();
        let reads_of = file.clone();
        let writer = Writer::new(
            SqlitePoolOptions::new()
                .max_connections(1)
                .after_connect(move |conn, _| {
                    let file = reads_of.clone();
                    Box::pin(async move { reads::attach(conn, &file).await })
                })
                .connect_with(options.clone())
                .await
                .with_context(|| format!("opening SQLite database {url}"))?,
        );
        let readers = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options.read_only(true))
            .await
            .with_context(|| format!("opening SQLite database {url} for reading"))?;
        Ok(Self::new(Pool::Sqlite {
            writer,
            readers,
            file,
        }))
    }

    /// Brings the schema up to date, then chains the audit events a crash
    /// left staged.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        match &self.pool {
            Pool::Sqlite { writer, .. } => SQLITE_MIGRATIONS.run(writer.pool()).await,
            Pool::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await,
        }
        .context("running database migrations")?;
        let keyed = name_keys::key_unkeyed(self)
            .await
            .context("keying the names of people stored before names were keyed")?;
        if keyed > 0 {
            tracing::info!(people = keyed, "keyed the names people are found by");
        }
        self.chain_staged_audit()
            .await
            .context("chaining the audit events staged before the last stop")
    }

    /// Chains every audit event staged so far (PostgreSQL's writes', SQLite's
    /// reads'); returns once they are durable on the chain. Whoever reads
    /// the trail and must see every event up to now (an auditor's search,
    /// a verification, a backup) calls this first.
    pub async fn chain_staged_audit(&self) -> Result<(), sqlx::Error> {
        if let Some(appender) = &self.appender {
            appender.append(Vec::new()).await?;
        }
        if let Some(reads) = &self.reads {
            reads.chain(self).await?;
        }
        Ok(())
    }

    fn tx(&self, conn: Conn, access: Access) -> Tx {
        Tx {
            conn,
            access,
            db: self.clone(),
            events: Vec::new(),
            submission: None,
        }
    }

    /// A transaction that may write. On SQLite it is a turn on the one
    /// writer, holding the write lock from its start, so a read-then-write
    /// cannot deadlock; its commit joins a batch (`writer`).
    pub async fn write(&self) -> Result<Tx, sqlx::Error> {
        let conn = match &self.pool {
            Pool::Sqlite { writer, .. } => {
                Conn::Sqlite(SqliteTx::Writer(detached(writer.clone().turn()).await?))
            }
            Pool::Postgres(pool) => {
                let pool = pool.clone();
                Conn::Postgres(begin_detached(async move { pool.begin().await }).await?)
            }
        };
        Ok(self.tx(conn, Access::Write))
    }

    /// A read-only transaction: one consistent snapshot for a page or a list.
    pub async fn read(&self) -> Result<Tx, sqlx::Error> {
        let conn = match &self.pool {
            Pool::Sqlite { readers, .. } => {
                let readers = readers.clone();
                let begin = async move { readers.begin().await };
                Conn::Sqlite(SqliteTx::Reader(begin_detached(begin).await?))
            }
            Pool::Postgres(pool) => {
                let pool = pool.clone();
                let begin = async move { pool.begin_with("BEGIN TRANSACTION READ ONLY").await };
                Conn::Postgres(begin_detached(begin).await?)
            }
        };
        Ok(self.tx(conn, Access::Read))
    }

    /// Stages a SQLite read's audit events in the reads' file, in a write of
    /// their own; returns once durable.
    async fn stage_read_audit(&self, events: &[audit::NewEvent]) -> Result<(), sqlx::Error> {
        let mut tx = self.write().await?;
        audit::stage_read(&mut tx, events).await?;
        tx.finish().await
    }

    /// Appends audit events in a write of their own; returns once durable.
    async fn append_audit(&self, events: &[audit::NewEvent]) -> Result<(), sqlx::Error> {
        let mut tx = self.write().await?;
        audit::append_many(&mut tx, events).await?;
        tx.finish().await
    }

    /// PostgreSQL: chains every staged event committed so far, then
    /// `events`, in as many transactions as the staged events need; returns
    /// once all of them are durable on the chain (`audit::chain_staged`).
    async fn chain_audit(&self, events: &[audit::NewEvent]) -> Result<(), sqlx::Error> {
        let mut events = events;
        loop {
            let mut tx = self.write().await?;
            let more = audit::chain_staged(&mut tx, events).await?;
            tx.finish().await?;
            events = &[];
            if !more {
                return Ok(());
            }
        }
    }

    /// Is the database reachable for reading?
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        let mut tx = self.read().await?;
        let _: i32 = fetch!(&mut tx, fetch_one, sqlx::query_scalar("SELECT 1"))?;
        Ok(())
    }

    /// Can a write begin within `wait`? On SQLite this takes the one writer
    /// for a moment (and rolls back), so it fails while start-up work or a
    /// stuck transaction holds it.
    pub async fn ping_writer(&self, wait: std::time::Duration) -> Result<(), sqlx::Error> {
        let mut tx = tokio::time::timeout(wait, self.write())
            .await
            .map_err(|_| sqlx::Error::PoolTimedOut)??;
        let _: i32 = fetch!(&mut tx, fetch_one, sqlx::query_scalar("SELECT 1"))?;
        Ok(())
    }

    /// Bytes free to Bridgeway on the disk that holds the SQLite database
    /// (`None` on PostgreSQL, whose disk is its server's to watch, or when
    /// the system cannot tell).
    pub fn disk_free_bytes(&self) -> Option<u64> {
        match &self.pool {
            Pool::Sqlite { file, .. } => outage::free_bytes(file),
            Pool::Postgres(_) => None,
        }
    }

    /// Gathers the planner's statistics after a bulk load. PostgreSQL plans
    /// by them, and autovacuum gathers them only some time after a load: until
    /// then it may scan a whole table for one case's rows. (SQLite's plans
    /// here come from its indexes alone and were measured that way.)
    pub async fn analyze(&self) -> Result<(), sqlx::Error> {
        if let Pool::Postgres(pool) = &self.pool {
            sqlx::query("ANALYZE").execute(pool).await?;
        }
        Ok(())
    }

    /// Chains the audit events still staged, then closes the connections.
    pub async fn close(&self) {
        if let Err(e) = self.chain_staged_audit().await {
            tracing::warn!(error = %e, "staged audit events stay staged, for the next start");
        }
        match &self.pool {
            Pool::Sqlite {
                writer, readers, ..
            } => {
                readers.close().await;
                writer.pool().close().await;
            }
            Pool::Postgres(pool) => pool.close().await,
        }
    }
}

/// Opens a transaction on a task of its own.
///
/// A request's future is dropped when its client disconnects. Dropped
/// between sending `BEGIN` and holding the transaction, it would leave the
/// connection inside a transaction, and SQLite's one writer jammed with it.
/// On its own task the opening runs to its end, and if nobody awaits the
/// transaction any more the task rolls it back (and waits for the rollback)
/// before the connection goes back to its pool.
async fn begin_detached<DB: sqlx::Database>(
    begin: impl Future<Output = Result<sqlx::Transaction<'static, DB>, sqlx::Error>> + Send + 'static,
) -> Result<sqlx::Transaction<'static, DB>, sqlx::Error> {
    let (deliver, delivered) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        if let Err(Ok(unwanted)) = deliver.send(begin.await) {
            if let Err(e) = unwanted.rollback().await {
                tracing::warn!(error = %e, "rolling back a transaction nobody awaited");
            }
        }
    });
    delivered
        .await
        .map_err(|e| sqlx::Error::Protocol(format!("opening a transaction: {e}")))?
}

/// Runs `step` on a task of its own and waits for what it returns; if the
/// waiting request is dropped, the step still runs to its end and what it
/// returns is dropped there (a writer's turn: see `writer::Turn`).
async fn detached<T: Send + 'static>(
    step: impl Future<Output = Result<T, sqlx::Error>> + Send + 'static,
) -> Result<T, sqlx::Error> {
    tokio::spawn(step)
        .await
        .map_err(|e| sqlx::Error::Protocol(format!("a database task failed: {e}")))?
}

impl Tx {
    pub fn dialect(&self) -> Dialect {
        match self.conn {
            Conn::Sqlite(_) => Dialect::Sqlite,
            Conn::Postgres(_) => Dialect::Postgres,
        }
    }

    /// The time now, by the database's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.db.clock.now()
    }

    /// The audit chain's head, when SQLite's writer batch already knows it.
    fn known_chain_head(&self) -> Option<String> {
        match &self.conn {
            Conn::Sqlite(SqliteTx::Writer(turn)) => turn.chain_head().map(str::to_owned),
            _ => None,
        }
    }

    /// Tells SQLite's writer batch where the audit chain's head is now.
    fn remember_chain_head(&mut self, hash: &str) {
        if let Conn::Sqlite(SqliteTx::Writer(turn)) = &mut self.conn {
            turn.set_chain_head(hash.to_owned());
        }
    }

    /// Keeps an audit event for the commit (see [`Tx`]).
    pub fn audit(&mut self, event: audit::NewEvent) {
        self.events.push(event);
    }

    /// Makes this write the one that answers `user`'s one-time submission:
    /// its commit claims the key, so a repeat of the request cannot write
    /// again (the first claim wins; see `submissions`). A submission already
    /// claimed by an earlier write of the same request is left as it is.
    pub fn answers(&mut self, user: UserId, submission: &Arc<submissions::Submission>) {
        if self.access == Access::Write && !submission.claimed() {
            self.submission = Some((user, Arc::clone(submission)));
        }
    }

    /// Chains the transaction's audit events onto the trail and commits;
    /// returns once both are durable.
    pub async fn commit(mut self) -> Result<(), sqlx::Error> {
        let submission = self.submission.take();
        if let Some((user, submission)) = &submission {
            submissions::claim(&mut self, *user, submission).await?;
        }
        self.commit_claimed().await?;
        if let Some((_, submission)) = submission {
            submission.set_claimed();
        }
        Ok(())
    }

    async fn commit_claimed(mut self) -> Result<(), sqlx::Error> {
        let events = std::mem::take(&mut self.events);
        match self.access {
            Access::Write => match &self.db.appender {
                Some(appender) => {
                    let appender = appender.clone();
                    audit::stage(&mut self, &events).await?;
                    self.finish().await?;
                    if events.is_empty() {
                        return Ok(());
                    }
                    // On a task of its own: a request dropped here still has
                    // its staged events chained now, not at the next request.
                    detached(async move { appender.append(Vec::new()).await }).await
                }
                None => {
                    audit::append_many(&mut self, &events).await?;
                    self.finish().await
                }
            },
            Access::Read => {
                let db = self.db.clone();
                self.finish().await?;
                if events.is_empty() {
                    return Ok(());
                }
                match (&db.appender, &db.reads) {
                    (Some(appender), _) => appender.append(events).await,
                    // On a task of its own: a request dropped while its
                    // events are staged still wakes their chaining, so
                    // none waits for the next read or the next start.
                    (None, Some(reads)) => {
                        let (db, reads) = (db.clone(), reads.clone());
                        detached(async move {
                            db.stage_read_audit(&events).await?;
                            reads.staged();
                            Ok(())
                        })
                        .await
                    }
                    (None, None) => db.append_audit(&events).await,
                }
            }
        }
    }

    /// Ends the transaction, on a task of its own; a turn on SQLite's writer
    /// waits for its batch.
    async fn finish(self) -> Result<(), sqlx::Error> {
        match self.conn {
            Conn::Sqlite(SqliteTx::Writer(turn)) => {
                writer::durable(detached(turn.release()).await?).await
            }
            // A request dropped while committing still finishes, and leaves
            // the connection free.
            Conn::Sqlite(SqliteTx::Reader(t)) => detached(t.commit()).await,
            Conn::Postgres(t) => detached(t.commit()).await,
        }
    }
}
