//! Case notes and addenda, stored sealed, and their search index.
//!
//! Sealed text cannot be indexed, so each word's stem is indexed as a keyed
//! digest instead (a "blinded term": the key ring's index key, spelled in
//! the letters a–p so both databases' tokenizers keep it whole). A search
//! blinds its words the same way and runs on the database's own full-text
//! index (FTS5 on SQLite, a GIN-indexed tsvector on PostgreSQL), ranked by
//! bm25 / ts_rank. The database learns which notes share a word, not the word.

use crate::domain::casework::notes::{NoteKind, TextCheck};
use crate::domain::ids::{AddendumId, AuditId, CaseId, ContactId, NoteId, PersonId, UserId};
use crate::keyring::KeyRing;
use crate::store::casework::cases::Scope;
use crate::store::sealed::{ADDENDUM_TEXT, NOTE_TEXT};
use crate::store::{exec, fetch};
use crate::store::{Dialect, Tx};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// A note as shown.
#[derive(Debug, Clone)]
pub struct NoteRow {
    pub id: NoteId,
    pub case_id: CaseId,
    pub contact_id: Option<ContactId>,
    pub kind: NoteKind,
    pub text: String,
    pub author_id: UserId,
    pub author: String,
    pub written_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// `None` while the note is a draft (seen by its author only).
    pub signed_at: Option<DateTime<Utc>>,
    /// How many of its signed writings (it, its addenda) name risk-lexicon words.
    pub flags: i64,
    pub version: i64,
    /// Whether the text is the text that was signed.
    pub text_check: TextCheck,
}

#[derive(sqlx::FromRow)]
struct StoredNote {
    id: NoteId,
    case_id: CaseId,
    contact_id: Option<ContactId>,
    kind: NoteKind,
    body: String,
    author_id: UserId,
    author: String,
    written_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    signed_at: Option<DateTime<Utc>>,
    flags: i64,
    version: i64,
    text_digest: Option<String>,
}

impl StoredNote {
    fn open(self, keys: &KeyRing) -> Result<NoteRow, sqlx::Error> {
        let text = NOTE_TEXT.open(keys, self.id, &self.body)?;
        let text_check = TextCheck::of(
            self.signed_at.is_some(),
            self.text_digest.as_deref(),
            || NOTE_TEXT.digest(keys, self.id, &text),
        );
        Ok(NoteRow {
            text,
            text_check,
            id: self.id,
            case_id: self.case_id,
            contact_id: self.contact_id,
            kind: self.kind,
            author_id: self.author_id,
            author: self.author,
            written_at: self.written_at,
            updated_at: self.updated_at,
            signed_at: self.signed_at,
            flags: self.flags,
            version: self.version,
        })
    }
}

const NOTE_COLUMNS: &str = "n.id, n.case_id, n.contact_id, n.kind, n.body, n.author_id, \
                            u.full_name AS author, n.written_at, n.updated_at, n.signed_at, \
                            CAST(n.flags AS BIGINT) AS flags, n.version, n.text_digest";

fn open_all(rows: Vec<StoredNote>, keys: &KeyRing) -> Result<Vec<NoteRow>, sqlx::Error> {
    rows.into_iter().map(|r| r.open(keys)).collect()
}

/// An addendum as shown.
#[derive(Debug, Clone)]
pub struct AddendumRow {
    pub id: AddendumId,
    pub note_id: NoteId,
    pub text: String,
    pub author: String,
    pub written_at: DateTime<Utc>,
    /// Whether the text is the text that was signed.
    pub text_check: TextCheck,
}

#[derive(sqlx::FromRow)]
struct StoredAddendum {
    id: AddendumId,
    note_id: NoteId,
    body: String,
    author: String,
    written_at: DateTime<Utc>,
    text_digest: Option<String>,
}

fn open_addenda(
    rows: Vec<StoredAddendum>,
    keys: &KeyRing,
) -> Result<Vec<AddendumRow>, sqlx::Error> {
    rows.into_iter()
        .map(|r| {
            let text = ADDENDUM_TEXT.open(keys, r.id, &r.body)?;
            let text_check = TextCheck::of(true, r.text_digest.as_deref(), || {
                ADDENDUM_TEXT.digest(keys, r.id, &text)
            });
            Ok(AddendumRow {
                text,
                text_check,
                id: r.id,
                note_id: r.note_id,
                author: r.author,
                written_at: r.written_at,
            })
        })
        .collect()
}

const ADDENDUM_SELECT: &str =
    "SELECT a.id, a.note_id, a.body, u.full_name AS author, a.written_at, a.text_digest FROM \
     note_addenda a JOIN users u ON u.id = a.author_id";

/// Words' stems as blinded terms, remembering the ones already blinded (a
/// note repeats words; the demo generator writes millions).
pub struct Blinder<'k> {
    keys: &'k KeyRing,
    known: HashMap<String, String>,
}

impl<'k> Blinder<'k> {
    pub fn new(keys: &'k KeyRing) -> Self {
        Self {
            keys,
            known: HashMap::new(),
        }
    }

    fn term(&mut self, stem: &str) -> &str {
        let keys = self.keys;
        self.known.entry(stem.to_owned()).or_insert_with(|| {
            keys.blind_index(&format!("note-term:{stem}"))
                .bytes()
                .map(|b| match b {
                    // Hex digits 0-9a-f become the letters a-p.
                    b'0'..=b'9' => char::from(b - b'0' + b'a'),
                    b'a'..=b'f' => char::from(b - b'a' + b'k'),
                    other => char::from(other),
                })
                .collect()
        })
    }

    /// The terms joined as the index stores them.
    pub fn document(&mut self, stems: &[String]) -> String {
        let terms: Vec<String> = stems.iter().map(|s| self.term(s).to_owned()).collect();
        terms.join(" ")
    }
}

/// A note to store.
pub struct NewNote<'a> {
    pub id: NoteId,
    pub case_id: CaseId,
    pub contact_id: Option<ContactId>,
    pub kind: NoteKind,
    pub text: &'a str,
    pub author_id: UserId,
    pub written_at: DateTime<Utc>,
    /// Signed as written (the demo's history); `index` then indexes it.
    pub signed_flagged: Option<bool>,
}

const INSERT: &[&str] = &[
    "id",
    "case_id",
    "contact_id",
    "kind",
    "body",
    "author_id",
    "written_at",
    "updated_at",
    "signed_at",
    "flags",
    "text_digest",
];

/// Stores notes: drafts, which `sign` signs and indexes, or signed ones.
pub async fn insert_many(
    tx: &mut Tx,
    keys: &KeyRing,
    rows: &[NewNote<'_>],
) -> Result<(), sqlx::Error> {
    for chunk in rows.chunks(crate::store::sql::rows_per_insert(INSERT.len())) {
        let sql = crate::store::sql::insert_sql(tx.dialect(), "case_notes", INSERT, chunk.len());
        exec!(
            tx,
            chunk.iter().fold(sqlx::query(&sql), |q, n| {
                q.bind(n.id)
                    .bind(n.case_id)
                    .bind(n.contact_id)
                    .bind(n.kind)
                    .bind(NOTE_TEXT.seal(keys, n.id, n.text))
                    .bind(n.author_id)
                    .bind(n.written_at)
                    .bind(n.written_at)
                    .bind(n.signed_flagged.map(|_| n.written_at))
                    .bind(i32::from(n.signed_flagged == Some(true)))
                    .bind(
                        n.signed_flagged
                            .map(|_| NOTE_TEXT.digest(keys, n.id, n.text)),
                    )
            })
        )?;
    }
    Ok(())
}

/// Who wrote a note (nothing sealed is read).
pub async fn author_of(tx: &mut Tx, id: NoteId) -> Result<Option<UserId>, sqlx::Error> {
    fetch!(
        tx,
        fetch_optional,
        sqlx::query_scalar("SELECT author_id FROM case_notes WHERE id = $1").bind(id)
    )
}

pub async fn get(tx: &mut Tx, keys: &KeyRing, id: NoteId) -> Result<Option<NoteRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {NOTE_COLUMNS} FROM case_notes n JOIN users u ON u.id = n.author_id WHERE n.id = \
         $1"
    );
    let row: Option<StoredNote> = fetch!(tx, fetch_optional, sqlx::query_as(&sql).bind(id))?;
    row.map(|r| r.open(keys)).transpose()
}

/// A case's signed notes, and `drafts_of` this reader's drafts, newest first.
pub async fn of_case(
    tx: &mut Tx,
    keys: &KeyRing,
    case: CaseId,
    drafts_of: Option<UserId>,
    limit: i64,
) -> Result<Vec<NoteRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {NOTE_COLUMNS} FROM case_notes n JOIN users u ON u.id = n.author_id WHERE \
         n.case_id = $1 AND (n.signed_at IS NOT NULL OR n.author_id = $2) ORDER BY n.written_at \
         DESC, n.id DESC LIMIT $3"
    );
    let rows = fetch!(
        tx,
        fetch_all,
        sqlx::query_as(&sql).bind(case).bind(drafts_of).bind(limit)
    )?;
    open_all(rows, keys)
}

/// A draft its author has not signed yet, as the work queue lists it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Draft {
    pub id: NoteId,
    pub case_id: CaseId,
    pub case_number: String,
    pub person_name: String,
    pub kind: NoteKind,
    pub updated_at: DateTime<Utc>,
}

/// `author`'s unsigned drafts, the latest changed first.
pub async fn drafts_of(tx: &mut Tx, author: UserId, limit: i64) -> Result<Vec<Draft>, sqlx::Error> {
    fetch!(
        tx,
        fetch_all,
        sqlx::query_as(
            "SELECT n.id, n.case_id, c.case_number, p.last_name || ', ' || p.first_name AS \
             person_name, n.kind, n.updated_at FROM case_notes n JOIN cases c ON c.id = n.case_id \
             JOIN people p ON p.id = c.person_id WHERE n.author_id = $1 AND n.signed_at IS NULL \
             ORDER BY n.updated_at DESC LIMIT $2"
        )
        .bind(author)
        .bind(limit)
    )
}

/// The addenda to `notes`, oldest first.
pub async fn addenda(
    tx: &mut Tx,
    keys: &KeyRing,
    notes: &[NoteId],
) -> Result<Vec<AddendumRow>, sqlx::Error> {
    let mut all = Vec::new();
    for chunk in notes.chunks(500) {
        let marks: Vec<String> = (1..=chunk.len()).map(|n| format!("${n}")).collect();
        let sql = format!(
            "{ADDENDUM_SELECT} WHERE a.note_id IN ({}) ORDER BY a.written_at, a.id",
            marks.join(", ")
        );
        let rows = fetch!(
            tx,
            fetch_all,
            chunk.iter().fold(sqlx::query_as(&sql), |q, id| q.bind(*id))
        )?;
        all.extend(open_addenda(rows, keys)?);
    }
    Ok(all)
}

/// A draft's new wording; false when the version is stale or it is signed.
pub struct DraftChange<'a> {
    pub id: NoteId,
    pub version: i64,
    pub kind: NoteKind,
    pub contact_id: Option<ContactId>,
    pub text: &'a str,
    pub at: DateTime<Utc>,
}

pub async fn update_draft(
    tx: &mut Tx,
    keys: &KeyRing,
    c: &DraftChange<'_>,
) -> Result<bool, sqlx::Error> {
    let n = exec!(
        tx,
        sqlx::query(
            "UPDATE case_notes SET kind = $1, contact_id = $2, body = $3, updated_at = $4, version \
             = version + 1 WHERE id = $5 AND version = $6 AND signed_at IS NULL"
        )
        .bind(c.kind)
        .bind(c.contact_id)
        .bind(NOTE_TEXT.seal(keys, c.id, c.text))
        .bind(c.at)
        .bind(c.id)
        .bind(c.version)
    )?;
    Ok(n == 1)
}

/// A note to sign (`version` as the signer saw it), with its blinded terms
/// and whether it names lexicon words.
pub struct Signing {
    pub id: NoteId,
    pub version: Option<i64>,
    /// The keyed digest of the text signed (`note_digest`).
    pub text_digest: String,
    pub document: String,
    pub flagged: bool,
    pub at: DateTime<Utc>,
}

/// The keyed digest of a note's text, kept when it is signed.
pub fn note_digest(keys: &KeyRing, id: NoteId, text: &str) -> String {
    NOTE_TEXT.digest(keys, id, text)
}

/// Signs a draft and indexes it; false when the version is stale or it was
/// already signed.
pub async fn sign(tx: &mut Tx, s: &Signing) -> Result<bool, sqlx::Error> {
    let signed = exec!(
        tx,
        sqlx::query(
            "UPDATE case_notes SET signed_at = $1, updated_at = $1, flags = flags + $2, version = \
             version + 1, text_digest = $5 WHERE id = $3 AND ($4 IS NULL OR version = $4) AND \
             signed_at IS NULL"
        )
        .bind(s.at)
        .bind(i32::from(s.flagged))
        .bind(s.id)
        .bind(s.version)
        .bind(&s.text_digest)
    )?;
    if signed == 1 {
        index(tx, &[(s.id, s.document.clone())]).await?;
    }
    Ok(signed == 1)
}

/// Adds signed notes' terms (note id, blinded document) to the index.
pub async fn index(tx: &mut Tx, docs: &[(NoteId, String)]) -> Result<(), sqlx::Error> {
    let values = |n: usize, cast: &str| {
        (0..n)
            .map(|i| format!("(${}{cast}, ${})", 2 * i + 1, 2 * i + 2))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for chunk in docs.chunks(crate::store::sql::rows_per_insert(2)) {
        match tx.dialect() {
            Dialect::Sqlite => {
                let first: i64 = fetch!(
                    tx,
                    fetch_one,
                    sqlx::query_scalar("SELECT COALESCE(MAX(search_row), 0) + 1 FROM case_notes")
                )?;
                let rows: Vec<i64> = (first..).take(chunk.len()).collect();
                let sql = format!(
                    "INSERT INTO note_terms (rowid, terms) VALUES {}",
                    values(chunk.len(), "")
                );
                exec!(
                    tx,
                    chunk
                        .iter()
                        .zip(&rows)
                        .fold(sqlx::query(&sql), |q, ((_, doc), row)| q
                            .bind(*row)
                            .bind(doc))
                )?;
                let sql = format!(
                    "WITH v(id, row) AS (VALUES {}) UPDATE case_notes SET search_row = (SELECT \
                     v.row FROM v WHERE v.id = case_notes.id) WHERE id IN (SELECT id FROM v)",
                    values(chunk.len(), "")
                );
                exec!(
                    tx,
                    chunk
                        .iter()
                        .zip(&rows)
                        .fold(sqlx::query(&sql), |q, ((id, _), row)| q
                            .bind(*id)
                            .bind(*row))
                )?;
            }
            Dialect::Postgres => {
                let sql = format!(
                    "WITH v(id, doc) AS (VALUES {}) UPDATE case_notes n SET search = \
                     to_tsvector('simple', v.doc) FROM v WHERE n.id = v.id",
                    values(chunk.len(), "::uuid")
                );
                exec!(
                    tx,
                    chunk
                        .iter()
                        .fold(sqlx::query(&sql), |q, (id, doc)| q.bind(*id).bind(doc))
                )?;
            }
        }
    }
    Ok(())
}

/// An addendum to store.
pub struct NewAddendum<'a> {
    pub id: AddendumId,
    pub note_id: NoteId,
    pub text: &'a str,
    pub author_id: UserId,
    pub document: String,
    pub flagged: bool,
    pub at: DateTime<Utc>,
}

/// Adds an addendum to a signed note, extending the note's index entry.
pub async fn add_addendum(
    tx: &mut Tx,
    keys: &KeyRing,
    a: &NewAddendum<'_>,
) -> Result<(), sqlx::Error> {
    exec!(
        tx,
        sqlx::query(
            "INSERT INTO note_addenda (id, note_id, body, author_id, written_at, text_digest) \
             VALUES ($1, $2, $3, $4, $5, $6)"
        )
        .bind(a.id)
        .bind(a.note_id)
        .bind(ADDENDUM_TEXT.seal(keys, a.id, a.text))
        .bind(a.author_id)
        .bind(a.at)
        .bind(ADDENDUM_TEXT.digest(keys, a.id, a.text))
    )?;
    let extend = match tx.dialect() {
        Dialect::Sqlite => {
            "UPDATE note_terms SET terms = terms || ' ' || $1 WHERE rowid = (SELECT search_row \
             FROM case_notes WHERE id = $2)"
        }
        Dialect::Postgres => {
            "UPDATE case_notes SET search = COALESCE(search, ''::tsvector) || \
             to_tsvector('simple', $1) WHERE id = $2"
        }
    };
    exec!(tx, sqlx::query(extend).bind(&a.document).bind(a.note_id))?;
    exec!(
        tx,
        sqlx::query(
            "UPDATE case_notes SET flags = flags + $1, updated_at = $2, version = version + 1 \
             WHERE id = $3"
        )
        .bind(i32::from(a.flagged))
        .bind(a.at)
        .bind(a.note_id)
    )?;
    Ok(())
}

/// A note a search found, with where it is.
#[derive(Debug, Clone)]
pub struct Found {
    pub note: NoteRow,
    pub case_number: String,
    pub person_id: PersonId,
    pub person_name: String,
}

#[derive(sqlx::FromRow)]
struct StoredFound {
    #[sqlx(flatten)]
    note: StoredNote,
    case_number: String,
    person_id: PersonId,
    person_name: String,
}

/// Signed notes on the cases in `scope` whose text (or addenda) holds every
/// one of `terms` (blinded), best match first.
pub async fn search(
    tx: &mut Tx,
    keys: &KeyRing,
    scope: &Scope,
    terms: &[String],
    limit: i64,
) -> Result<Vec<Found>, sqlx::Error> {
    let (scope_sql, user, court) = scope.sql("n.case_id");
    let shown = format!(
        "SELECT {NOTE_COLUMNS}, c.case_number, c.person_id, p.last_name || ', ' || p.first_name AS \
         person_name"
    );
    let joins =
        "JOIN users u ON u.id = n.author_id JOIN cases c ON c.id = n.case_id JOIN people p ON p.id \
         = c.person_id";
    let (sql, query) = match tx.dialect() {
        Dialect::Sqlite => (
            format!(
                "{shown} FROM note_terms t JOIN case_notes n ON n.search_row = t.rowid {joins} \
                 WHERE note_terms MATCH $3 AND {scope_sql} ORDER BY bm25(note_terms), n.signed_at \
                 DESC, n.id DESC LIMIT $4"
            ),
            terms.join(" "),
        ),
        Dialect::Postgres => (
            format!(
                "{shown} FROM case_notes n {joins} WHERE n.search @@ to_tsquery('simple', $3) AND \
                 {scope_sql} ORDER BY ts_rank(n.search, to_tsquery('simple', $3)) DESC, \
                 n.signed_at DESC, n.id DESC LIMIT $4"
            ),
            terms.join(" & "),
        ),
    };
    let rows: Vec<StoredFound> = fetch!(
        tx,
        fetch_all,
        sqlx::query_as(&sql)
            .bind(user)
            .bind(court.as_deref())
            .bind(&query)
            .bind(limit)
    )?;
    rows.into_iter()
        .map(|r| {
            Ok(Found {
                note: r.note.open(keys)?,
                case_number: r.case_number,
                person_id: r.person_id,
                person_name: r.person_name,
            })
        })
        .collect()
}

/// Blinds query stems for `search`.
pub fn blind_query(keys: &KeyRing, stems: &[String]) -> Vec<String> {
    let mut blinder = Blinder::new(keys);
    stems.iter().map(|s| blinder.term(s).to_owned()).collect()
}

/// Signed writings (notes, then addenda) read a page at a time for the
/// digest work below: the table, and the condition that picks its rows.
const SIGNED_TEXTS: [(&str, &str, &crate::store::sealed::SealedColumn); 2] = [
    ("case_notes", "signed_at IS NOT NULL", &NOTE_TEXT),
    ("note_addenda", "TRUE", &ADDENDUM_TEXT),
];

/// How many rows one pass reads or anchors.
const PAGE: i64 = 1_000;

#[derive(sqlx::FromRow)]
struct SignedText {
    id: AuditId,
    body: String,
    text_digest: Option<String>,
}

/// Keeps the digest of every signed note and addendum that has none (signed
/// before digests were kept), of its text as it stands; a page per write.
/// Returns how many were anchored.
pub async fn anchor_signed(db: &crate::store::Db, keys: &KeyRing) -> Result<u64, sqlx::Error> {
    let mut anchored = 0;
    for (table, signed, column) in SIGNED_TEXTS {
        loop {
            let mut tx = db.write().await?;
            let rows: Vec<SignedText> = fetch!(
                tx,
                fetch_all,
                sqlx::query_as(&format!(
                    "SELECT id, body, text_digest FROM {table} WHERE {signed} AND text_digest IS \
                     NULL LIMIT {PAGE}"
                ))
            )?;
            for row in &rows {
                let text = column.open(keys, row.id, &row.body)?;
                let digest = column.digest(keys, row.id, &text);
                exec!(
                    tx,
                    sqlx::query(&format!(
                        "UPDATE {table} SET text_digest = $1 WHERE id = $2 AND text_digest IS NULL"
                    ))
                    .bind(digest)
                    .bind(row.id)
                )?;
            }
            tx.commit().await?;
            anchored += rows.len() as u64;
            if (rows.len() as i64) < PAGE {
                break;
            }
        }
    }
    Ok(anchored)
}

/// The signed notes and addenda whose text is not the text that was signed,
/// named by table and id (`bridgeway check` reads them all).
pub async fn altered(tx: &mut Tx, keys: &KeyRing) -> Result<Vec<String>, sqlx::Error> {
    let mut found = Vec::new();
    for (table, signed, column) in SIGNED_TEXTS {
        let mut after = AuditId(uuid::Uuid::nil());
        loop {
            let rows: Vec<SignedText> = fetch!(
                tx,
                fetch_all,
                sqlx::query_as(&format!(
                    "SELECT id, body, text_digest FROM {table} WHERE {signed} AND text_digest IS \
                     NOT NULL AND id > $1 ORDER BY id LIMIT {PAGE}"
                ))
                .bind(after)
            )?;
            for row in &rows {
                let text = column.open(keys, row.id, &row.body)?;
                let check = TextCheck::of(true, row.text_digest.as_deref(), || {
                    column.digest(keys, row.id, &text)
                });
                if check == TextCheck::Altered {
                    found.push(format!("{table} {}", row.id.0));
                }
            }
            match rows.last() {
                Some(last) if rows.len() as i64 == PAGE => after = last.id,
                _ => break,
            }
        }
    }
    Ok(found)
}
