-- Case notes and their addenda. The text of both is sealed; search runs on
-- `note_terms`, a full-text index of blinded words (each word's stem as a
-- keyed digest, see `store::notes`), filled when a note is signed and
-- extended by each addendum. `flags` counts the signed writings (the note,
-- its addenda) that mention words of the agency's risk lexicon.
CREATE TABLE case_notes (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    contact_id TEXT REFERENCES contacts(id),
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    author_id TEXT NOT NULL REFERENCES users(id),
    written_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    signed_at TEXT,
    flags INTEGER NOT NULL DEFAULT 0,
    search_row INTEGER UNIQUE,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX case_notes_case ON case_notes(case_id, written_at);
CREATE INDEX case_notes_flagged ON case_notes(updated_at) WHERE flags > 0;

CREATE TABLE note_addenda (
    id TEXT PRIMARY KEY,
    note_id TEXT NOT NULL REFERENCES case_notes(id) ON DELETE CASCADE,
    body TEXT NOT NULL,
    author_id TEXT NOT NULL REFERENCES users(id),
    written_at TEXT NOT NULL
);
CREATE INDEX note_addenda_note ON note_addenda(note_id, written_at);

CREATE VIRTUAL TABLE note_terms USING fts5(terms, tokenize = 'ascii');

-- A signed note keeps its case, kind, author, contact and signature; its
-- text may only be re-sealed (key rotation), which the application alone
-- does. Signed notes and addenda are never deleted.
CREATE TRIGGER case_notes_signed_keep BEFORE UPDATE ON case_notes
WHEN OLD.signed_at IS NOT NULL AND (NEW.signed_at IS NOT OLD.signed_at OR NEW.kind IS NOT OLD.kind
    OR NEW.case_id IS NOT OLD.case_id OR NEW.author_id IS NOT OLD.author_id OR NEW.contact_id IS NOT OLD.contact_id
    OR NEW.written_at IS NOT OLD.written_at)
BEGIN
    SELECT RAISE(ABORT, 'a signed note cannot be changed; add an addendum');
END;
CREATE TRIGGER case_notes_signed_stay BEFORE DELETE ON case_notes WHEN OLD.signed_at IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'a signed note cannot be deleted');
END;
CREATE TRIGGER note_addenda_keep BEFORE UPDATE ON note_addenda
WHEN NEW.note_id IS NOT OLD.note_id OR NEW.author_id IS NOT OLD.author_id OR NEW.written_at IS NOT OLD.written_at
BEGIN
    SELECT RAISE(ABORT, 'an addendum cannot be changed');
END;
CREATE TRIGGER note_addenda_stay BEFORE DELETE ON note_addenda
BEGIN
    SELECT RAISE(ABORT, 'an addendum cannot be deleted');
END;
