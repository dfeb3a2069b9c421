//! SQL helpers every store module shares: agency counters, multi-row
//! inserts, keyset pages and their cursors, and telling a duplicate apart.

use super::{Dialect, Tx};
use crate::domain::casework::cases::CaseStatus;
use crate::store::{exec, fetch};

/// Takes the next value of a named counter; the row lock serializes
/// concurrent writers on PostgreSQL, the write lock does on SQLite.
pub async fn next_counter(tx: &mut Tx, name: &str) -> Result<i64, sqlx::Error> {
    reserve_counter(tx, name, 1).await
}

/// A named counter's value, if it exists.
pub async fn counter(tx: &mut Tx, name: &str) -> Result<Option<i64>, sqlx::Error> {
    fetch!(
        tx,
        fetch_optional,
        sqlx::query_scalar("SELECT value FROM counters WHERE name = $1").bind(name)
    )
}

/// Starts a named counter at `value`.
pub async fn create_counter(tx: &mut Tx, name: &str, value: i64) -> Result<(), sqlx::Error> {
    exec!(
        tx,
        sqlx::query("INSERT INTO counters (name, value) VALUES ($1, $2)")
            .bind(name)
            .bind(value)
    )?;
    Ok(())
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

/// Most bind parameters one multi-row statement carries (SQLite's old
/// default limit; full chunks share one cached statement).
const MAX_PARAMS: usize = 999;

/// How many rows of `columns` values fit in one multi-row INSERT.
pub fn rows_per_insert(columns: usize) -> usize {
    (MAX_PARAMS / columns).max(1)
}

/// `INSERT INTO table (a, b) VALUES ($1, $2), ($3, $4)` for `rows` rows; on
/// SQLite with anonymous `?` parameters, because SQLite finds a numbered
/// parameter's name by a linear search on every bind (the square of the
/// count a statement: a sixth of the demo's generation time).
pub fn insert_sql(dialect: Dialect, table: &str, columns: &[&str], rows: usize) -> String {
    let n = columns.len();
    let values: Vec<String> = (0..rows)
        .map(|r| {
            let params: Vec<String> = (1..=n)
                .map(|c| match dialect {
                    Dialect::Sqlite => "?".to_owned(),
                    Dialect::Postgres => format!("${}", r * n + c),
                })
                .collect();
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

/// `c.status IN ('enrolled', 'active')`: a case status set (defined once, in
/// the domain) as a condition on the cases aliased `case`.
/// Cases one bulk update names at most (within every backend's limit on
/// parameters).
pub const CASES_PER_UPDATE: usize = 900;

/// `UPDATE cases SET {column} = $1` for the `n` cases whose ids follow as
/// `$2`, `$3`…
pub fn update_cases_sql(column: &str, n: usize) -> String {
    let marks: Vec<String> = (2..n + 2).map(|i| format!("${i}")).collect();
    format!(
        "UPDATE cases SET {column} = $1 WHERE id IN ({})",
        marks.join(", ")
    )
}

pub fn status_in(case: &str, set: &[CaseStatus]) -> String {
    let labels: Vec<String> = set.iter().map(|s| format!("'{}'", s.label())).collect();
    format!("{case}.status IN ({})", labels.join(", "))
}

#[cfg(test)]
mod tests {
    #[test]
    fn multi_row_inserts_number_their_parameters() {
        use crate::store::Dialect;
        assert_eq!(
            super::insert_sql(Dialect::Postgres, "t", &["a", "b"], 2),
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)"
        );
        assert_eq!(
            super::insert_sql(Dialect::Sqlite, "t", &["a", "b"], 2),
            "INSERT INTO t (a, b) VALUES (?, ?), (?, ?)"
        );
        assert_eq!(super::rows_per_insert(16), 62);
        assert_eq!(super::rows_per_insert(2000), 1);
    }

    #[test]
    fn status_sets_become_sql_lists() {
        use crate::domain::casework::cases::CaseStatus;
        assert_eq!(
            super::status_in("c", CaseStatus::IN_PROGRAM),
            "c.status IN ('enrolled', 'active', 'suspended')"
        );
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
