//! Storage: one set of queries over SQLite (embedded default) or PostgreSQL.
//!
//! Queries are written once with `$1` placeholders and run on either backend
//! through [`Tx`]; the few places where the dialects differ ask
//! [`Tx::dialect`]. Every use case runs in one transaction.

pub mod access;
pub mod audit;
pub mod casework;
mod codec;
pub mod outreach;
pub mod people;
pub mod programs;
pub mod sealed;

use anyhow::Context;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool};
use std::str::FromStr;
use std::time::Duration;

/// Runs `$body` with `$c` bound to the transaction's connection, whichever backend it is.
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, |$c:ident| $body:expr) => {
        match $tx {
            $crate::store::Tx::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::store::Tx::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}

/// Executes a statement and returns the number of rows it touched.
#[macro_export]
macro_rules! exec {
    ($tx:expr, $q:expr) => {
        $crate::on_tx!($tx, |c| $q.execute(c).await.map(|r| r.rows_affected()))
    };
}

/// Runs a `query_as` / `query_scalar` with `fetch_one`, `fetch_optional` or `fetch_all`.
#[macro_export]
macro_rules! fetch {
    ($tx:expr, $method:ident, $q:expr) => {
        $crate::on_tx!($tx, |c| $q.$method(c).await)
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// A handle on the database, cheap to clone.
#[derive(Clone, Debug)]
pub enum Db {
    /// SQLite keeps one writer connection (writes queue instead of failing
    /// with "database is locked") and a pool of readers.
    Sqlite {
        writer: SqlitePool,
        readers: SqlitePool,
    },
    Postgres(PgPool),
}

/// One transaction on either backend. Dropped without commit, it rolls back.
pub enum Tx {
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    Postgres(sqlx::Transaction<'static, Postgres>),
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

impl Db {
    /// Connects to `url` (`sqlite://path` or `postgres://…`), creating a
    /// SQLite file if it is missing.
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

    pub async fn connect_postgres(options: PgConnectOptions) -> anyhow::Result<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .context("connecting to PostgreSQL")?;
        Ok(Self::Postgres(pool))
    }

    async fn connect_sqlite(url: &str) -> anyhow::Result<Self> {
        let options = SqliteConnectOptions::from_str(url)
            .context("reading the SQLite URL")?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await
            .with_context(|| format!("opening SQLite database {url}"))?;
        let readers = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options.read_only(true))
            .await
            .with_context(|| format!("opening SQLite database {url} for reading"))?;
        Ok(Self::Sqlite { writer, readers })
    }

    pub async fn migrate(&self) -> anyhow::Result<()> {
        match self {
            Self::Sqlite { writer, .. } => SQLITE_MIGRATIONS.run(writer).await,
            Self::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await,
        }
        .context("running database migrations")
    }

    /// A transaction that may write. On SQLite it takes the write lock at
    /// once (`BEGIN IMMEDIATE`), so a read-then-write cannot deadlock.
    pub async fn write(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Self::Sqlite { writer, .. } => Tx::Sqlite(writer.begin_with("BEGIN IMMEDIATE").await?),
            Self::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// A read-only transaction: one consistent snapshot for a page or a list.
    pub async fn read(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Self::Sqlite { readers, .. } => Tx::Sqlite(readers.begin().await?),
            Self::Postgres(pool) => {
                Tx::Postgres(pool.begin_with("BEGIN TRANSACTION READ ONLY").await?)
            }
        })
    }

    /// Is the database reachable?
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        let mut tx = self.read().await?;
        let _: i32 = fetch!(&mut tx, fetch_one, sqlx::query_scalar("SELECT 1"))?;
        Ok(())
    }

    /// Gathers the planner's statistics after a bulk load. PostgreSQL plans
    /// by them, and autovacuum gathers them only some time after a load: until
    /// then it may scan a whole table for one case's rows. (SQLite's plans
    /// here come from its indexes alone and were measured that way.)
    pub async fn analyze(&self) -> Result<(), sqlx::Error> {
        if let Self::Postgres(pool) = self {
            sqlx::query("ANALYZE").execute(pool).await?;
        }
        Ok(())
    }

    pub async fn close(&self) {
        match self {
            Self::Sqlite { writer, readers } => {
                readers.close().await;
                writer.close().await;
            }
            Self::Postgres(pool) => pool.close().await,
        }
    }
}

impl Tx {
    pub fn dialect(&self) -> Dialect {
        match self {
            Self::Sqlite(_) => Dialect::Sqlite,
            Self::Postgres(_) => Dialect::Postgres,
        }
    }

    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Self::Sqlite(t) => t.commit().await,
            Self::Postgres(t) => t.commit().await,
        }
    }
}

/// Takes the next value of a named counter; the row lock serializes
/// concurrent writers on PostgreSQL, the write lock does on SQLite.
pub async fn next_counter(tx: &mut Tx, name: &str) -> Result<i64, sqlx::Error> {
    reserve_counter(tx, name, 1).await
}

/// Reserves `n` consecutive values of a named counter and returns the first.
pub async fn reserve_counter(tx: &mut Tx, name: &str, n: i64) -> Result<i64, sqlx::Error> {
    let last: i64 = fetch!(
        tx,
        fetch_one,
        sqlx::query_scalar(
            "UPDATE counters SET value = value + $1 WHERE name = $2 RETURNING value"
        )
        .bind(n)
        .bind(name)
    )?;
    Ok(last - n + 1)
}

/// Most bind parameters one multi-row statement carries. SQLite allows
/// 32,766, but it resolves `$n` names by a linear search while preparing, so
/// the cost of preparing grows with the square of the count: a thousand keeps
/// preparation near a millisecond (and full chunks share one cached statement).
const MAX_PARAMS: usize = 999;

/// How many rows of `columns` values fit in one multi-row INSERT.
pub fn rows_per_insert(columns: usize) -> usize {
    (MAX_PARAMS / columns).max(1)
}

/// `INSERT INTO table (a, b) VALUES ($1, $2), ($3, $4)` for `rows` rows.
pub fn insert_sql(table: &str, columns: &[&str], rows: usize) -> String {
    let n = columns.len();
    let values: Vec<String> = (0..rows)
        .map(|r| {
            let params: Vec<String> = (1..=n).map(|c| format!("${}", r * n + c)).collect();
            format!("({})", params.join(", "))
        })
        .collect();
    format!(
        "INSERT INTO {table} ({}) VALUES {}",
        columns.join(", "),
        values.join(", ")
    )
}

/// Splits off the extra row fetched to learn whether another page exists.
pub fn page<T>(
    mut rows: Vec<T>,
    limit: i64,
    key: impl Fn(&T) -> String,
) -> (Vec<T>, Option<String>) {
    let limit = usize::try_from(limit).unwrap_or(0);
    if rows.len() > limit {
        rows.truncate(limit);
        let next = rows.last().map(key);
        (rows, next)
    } else {
        (rows, None)
    }
}

/// Is this a violation of a unique constraint (a duplicate value)?
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(e) if e.is_unique_violation())
}

#[cfg(test)]
mod tests {
    #[test]
    fn multi_row_inserts_number_their_parameters() {
        assert_eq!(
            super::insert_sql("t", &["a", "b"], 2),
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)"
        );
        assert_eq!(super::rows_per_insert(16), 62);
        assert_eq!(super::rows_per_insert(2000), 1);
    }
}

/// An opaque keyset cursor for list endpoints: the sort key and id of the last row shown.
pub mod cursor {
    const SEP: char = '\u{1f}';

    pub fn encode(parts: &[&str]) -> String {
        hex::encode(parts.join(&SEP.to_string()))
    }

    pub fn decode(cursor: &str, parts: usize) -> Option<Vec<String>> {
        let bytes = hex::decode(cursor).ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let out: Vec<String> = text.split(SEP).map(str::to_owned).collect();
        (out.len() == parts).then_some(out)
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn round_trip_and_garbage() {
            let c = super::encode(&["smith, ann", "42"]);
            assert_eq!(super::decode(&c, 2).unwrap(), ["smith, ann", "42"]);
            assert!(super::decode(&c, 3).is_none());
            assert!(super::decode("zz", 2).is_none());
        }
    }
}
