//! Case notes: written by whoever holds the case, kept as drafts their
//! author alone sees until signed; a signed note never changes, and
//! corrections are addenda shown with it. Signed text is searchable (see
//! `store::notes`) across the cases the reader holds, and the agency's risk
//! lexicon flags a signed note or addendum for supervisor review (an alert)
//! with the matched words highlighted wherever it is shown.

use super::guard::{held_case, visible_case};
use crate::app::{audit, policy, Actor, App, AppError, AppResult};
use crate::domain::audit::Action;
use crate::domain::casework::notes::{
    excerpt, index_terms, query_terms, runs, spanned_words, Matcher, NoteKind, NoteQuery, NoteText,
    Run,
};
use crate::domain::ids::{AddendumId, CaseId, ContactId, NoteId, PersonId};
use crate::domain::validation::Invalid;
use crate::store::casework::cases::CaseRow;
use crate::store::casework::notes::{
    self as store, AddendumRow, Blinder, DraftChange, NewAddendum, NewNote, NoteRow, Signing,
};
use crate::store::casework::supervision as supervision_store;
use crate::store::Tx;
use serde::Deserialize;
use std::collections::{BTreeSet, HashMap};

/// A new note.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteInput {
    pub kind: NoteKind,
    pub text: NoteText,
    /// The contact the note records, on the same case.
    #[serde(default)]
    pub contact_id: Option<ContactId>,
    /// Sign at once (the default keeps a draft only its author sees).
    #[serde(default)]
    pub sign: bool,
}

/// A draft's new wording.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DraftInput {
    pub version: i64,
    pub kind: NoteKind,
    pub text: NoteText,
    #[serde(default)]
    pub contact_id: Option<ContactId>,
}

/// Signs a draft as seen at `version`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignInput {
    pub version: i64,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddendumInput {
    pub text: NoteText,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchInput {
    /// Words to find (all of them, in any form: "relapsed" finds "relapse").
    pub query: NoteQuery,
}

/// Text with the risk lexicon's words highlighted.
#[derive(Debug, Clone)]
pub struct Highlighted {
    pub runs: Vec<Run>,
    /// The lexicon words it names.
    pub flagged_words: Vec<String>,
}

impl Highlighted {
    fn of(lexicon: &Matcher, text: &str) -> Self {
        let spans = lexicon.spans(text);
        Self {
            runs: runs(text, &spans),
            flagged_words: spanned_words(text, &spans),
        }
    }
}

#[derive(Debug, Clone)]
pub struct AddendumView {
    pub addendum: AddendumRow,
    pub shown: Highlighted,
}

/// A note with its addenda, as its reader may act on it.
#[derive(Debug, Clone)]
pub struct NoteView {
    pub note: NoteRow,
    pub shown: Highlighted,
    pub addenda: Vec<AddendumView>,
    /// The reader wrote this draft and may change or sign it.
    pub can_edit: bool,
    /// The note is signed and the reader holds the case: may add an addendum.
    pub can_add: bool,
}

/// A contact a new note may record.
#[derive(Debug, Clone)]
pub struct ContactChoice {
    pub id: ContactId,
    /// When (agency time) and what kind, e.g. "2026-11-20 09:30 Office".
    pub label: String,
}

/// A case's notes, newest first.
#[derive(Debug, Clone)]
pub struct CaseNotes {
    pub case_id: CaseId,
    pub case_number: String,
    pub person_id: PersonId,
    pub person_name: String,
    pub notes: Vec<NoteView>,
    /// The case's recent contacts, for linking a new note to one.
    pub contacts: Vec<ContactChoice>,
    /// The reader holds the case and may write notes.
    pub can_write: bool,
}

/// A note a search found.
#[derive(Debug, Clone)]
pub struct NoteHit {
    pub note_id: NoteId,
    pub case_id: CaseId,
    pub case_number: String,
    pub person_id: PersonId,
    pub person_name: String,
    pub kind: NoteKind,
    pub author: String,
    pub signed_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Where the words were found, highlighted (in the note or an addendum).
    pub excerpt: Vec<Run>,
}

const LIST_LIMIT: i64 = 100;
/// Notes the case page shows.
const LATEST: i64 = 3;
const SEARCH_LIMIT: i64 = 50;

fn note_text(text: &NoteText) -> Result<String, Invalid> {
    text.checked().map_err(|e| Invalid::one("text", e))
}

/// Addenda grouped by their note, each group oldest first.
fn by_note(addenda: Vec<AddendumRow>) -> HashMap<NoteId, Vec<AddendumRow>> {
    let mut grouped: HashMap<NoteId, Vec<AddendumRow>> = HashMap::new();
    for a in addenda {
        grouped.entry(a.note_id).or_default().push(a);
    }
    grouped
}

/// A case whose notes the actor may read.
async fn readable_case(tx: &mut Tx, actor: &Actor, id: CaseId) -> AppResult<CaseRow> {
    let case = visible_case(tx, actor, id).await?;
    policy::casework::read_notes(actor, &case)?;
    Ok(case)
}

/// A note the actor may read: a signed one on a case they hold, or their own draft.
async fn readable_note(
    tx: &mut Tx,
    app: &App,
    actor: &Actor,
    id: NoteId,
) -> AppResult<(NoteRow, CaseRow)> {
    let note = store::get(tx, &app.keys, id)
        .await?
        .filter(|n| n.signed_at.is_some() || n.author_id == actor.id)
        .ok_or(AppError::NotFound("note"))?;
    // A note on a case the actor may not read is as good as absent.
    let case = readable_case(tx, actor, note.case_id)
        .await
        .map_err(|e| match e {
            AppError::NotFound(_) | AppError::Forbidden(_) => AppError::NotFound("note"),
            other => other,
        })?;
    Ok((note, case))
}

/// The contact must be on the note's case.
async fn check_contact(tx: &mut Tx, case: CaseId, contact: Option<ContactId>) -> AppResult<()> {
    let Some(contact) = contact else {
        return Ok(());
    };
    match supervision_store::contact_case(tx, contact).await? {
        Some(c) if c == case => Ok(()),
        _ => Err(Invalid::one("contact_id", "is not a contact logged on this case").into()),
    }
}

fn view(
    app: &App,
    actor: &Actor,
    case: &CaseRow,
    note: NoteRow,
    addenda: Vec<AddendumRow>,
) -> NoteView {
    let lexicon = &app.lexicon;
    let holds = policy::casework::change_case(actor, case).is_ok();
    NoteView {
        shown: Highlighted::of(lexicon, &note.text),
        addenda: addenda
            .into_iter()
            .map(|a| AddendumView {
                shown: Highlighted::of(lexicon, &a.text),
                addendum: a,
            })
            .collect(),
        can_edit: note.signed_at.is_none() && note.author_id == actor.id,
        can_add: note.signed_at.is_some() && holds,
        note,
    }
}

/// The case's `limit` newest notes the actor may read, with their addenda;
/// audited as a list of the case's notes.
async fn views_of(
    tx: &mut Tx,
    app: &App,
    actor: &Actor,
    case: &CaseRow,
    limit: i64,
) -> Result<Vec<NoteView>, sqlx::Error> {
    let notes = store::of_case(tx, &app.keys, case.id, Some(actor.id), limit).await?;
    let ids: Vec<NoteId> = notes.iter().map(|n| n.id).collect();
    let mut addenda = by_note(store::addenda(tx, &app.keys, &ids).await?);
    audit::record(tx, actor, Action::NoteList.on(case.id));
    Ok(notes
        .into_iter()
        .map(|n| {
            let own = addenda.remove(&n.id).unwrap_or_default();
            view(app, actor, case, n, own)
        })
        .collect())
}

/// The case page's latest notes: `None` when the actor may not read them.
pub(super) async fn latest_in(
    tx: &mut Tx,
    app: &App,
    actor: &Actor,
    case: &CaseRow,
) -> Result<Option<Vec<NoteView>>, sqlx::Error> {
    if policy::casework::read_notes(actor, case).is_err() {
        return Ok(None);
    }
    views_of(tx, app, actor, case, LATEST).await.map(Some)
}

pub async fn of_case(app: &App, actor: &Actor, id: CaseId) -> AppResult<CaseNotes> {
    let mut tx = app.db.read().await?;
    let case = readable_case(&mut tx, actor, id).await?;
    let notes = views_of(&mut tx, app, actor, &case, LIST_LIMIT).await?;
    let zone = app.settings.zone();
    let contacts = supervision_store::contacts(&mut tx, &app.keys, id, 20)
        .await?
        .into_iter()
        .map(|c| ContactChoice {
            id: c.id,
            label: format!(
                "{} {}",
                c.occurred_at.with_timezone(&zone).format("%Y-%m-%d %H:%M"),
                c.kind.title()
            ),
        })
        .collect();
    tx.commit().await?;
    let can_write = policy::casework::change_case(actor, &case).is_ok();
    Ok(CaseNotes {
        case_id: id,
        person_name: case.person_name,
        case_number: case.case_number,
        person_id: case.person_id,
        notes,
        contacts,
        can_write,
    })
}

pub async fn get(app: &App, actor: &Actor, id: NoteId) -> AppResult<NoteView> {
    let mut tx = app.db.read().await?;
    let (note, case) = readable_note(&mut tx, app, actor, id).await?;
    let addenda = store::addenda(&mut tx, &app.keys, &[id]).await?;
    audit::record(&mut tx, actor, Action::NoteView.on(id));
    tx.commit().await?;
    Ok(view(app, actor, &case, note, addenda))
}

/// Signs a note in the caller's transaction: indexes it, flags it when it
/// names lexicon words and raises the flagged-note alert.
async fn sign_in(tx: &mut Tx, app: &App, note: &NoteRow, version: Option<i64>) -> AppResult<()> {
    let signing = Signing {
        id: note.id,
        version,
        text_digest: store::note_digest(&app.keys, note.id, &note.text),
        document: Blinder::new(&app.keys).document(&index_terms(&note.text)),
        flagged: !app.lexicon.spans(&note.text).is_empty(),
        at: app.now(),
    };
    if !store::sign(tx, &signing).await? {
        return Err(AppError::StaleVersion("note"));
    }
    super::alerts::raise_for_case(tx, app, note.case_id).await?;
    Ok(())
}

pub async fn write(
    app: &App,
    actor: &Actor,
    case: CaseId,
    input: NoteInput,
) -> AppResult<NoteView> {
    let mut tx = app.db.write().await?;
    let case_row = held_case(&mut tx, actor, case).await?;
    let text = note_text(&input.text)?;
    check_contact(&mut tx, case, input.contact_id).await?;
    let id = NoteId::new();
    let new = NewNote {
        id,
        case_id: case,
        contact_id: input.contact_id,
        kind: input.kind,
        text: &text,
        author_id: actor.id,
        written_at: app.now(),
        signed_flagged: None,
    };
    store::insert_many(&mut tx, &app.keys, &[new]).await?;
    audit::record(&mut tx, actor, Action::NoteCreate.on(id));
    let mut note = stored(&mut tx, app, id).await?;
    if input.sign {
        sign_in(&mut tx, app, &note, None).await?;
        audit::record(&mut tx, actor, Action::NoteSign.on(id));
        note = stored(&mut tx, app, id).await?;
    }
    tx.commit().await?;
    Ok(view(app, actor, &case_row, note, Vec::new()))
}

async fn stored(tx: &mut Tx, app: &App, id: NoteId) -> AppResult<NoteRow> {
    store::get(tx, &app.keys, id)
        .await?
        .ok_or(AppError::NotFound("note"))
}

/// The actor's own draft, and its case (which they must still hold).
async fn own_draft(
    tx: &mut Tx,
    app: &App,
    actor: &Actor,
    id: NoteId,
) -> AppResult<(NoteRow, CaseRow)> {
    let (note, case) = readable_note(tx, app, actor, id).await?;
    policy::casework::change_case(actor, &case)?;
    if note.author_id != actor.id {
        return Err(AppError::Forbidden("change or sign another person's note"));
    }
    if note.signed_at.is_some() {
        return Err(AppError::Conflict(
            "this note is signed and cannot be changed; add an addendum instead".into(),
        ));
    }
    Ok((note, case))
}

pub async fn update_draft(
    app: &App,
    actor: &Actor,
    id: NoteId,
    input: DraftInput,
) -> AppResult<NoteView> {
    let mut tx = app.db.write().await?;
    let (note, case) = own_draft(&mut tx, app, actor, id).await?;
    let text = note_text(&input.text)?;
    check_contact(&mut tx, note.case_id, input.contact_id).await?;
    let change = DraftChange {
        id,
        version: input.version,
        kind: input.kind,
        contact_id: input.contact_id,
        text: &text,
        at: app.now(),
    };
    if !store::update_draft(&mut tx, &app.keys, &change).await? {
        return Err(AppError::StaleVersion("note"));
    }
    audit::record(&mut tx, actor, Action::NoteUpdate.on(id));
    let note = stored(&mut tx, app, id).await?;
    tx.commit().await?;
    Ok(view(app, actor, &case, note, Vec::new()))
}

pub async fn sign(app: &App, actor: &Actor, id: NoteId, input: SignInput) -> AppResult<NoteView> {
    let mut tx = app.db.write().await?;
    let (note, case) = own_draft(&mut tx, app, actor, id).await?;
    sign_in(&mut tx, app, &note, Some(input.version)).await?;
    audit::record(&mut tx, actor, Action::NoteSign.on(id));
    let note = stored(&mut tx, app, id).await?;
    tx.commit().await?;
    Ok(view(app, actor, &case, note, Vec::new()))
}

/// Adds a correction or later fact to a signed note; signed as written.
pub async fn add_addendum(
    app: &App,
    actor: &Actor,
    id: NoteId,
    input: AddendumInput,
) -> AppResult<NoteView> {
    let mut tx = app.db.write().await?;
    let (note, case) = readable_note(&mut tx, app, actor, id).await?;
    policy::casework::change_case(actor, &case)?;
    if note.signed_at.is_none() {
        return Err(AppError::Conflict(
            "this note is a draft: change it instead of adding an addendum".into(),
        ));
    }
    let text = note_text(&input.text)?;
    let addendum = AddendumId::new();
    let new = NewAddendum {
        id: addendum,
        note_id: id,
        text: &text,
        author_id: actor.id,
        document: Blinder::new(&app.keys).document(&index_terms(&text)),
        flagged: !app.lexicon.spans(&text).is_empty(),
        at: app.now(),
    };
    store::add_addendum(&mut tx, &app.keys, &new).await?;
    super::alerts::raise_for_case(&mut tx, app, note.case_id).await?;
    audit::record(&mut tx, actor, Action::NoteAddendum.on(id));
    let note = stored(&mut tx, app, id).await?;
    let addenda = store::addenda(&mut tx, &app.keys, &[id]).await?;
    tx.commit().await?;
    Ok(view(app, actor, &case, note, addenda))
}

/// Finds signed notes holding every word of the query on the cases the
/// actor holds; each case shown is audited as read. Like every audited read
/// it runs on a snapshot and only its audit events take the writer.
pub async fn search(app: &App, actor: &Actor, input: SearchInput) -> AppResult<Vec<NoteHit>> {
    policy::casework::search_notes(actor)?;
    let scope = policy::casework::caseload_scope(actor);
    let stems = NoteQuery::checked(Some(&input.query))
        .and_then(|query| query_terms(&query.unwrap_or_default()))
        .map_err(|e| Invalid::one("query", e))?;
    let terms = store::blind_query(&app.keys, &stems);
    let mut tx = app.db.read().await?;
    let found = store::search(&mut tx, &app.keys, &scope, &terms, SEARCH_LIMIT).await?;
    let ids: Vec<NoteId> = found.iter().map(|f| f.note.id).collect();
    let mut addenda = by_note(store::addenda(&mut tx, &app.keys, &ids).await?);
    let mut hits = Vec::with_capacity(found.len());
    let words = Matcher::of_stems(&stems);
    for f in found {
        let addenda = addenda.remove(&f.note.id).unwrap_or_default();
        let texts =
            std::iter::once(f.note.text.as_str()).chain(addenda.iter().map(|a| a.text.as_str()));
        let shown = texts
            .map(|t| (t, words.spans(t)))
            .max_by_key(|(_, spans)| spans.len())
            .map(|(t, spans)| excerpt(t, &spans, 240))
            .unwrap_or_default();
        hits.push(NoteHit {
            note_id: f.note.id,
            case_id: f.note.case_id,
            case_number: f.case_number,
            person_id: f.person_id,
            person_name: f.person_name,
            kind: f.note.kind,
            author: f.note.author,
            signed_at: f.note.signed_at,
            excerpt: shown,
        });
    }
    let cases: BTreeSet<CaseId> = hits.iter().map(|h| h.case_id).collect();
    audit::record_each(&mut tx, actor, Action::NoteSearch, cases.iter().copied());
    if cases.is_empty() {
        audit::record(&mut tx, actor, Action::NoteSearch.because("0 results"));
    }
    tx.commit().await?;
    Ok(hits)
}
