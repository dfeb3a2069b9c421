//! The keys people are found by (`domain::people::name_keys`): written with
//! every name and alias, replaced when a name changes, filled once for
//! people stored before keys were kept, and read back as a search's
//! candidates.

use crate::domain::ids::PersonId;
use crate::domain::people::{name_keys, NameField, NameKey, PersonName};
use crate::store::people::escape_like;
use crate::store::{exec, fetch, Db, Dialect, Tx};

const COLUMNS: &[&str] = &["person_id", "part", "key", "sound"];

/// Stores the keys of `names`, each the name of the person it is paired
/// with. A name without a letter ("." for a missing first name, say) leaves
/// an empty key that no search matches, so that its person is keyed and
/// never taken again for one stored before keys were kept.
pub async fn add(tx: &mut Tx, names: &[(PersonId, &PersonName)]) -> Result<(), sqlx::Error> {
    let rows: Vec<_> = names
        .iter()
        .flat_map(|(person, name)| {
            let mut keys = name_keys(name);
            if keys.is_empty() {
                keys.push(NameKey {
                    part: NameField::Last,
                    key: String::new(),
                    sound: String::new(),
                });
            }
            keys.into_iter().map(move |k| (*person, k))
        })
        .collect();
    for chunk in rows.chunks(crate::store::sql::rows_per_insert(COLUMNS.len())) {
        let sql = crate::store::sql::insert_sql(tx.dialect(), "name_keys", COLUMNS, chunk.len());
        exec!(
            tx,
            chunk.iter().fold(sqlx::query(&sql), |q, (person, k)| {
                q.bind(*person).bind(k.part).bind(&k.key).bind(&k.sound)
            })
        )?;
    }
    Ok(())
}

/// Replaces a person's keys with those of `names` (their name and aliases).
pub async fn replace(
    tx: &mut Tx,
    person: PersonId,
    names: &[PersonName],
) -> Result<(), sqlx::Error> {
    exec!(
        tx,
        sqlx::query("DELETE FROM name_keys WHERE person_id = $1").bind(person)
    )?;
    let paired: Vec<(PersonId, &PersonName)> = names.iter().map(|n| (person, n)).collect();
    add(tx, &paired).await
}

#[derive(sqlx::FromRow)]
struct StoredName {
    person_id: PersonId,
    first_name: String,
    last_name: String,
}

/// People stored per pass of [`key_unkeyed`].
const PASS: i64 = 2_000;

/// Keys the names of people stored before keys were kept, a pass at a time;
/// returns how many people it keyed. Once all are keyed, this is one pass
/// over the people through the index on `name_keys.person_id` at start.
pub async fn key_unkeyed(db: &Db) -> Result<u64, sqlx::Error> {
    let mut keyed = 0;
    loop {
        let mut tx = db.write().await?;
        let people: Vec<StoredName> = fetch!(
            tx,
            fetch_all,
            sqlx::query_as(
                "SELECT id AS person_id, first_name, last_name FROM people p WHERE NOT EXISTS \
                 (SELECT 1 FROM name_keys k WHERE k.person_id = p.id) LIMIT $1"
            )
            .bind(PASS)
        )?;
        if people.is_empty() {
            return Ok(keyed);
        }
        let aliases: Vec<StoredName> = fetch!(
            &mut tx,
            fetch_all,
            sqlx::query_as(&format!(
                "SELECT a.person_id, a.first_name, a.last_name FROM person_aliases a WHERE NOT \
                 EXISTS (SELECT 1 FROM name_keys k WHERE k.person_id = a.person_id) LIMIT {}",
                PASS * 4
            ))
        )?;
        let names: Vec<(PersonId, PersonName)> = people
            .iter()
            .chain(
                aliases
                    .iter()
                    .filter(|a| people.iter().any(|p| p.person_id == a.person_id)),
            )
            .map(|n| {
                let name = PersonName {
                    first: n.first_name.clone(),
                    middle: None,
                    last: n.last_name.clone(),
                };
                (n.person_id, name)
            })
            .collect();
        let paired: Vec<(PersonId, &PersonName)> = names.iter().map(|(p, n)| (*p, n)).collect();
        add(&mut tx, &paired).await?;
        tx.commit().await?;
        keyed += people.len() as u64;
    }
}

/// A key of a candidate's name.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CandidateKey {
    pub person_id: PersonId,
    pub part: NameField,
    pub key: String,
}

/// Most people a name search weighs: a common name ("Garcia" at 100,000
/// participants) has more, and reading every one's keys cost 20 ms; a
/// search that finds this many is refined by a first name or a date.
const MOST_CANDIDATES: i64 = 1_000;

/// What narrows a search besides names: a number matched exactly (a person
/// number, an identifier through its blind index, a docket or case number)
/// and a date of birth.
#[derive(Debug, Clone, Default)]
pub struct Narrowing {
    /// Upper-cased.
    pub exact: Option<String>,
    pub exact_index: Option<String>,
    pub birth: Option<chrono::NaiveDate>,
}

impl Narrowing {
    pub fn is_empty(&self) -> bool {
        self.exact.is_none() && self.birth.is_none()
    }

    /// The condition on `people p` naming only the parts given, so that an
    /// index drives it (`$n IS NULL OR …` would scan every person); its
    /// values are numbered from `$n` and bound by [`bind_narrowing`].
    pub fn sql(&self, n: usize) -> String {
        let mut n = n;
        let mut next = || {
            n += 1;
            n - 1
        };
        let mut parts = Vec::new();
        if self.exact.is_some() {
            let (exact, index) = (next(), next());
            parts.push(format!(
                "p.id IN (SELECT id FROM people WHERE person_number = ${exact} UNION SELECT \
                 person_id FROM person_identifiers WHERE value_index = ${index} UNION SELECT \
                 person_id FROM cases WHERE docket_number = ${exact} OR case_number = ${exact})"
            ));
        }
        if self.birth.is_some() {
            parts.push(format!("p.date_of_birth = ${}", next()));
        }
        if parts.is_empty() {
            "TRUE".to_owned()
        } else {
            parts.join(" AND ")
        }
    }
}

/// Binds the values of [`Narrowing::sql`] in its order.
macro_rules! bind_narrowing {
    ($q:expr, $narrowing:expr) => {{
        let q = $q;
        let q = match &$narrowing.exact {
            Some(exact) => q.bind(exact.clone()).bind($narrowing.exact_index.clone()),
            None => q,
        };
        match $narrowing.birth {
            Some(birth) => q.bind(birth),
            None => q,
        }
    }};
}
pub(crate) use bind_narrowing;

/// Every key of the people, among those `narrowing` allows, with a key
/// that begins with the folded word `term` or sounds like it (`sound`).
pub async fn candidates(
    tx: &mut Tx,
    term: &str,
    sound: &str,
    narrowing: &Narrowing,
) -> Result<Vec<CandidateKey>, sqlx::Error> {
    // A prefix matched through the index: SQLite compares a range ($2 its
    // end), PostgreSQL a LIKE ($2 the pattern) on a text_pattern_ops index.
    let end = match tx.dialect() {
        Dialect::Sqlite => "key < $2",
        Dialect::Postgres => "key LIKE $2 ESCAPE '\\'",
    };
    let second = match tx.dialect() {
        Dialect::Sqlite => format!("{term}\u{10FFFF}"),
        Dialect::Postgres => format!("{}%", escape_like(term)),
    };
    let sql = format!(
        "SELECT person_id, part, key FROM name_keys WHERE person_id IN (SELECT m.person_id FROM \
         (SELECT person_id FROM name_keys WHERE key >= $1 AND {end} UNION SELECT person_id FROM \
         name_keys WHERE sound = $3) m JOIN people p ON p.id = m.person_id WHERE {} LIMIT $4)",
        narrowing.sql(5)
    );
    fetch!(
        tx,
        fetch_all,
        bind_narrowing!(
            sqlx::query_as(&sql)
                .bind(term)
                .bind(second)
                .bind(sound)
                .bind(MOST_CANDIDATES),
            narrowing
        )
    )
}
