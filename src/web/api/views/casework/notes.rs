//! Case notes with their addenda and highlights; note search hits.

use crate::app::casework::notes as app_notes;
use crate::domain::casework::notes::{NoteKind, Run, TextCheck};
use crate::domain::ids::{AddendumId, CaseId, ContactId, NoteId, PersonId, UserId};
use crate::store::casework::notes as store_notes;
use crate::web::api::views::all;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// Text with the risk lexicon's words highlighted.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Highlighted {
    pub runs: Vec<Run>,
    /// The lexicon words it names.
    pub flagged_words: Vec<String>,
}

impl From<app_notes::Highlighted> for Highlighted {
    fn from(r: app_notes::Highlighted) -> Self {
        Self {
            runs: r.runs,
            flagged_words: r.flagged_words,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AddendumView {
    pub addendum: Addendum,
    pub shown: Highlighted,
}

impl From<app_notes::AddendumView> for AddendumView {
    fn from(r: app_notes::AddendumView) -> Self {
        Self {
            addendum: r.addendum.into(),
            shown: r.shown.into(),
        }
    }
}

/// A note with its addenda, as its reader may act on it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NoteView {
    pub note: Note,
    pub shown: Highlighted,
    pub addenda: Vec<AddendumView>,
    /// The reader wrote this draft and may change or sign it.
    pub can_edit: bool,
    /// The note is signed and the reader holds the case: may add an addendum.
    pub can_add: bool,
}

impl From<app_notes::NoteView> for NoteView {
    fn from(r: app_notes::NoteView) -> Self {
        Self {
            note: r.note.into(),
            shown: r.shown.into(),
            addenda: all(r.addenda),
            can_edit: r.can_edit,
            can_add: r.can_add,
        }
    }
}

/// A contact a new note may record.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ContactChoice {
    pub id: ContactId,
    /// When (agency time) and what kind, e.g. "2026-11-20 09:30 Office".
    pub label: String,
}

impl From<app_notes::ContactChoice> for ContactChoice {
    fn from(r: app_notes::ContactChoice) -> Self {
        Self {
            id: r.id,
            label: r.label,
        }
    }
}

/// A case's notes, newest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
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

impl From<app_notes::CaseNotes> for CaseNotes {
    fn from(r: app_notes::CaseNotes) -> Self {
        Self {
            case_id: r.case_id,
            case_number: r.case_number,
            person_id: r.person_id,
            person_name: r.person_name,
            notes: all(r.notes),
            contacts: all(r.contacts),
            can_write: r.can_write,
        }
    }
}

/// A note a search found.
#[derive(Debug, Serialize, utoipa::ToSchema)]
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

impl From<app_notes::NoteHit> for NoteHit {
    fn from(r: app_notes::NoteHit) -> Self {
        Self {
            note_id: r.note_id,
            case_id: r.case_id,
            case_number: r.case_number,
            person_id: r.person_id,
            person_name: r.person_name,
            kind: r.kind,
            author: r.author,
            signed_at: r.signed_at,
            excerpt: r.excerpt,
        }
    }
}

/// A note as shown.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Note {
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
    /// Whether `text` is the text that was signed (`altered`: it is not).
    pub text_check: TextCheck,
}

impl From<store_notes::NoteRow> for Note {
    fn from(r: store_notes::NoteRow) -> Self {
        Self {
            id: r.id,
            case_id: r.case_id,
            contact_id: r.contact_id,
            kind: r.kind,
            text: r.text,
            author_id: r.author_id,
            author: r.author,
            written_at: r.written_at,
            updated_at: r.updated_at,
            signed_at: r.signed_at,
            flags: r.flags,
            version: r.version,
            text_check: r.text_check,
        }
    }
}

/// An addendum as shown.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Addendum {
    pub id: AddendumId,
    pub note_id: NoteId,
    pub text: String,
    pub author: String,
    pub written_at: DateTime<Utc>,
    /// Whether `text` is the text that was signed (`altered`: it is not).
    pub text_check: TextCheck,
}

impl From<store_notes::AddendumRow> for Addendum {
    fn from(r: store_notes::AddendumRow) -> Self {
        Self {
            id: r.id,
            note_id: r.note_id,
            text: r.text,
            author: r.author,
            written_at: r.written_at,
            text_check: r.text_check,
        }
    }
}
