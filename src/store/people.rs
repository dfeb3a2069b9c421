//! Participants, their aliases and identifiers.

use crate::domain::ids::{PersonId, RowId};
use crate::domain::people::{
    rank_by_name, soundex, Identifier, IdentifierKind, Language, NameField, NameTerm, PersonName,
};
use crate::keyring::KeyRing;
use crate::store::name_keys::{self, bind_narrowing, Narrowing};
use crate::store::sealed::IDENTIFIER_VALUE;
use crate::store::{exec, fetch};
use crate::store::{sql::cursor, Tx};
use chrono::{DateTime, NaiveDate, Utc};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PersonRow {
    pub id: PersonId,
    pub person_number: String,
    pub first_name: String,
    pub middle_name: Option<String>,
    pub last_name: String,
    pub date_of_birth: NaiveDate,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub preferred_language: Language,
    pub may_text: bool,
    pub may_email: bool,
    pub race: Option<String>,
    pub ethnicity: Option<String>,
    pub sex: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl PersonRow {
    pub fn name(&self) -> PersonName {
        PersonName {
            first: self.first_name.clone(),
            middle: self.middle_name.clone(),
            last: self.last_name.clone(),
        }
    }
}

const PERSON_COLUMNS: &str = "id, person_number, first_name, middle_name, last_name, \
                              date_of_birth, phone, email, address, preferred_language, may_text, \
                              may_email, race, ethnicity, sex, created_at, updated_at, version";

/// The editable part of a person.
#[derive(Debug, Clone)]
pub struct PersonFields {
    pub name: PersonName,
    pub date_of_birth: NaiveDate,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub preferred_language: Language,
    pub may_text: bool,
    pub may_email: bool,
    pub race: Option<String>,
    pub ethnicity: Option<String>,
    pub sex: Option<String>,
}

/// Next agency person number, e.g. `P-0000042`.
pub async fn next_person_number(tx: &mut Tx) -> Result<String, sqlx::Error> {
    Ok(person_number(
        crate::store::sql::next_counter(tx, "person").await?,
    ))
}

pub fn person_number(n: i64) -> String {
    format!("P-{n:07}")
}

/// A person to store.
pub struct NewPerson<'a> {
    pub id: PersonId,
    pub number: String,
    pub fields: &'a PersonFields,
}

const PERSON_INSERT: &[&str] = &[
    "id",
    "person_number",
    "first_name",
    "middle_name",
    "last_name",
    "date_of_birth",
    "phone",
    "email",
    "address",
    "preferred_language",
    "may_text",
    "may_email",
    "race",
    "ethnicity",
    "sex",
    "created_at",
    "updated_at",
];

pub async fn insert(
    tx: &mut Tx,
    id: PersonId,
    number: &str,
    f: &PersonFields,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    insert_many(
        tx,
        &[NewPerson {
            id,
            number: number.to_owned(),
            fields: f,
        }],
        now,
    )
    .await
}

/// Stores many people with few statements.
pub async fn insert_many(
    tx: &mut Tx,
    people: &[NewPerson<'_>],
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    for chunk in people.chunks(crate::store::sql::rows_per_insert(PERSON_INSERT.len())) {
        let sql = crate::store::sql::insert_sql(tx.dialect(), "people", PERSON_INSERT, chunk.len());
        exec!(
            tx,
            chunk.iter().fold(sqlx::query(&sql), |q, p| {
                let f = p.fields;
                q.bind(p.id)
                    .bind(&p.number)
                    .bind(&f.name.first)
                    .bind(&f.name.middle)
                    .bind(&f.name.last)
                    .bind(f.date_of_birth)
                    .bind(&f.phone)
                    .bind(&f.email)
                    .bind(&f.address)
                    .bind(f.preferred_language)
                    .bind(f.may_text)
                    .bind(f.may_email)
                    .bind(&f.race)
                    .bind(&f.ethnicity)
                    .bind(&f.sex)
                    .bind(now)
                    .bind(now)
            })
        )?;
    }
    let names: Vec<(PersonId, &PersonName)> =
        people.iter().map(|p| (p.id, &p.fields.name)).collect();
    name_keys::add(tx, &names).await
}

/// Updates a person if `version` is current; returns false when it is stale.
pub async fn update(
    tx: &mut Tx,
    id: PersonId,
    version: i64,
    f: &PersonFields,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let n = exec!(
        tx,
        sqlx::query(
            "UPDATE people SET first_name = $1, middle_name = $2, last_name = $3, date_of_birth = \
             $4, phone = $5, email = $6, address = $7, preferred_language = $8, may_text = $9, \
             may_email = $10, race = $11, ethnicity = $12, sex = $13, updated_at = $14, version = \
             version + 1 WHERE id = $15 AND version = $16"
        )
        .bind(&f.name.first)
        .bind(&f.name.middle)
        .bind(&f.name.last)
        .bind(f.date_of_birth)
        .bind(&f.phone)
        .bind(&f.email)
        .bind(&f.address)
        .bind(f.preferred_language)
        .bind(f.may_text)
        .bind(f.may_email)
        .bind(&f.race)
        .bind(&f.ethnicity)
        .bind(&f.sex)
        .bind(now)
        .bind(id)
        .bind(version)
    )?;
    if n == 1 {
        let mut names = vec![f.name.clone()];
        names.extend(aliases(tx, id).await?);
        name_keys::replace(tx, id, &names).await?;
    }
    Ok(n == 1)
}

pub async fn insert_alias(
    tx: &mut Tx,
    person: PersonId,
    name: &PersonName,
) -> Result<(), sqlx::Error> {
    insert_aliases(tx, &[(person, name)]).await
}

const ALIAS_INSERT: &[&str] = &["id", "person_id", "first_name", "middle_name", "last_name"];

pub async fn insert_aliases(
    tx: &mut Tx,
    rows: &[(PersonId, &PersonName)],
) -> Result<(), sqlx::Error> {
    for chunk in rows.chunks(crate::store::sql::rows_per_insert(ALIAS_INSERT.len())) {
        let sql = crate::store::sql::insert_sql(
            tx.dialect(),
            "person_aliases",
            ALIAS_INSERT,
            chunk.len(),
        );
        exec!(
            tx,
            chunk.iter().fold(sqlx::query(&sql), |q, (person, name)| {
                q.bind(RowId::new())
                    .bind(*person)
                    .bind(&name.first)
                    .bind(&name.middle)
                    .bind(&name.last)
            })
        )?;
    }
    name_keys::add(tx, rows).await
}

pub async fn insert_identifier(
    tx: &mut Tx,
    keys: &KeyRing,
    person: PersonId,
    id: &Identifier,
) -> Result<(), sqlx::Error> {
    insert_identifiers(tx, keys, &[(person, id)]).await
}

const IDENTIFIER_INSERT: &[&str] = &["id", "person_id", "kind", "value", "value_index"];

/// Stores identifiers sealed, each with its blind index.
pub async fn insert_identifiers(
    tx: &mut Tx,
    keys: &KeyRing,
    rows: &[(PersonId, &Identifier)],
) -> Result<(), sqlx::Error> {
    for chunk in rows.chunks(crate::store::sql::rows_per_insert(IDENTIFIER_INSERT.len())) {
        let sql = crate::store::sql::insert_sql(
            tx.dialect(),
            "person_identifiers",
            IDENTIFIER_INSERT,
            chunk.len(),
        );
        exec!(
            tx,
            chunk.iter().fold(sqlx::query(&sql), |q, (person, id)| {
                let row = RowId::new();
                q.bind(row)
                    .bind(*person)
                    .bind(id.kind)
                    .bind(IDENTIFIER_VALUE.seal(keys, row, &id.value))
                    .bind(keys.blind_index(&id.value))
            })
        )?;
    }
    Ok(())
}

pub async fn get(tx: &mut Tx, id: PersonId) -> Result<Option<PersonRow>, sqlx::Error> {
    let sql = format!("SELECT {PERSON_COLUMNS} FROM people WHERE id = $1");
    fetch!(tx, fetch_optional, sqlx::query_as(&sql).bind(id))
}

pub async fn by_number(tx: &mut Tx, number: &str) -> Result<Option<PersonId>, sqlx::Error> {
    fetch!(
        tx,
        fetch_optional,
        sqlx::query_scalar("SELECT id FROM people WHERE person_number = $1").bind(number)
    )
}

#[derive(sqlx::FromRow)]
struct AliasRow {
    first_name: String,
    middle_name: Option<String>,
    last_name: String,
}

pub async fn aliases(tx: &mut Tx, person: PersonId) -> Result<Vec<PersonName>, sqlx::Error> {
    let rows: Vec<AliasRow> = fetch!(
        tx,
        fetch_all,
        sqlx::query_as(
            "SELECT first_name, middle_name, last_name FROM person_aliases WHERE person_id = $1 \
             ORDER BY last_name, first_name, id"
        )
        .bind(person)
    )?;
    Ok(rows
        .into_iter()
        .map(|r| PersonName {
            first: r.first_name,
            middle: r.middle_name,
            last: r.last_name,
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct IdentifierRow {
    id: RowId,
    kind: IdentifierKind,
    value: String,
}

/// A person's identifiers, opened, in kind and value order.
pub async fn identifiers(
    tx: &mut Tx,
    keys: &KeyRing,
    person: PersonId,
) -> Result<Vec<Identifier>, sqlx::Error> {
    let rows: Vec<IdentifierRow> = fetch!(
        tx,
        fetch_all,
        sqlx::query_as("SELECT id, kind, value FROM person_identifiers WHERE person_id = $1")
            .bind(person)
    )?;
    let mut ids = rows
        .into_iter()
        .map(|r| {
            Ok(Identifier {
                kind: r.kind,
                value: IDENTIFIER_VALUE.open(keys, r.id, &r.value)?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    ids.sort_by(|a, b| (a.kind.label(), &a.value).cmp(&(b.kind.label(), &b.value)));
    Ok(ids)
}

/// Which person, if any, already holds this unique identifier.
pub async fn holder_of(
    tx: &mut Tx,
    keys: &KeyRing,
    id: &Identifier,
) -> Result<Option<PersonId>, sqlx::Error> {
    fetch!(
        tx,
        fetch_optional,
        sqlx::query_scalar(
            "SELECT person_id FROM person_identifiers WHERE kind = $1 AND value_index = $2 LIMIT 1"
        )
        .bind(id.kind)
        .bind(keys.blind_index(&id.value))
    )
}

/// People born on `dob` or holding one of `values`: candidates for the duplicate check.
pub async fn duplicate_candidates(
    tx: &mut Tx,
    keys: &KeyRing,
    dob: NaiveDate,
    values: &[String],
) -> Result<Vec<PersonId>, sqlx::Error> {
    let mut ids: Vec<PersonId> = fetch!(
        tx,
        fetch_all,
        sqlx::query_scalar("SELECT id FROM people WHERE date_of_birth = $1 LIMIT 200").bind(dob)
    )?;
    for v in values {
        let holders: Vec<PersonId> = fetch!(
            tx,
            fetch_all,
            sqlx::query_scalar(
                "SELECT DISTINCT person_id FROM person_identifiers WHERE value_index = $1"
            )
            .bind(keys.blind_index(v))
        )?;
        ids.extend(holders);
    }
    ids.sort();
    ids.dedup();
    Ok(ids)
}

/// A page of people whose name starts with `name_prefix` (any order of words
/// is not attempted: the search service decides what to ask), keyset-paged.
pub async fn list(
    tx: &mut Tx,
    name_prefix: Option<&str>,
    after: Option<&str>,
    limit: i64,
) -> Result<(Vec<PersonRow>, Option<String>), sqlx::Error> {
    let after = after.and_then(|c| cursor::decode(c, 3));
    let prefix = name_prefix.map(|p| format!("{}%", escape_like(&p.to_lowercase())));
    let sql = format!(
        "SELECT {PERSON_COLUMNS} FROM people WHERE ($1 IS NULL OR lower(last_name) LIKE $1 ESCAPE \
         '\\') AND ($2 IS NULL OR (lower(last_name), lower(first_name), id) > ($2, $3, $4)) ORDER \
         BY lower(last_name), lower(first_name), id LIMIT $5"
    );
    let (k1, k2, k3) = match after.as_deref() {
        Some([last, first, id]) => (Some(last.clone()), Some(first.clone()), Some(id.clone())),
        _ => (None, None, None),
    };
    let k3 = k3.and_then(|s| s.parse::<PersonId>().ok());
    let rows: Vec<PersonRow> = fetch!(
        tx,
        fetch_all,
        sqlx::query_as(&sql)
            .bind(prefix)
            .bind(k1)
            .bind(k2)
            .bind(k3)
            .bind(limit + 1)
    )?;
    Ok(crate::store::sql::page(rows, limit, |p| {
        cursor::encode(&[
            &p.last_name.to_lowercase(),
            &p.first_name.to_lowercase(),
            &p.id.to_string(),
        ])
    }))
}

/// Escapes `%`, `_` and `\` for a LIKE pattern with `ESCAPE '\'`.
pub fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SearchHit {
    pub id: PersonId,
    pub person_number: String,
    pub first_name: String,
    pub last_name: String,
    pub date_of_birth: NaiveDate,
}

/// People matching a search, best first: every name term (begun, or a
/// typo or two away; accents and case aside), a number matched exactly
/// (person number, identifier, docket or case number) and a date of birth.
pub async fn search(
    tx: &mut Tx,
    keys: &KeyRing,
    q: &SearchQuery,
    limit: i64,
) -> Result<Vec<SearchHit>, sqlx::Error> {
    let exact = q.exact.as_deref().map(str::to_uppercase);
    let narrowing = Narrowing {
        exact_index: exact.as_deref().map(|e| keys.blind_index(e)),
        exact,
        birth: q.date_of_birth,
    };
    // Each person found, with how far their name is from what was typed.
    let ranked: Vec<(PersonId, usize)> = match lead_term(&q.names) {
        Some(lead) => {
            let found =
                name_keys::candidates(tx, &lead.word, &soundex(&lead.word), &narrowing).await?;
            let keys: Vec<(PersonId, NameField, &str)> = found
                .iter()
                .map(|k| (k.person_id, k.part, k.key.as_str()))
                .collect();
            let mut ranked = rank_by_name(&q.names, &keys);
            ranked.truncate(usize::try_from(limit).unwrap_or(0));
            ranked
        }
        None if narrowing.is_empty() => return Ok(Vec::new()),
        None => {
            let sql = format!(
                "SELECT p.id FROM people p WHERE {} ORDER BY lower(p.last_name), \
                 lower(p.first_name), p.id LIMIT $1",
                narrowing.sql(2)
            );
            let ids: Vec<PersonId> = fetch!(
                tx,
                fetch_all,
                bind_narrowing!(sqlx::query_scalar(&sql).bind(limit), narrowing)
            )?;
            ids.into_iter().map(|id| (id, 0)).collect()
        }
    };
    let ids: Vec<PersonId> = ranked.iter().map(|(id, _)| *id).collect();
    let mut hits = hits(tx, &ids).await?;
    // The nearest first; among equals, by name.
    hits.sort_by_cached_key(|h| {
        let distance = ranked.iter().find(|(id, _)| *id == h.id).map(|(_, d)| *d);
        (
            distance,
            h.last_name.to_lowercase(),
            h.first_name.to_lowercase(),
        )
    });
    Ok(hits)
}

/// The term a name search gathers its candidates by: the family name's
/// if one is given (fewer people share it), else the first.
fn lead_term(terms: &[NameTerm]) -> Option<&NameTerm> {
    terms
        .iter()
        .find(|t| t.part == Some(NameField::Last))
        .or_else(|| terms.first())
}

/// The people named, in no order.
async fn hits(tx: &mut Tx, ids: &[PersonId]) -> Result<Vec<SearchHit>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (1..=ids.len()).map(|n| format!("${n}")).collect();
    let sql = format!(
        "SELECT id, person_number, first_name, last_name, date_of_birth FROM people WHERE id IN \
         ({})",
        marks.join(", ")
    );
    fetch!(
        tx,
        fetch_all,
        ids.iter().fold(sqlx::query_as(&sql), |q, id| q.bind(*id))
    )
}

/// A parsed search: each part narrows the result.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchQuery {
    /// Words of names, each to be matched.
    pub names: Vec<NameTerm>,
    /// A person number, identifier, docket or case number, matched exactly.
    pub exact: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
}

/// Records the participant's consent to texts (STOP / START from their phone).
pub async fn set_may_text(
    tx: &mut Tx,
    person: PersonId,
    may_text: bool,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    exec!(
        tx,
        sqlx::query(
            "UPDATE people SET may_text = $1, texts_stopped_at = $2, updated_at = $3, version = \
             version + 1 WHERE id = $4"
        )
        .bind(may_text)
        .bind((!may_text).then_some(at))
        .bind(at)
        .bind(person)
    )?;
    Ok(())
}

/// When the participant last replied STOP, unless they replied START since.
pub async fn texts_stopped_at(
    tx: &mut Tx,
    person: PersonId,
) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    fetch!(
        tx,
        fetch_one,
        sqlx::query_scalar("SELECT texts_stopped_at FROM people WHERE id = $1").bind(person)
    )
}
