//! Loading a new database in bulk (the demo agency): the secondary indexes
//! (and, on PostgreSQL, the foreign keys) are set aside while the rows go in
//! and put back once at the end.
//!
//! An index kept during the load takes every row at a random place of a
//! B-tree that soon outgrows the cache, one page read and written per row;
//! built afterwards, it is one sort of its keys. Unique indexes (and those
//! behind constraints) stay, so the load still refuses a duplicate where the
//! schema does and `ON CONFLICT` still finds its index.
//!
//! PostgreSQL checks a foreign key with a trigger per row inserted, a third
//! of the demo's load at 100,000 participants (65 s, 42 s without); added
//! back, a key checks every row in one pass, and a row that breaks it fails
//! the load there. SQLite's checks are an index lookup each and stay.

use super::{exec, fetch, Db, Dialect};

/// The indexes and foreign keys set aside, with the statements that put
/// them back.
#[derive(Debug)]
#[must_use = "the indexes set aside must be built again with `finish`"]
pub struct Load {
    indexes: Vec<SetAside>,
    foreign_keys: Vec<ForeignKey>,
    /// SQLite's writer's `cache_size` before the load.
    cache_size: Option<i64>,
}

#[derive(Debug, sqlx::FromRow)]
struct SetAside {
    name: String,
    definition: String,
}

/// A PostgreSQL foreign key set aside: its table (as `regclass` prints it,
/// quoted where it must be), its name and its definition.
#[derive(Debug, sqlx::FromRow)]
struct ForeignKey {
    table_name: String,
    name: String,
    definition: String,
}

/// SQLite's page cache for the load, in KiB (the `cache_size` pragma takes
/// a negative count as KiB): the right-hand edges of the tables being
/// appended to stay in memory.
const SQLITE_LOAD_CACHE_KIB: i64 = 256 * 1024;

/// Sets aside the secondary indexes of `db`, which must hold no rows worth
/// keeping an index up to date for (a new database).
pub async fn start(db: &Db) -> Result<Load, sqlx::Error> {
    let mut tx = db.write().await?;
    let indexes: Vec<SetAside> = match tx.dialect() {
        // `sql` is NULL for the indexes behind constraints (and `NOT LIKE`
        // leaves them out).
        Dialect::Sqlite => fetch!(
            tx,
            fetch_all,
            sqlx::query_as(
                "SELECT name, sql AS definition FROM sqlite_master WHERE type = 'index' AND sql \
                 NOT LIKE 'CREATE UNIQUE %' ORDER BY name"
            )
        )?,
        Dialect::Postgres => fetch!(
            tx,
            fetch_all,
            sqlx::query_as(
                "SELECT i.indexname AS name, i.indexdef AS definition FROM pg_indexes i WHERE \
                 i.schemaname = current_schema() AND i.indexdef NOT LIKE 'CREATE UNIQUE %' AND \
                 NOT EXISTS (SELECT 1 FROM pg_constraint c \
                 WHERE c.conname = i.indexname AND c.connamespace = \
                 current_schema()::regnamespace) ORDER BY i.indexname"
            )
        )?,
    };
    for index in &indexes {
        exec!(
            tx,
            sqlx::query(&format!("DROP INDEX {}", quoted(&index.name)))
        )?;
    }
    let foreign_keys: Vec<ForeignKey> = match tx.dialect() {
        Dialect::Sqlite => Vec::new(),
        Dialect::Postgres => fetch!(
            tx,
            fetch_all,
            sqlx::query_as(
                "SELECT c.conrelid::regclass::text AS table_name, c.conname AS name, \
                 pg_get_constraintdef(c.oid) AS definition FROM pg_constraint c WHERE c.contype = \
                 'f' AND c.connamespace = current_schema()::regnamespace ORDER BY c.conname"
            )
        )?,
    };
    for key in &foreign_keys {
        exec!(
            tx,
            sqlx::query(&format!(
                "ALTER TABLE {} DROP CONSTRAINT {}",
                key.table_name,
                quoted(&key.name)
            ))
        )?;
    }
    let cache_size = match tx.dialect() {
        Dialect::Sqlite => {
            let usual = fetch!(tx, fetch_one, sqlx::query_scalar("PRAGMA cache_size"))?;
            exec!(
                tx,
                sqlx::query(&format!("PRAGMA cache_size = -{SQLITE_LOAD_CACHE_KIB}"))
            )?;
            Some(usual)
        }
        Dialect::Postgres => None,
    };
    tx.commit().await?;
    Ok(Load {
        indexes,
        foreign_keys,
        cache_size,
    })
}

impl Load {
    /// Builds the indexes set aside again and adds back the foreign keys
    /// (each checking every row), keeping the load's cache for the work that
    /// follows (it reads through them).
    pub async fn build_indexes(&mut self, db: &Db) -> Result<(), sqlx::Error> {
        let mut tx = db.write().await?;
        for index in &self.indexes {
            exec!(tx, sqlx::query(&index.definition))?;
        }
        for key in &self.foreign_keys {
            exec!(
                tx,
                sqlx::query(&format!(
                    "ALTER TABLE {} ADD CONSTRAINT {} {}",
                    key.table_name,
                    quoted(&key.name),
                    key.definition
                ))
            )?;
        }
        tx.commit().await?;
        self.indexes.clear();
        self.foreign_keys.clear();
        Ok(())
    }

    /// Builds whatever indexes are still set aside and gives SQLite's writer
    /// back its usual cache.
    pub async fn finish(mut self, db: &Db) -> Result<(), sqlx::Error> {
        self.build_indexes(db).await?;
        if let Some(usual) = self.cache_size {
            let mut tx = db.write().await?;
            exec!(tx, sqlx::query(&format!("PRAGMA cache_size = {usual}")))?;
            tx.commit().await?;
        }
        Ok(())
    }
}

/// An identifier as SQL quotes it on both backends.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
