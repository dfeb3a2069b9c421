-- Case notes and their addenda. The text of both is sealed; search runs on
-- `search`, a tsvector of blinded words (each word's stem as a keyed
-- digest, see `store::notes`), set when a note is signed and extended by
-- each addendum. `flags` counts the signed writings (the note, its
-- addenda) that mention words of the agency's risk lexicon.
CREATE TABLE case_notes (
    id UUID PRIMARY KEY,
    case_id UUID NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    contact_id UUID REFERENCES contacts(id),
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    author_id UUID NOT NULL REFERENCES users(id),
    written_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    signed_at TIMESTAMPTZ,
    flags INTEGER NOT NULL DEFAULT 0,
    search TSVECTOR,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX case_notes_case ON case_notes(case_id, written_at);
CREATE INDEX case_notes_flagged ON case_notes(updated_at) WHERE flags > 0;
CREATE INDEX case_notes_search ON case_notes USING GIN (search);

CREATE TABLE note_addenda (
    id UUID PRIMARY KEY,
    note_id UUID NOT NULL REFERENCES case_notes(id) ON DELETE CASCADE,
    body TEXT NOT NULL,
    author_id UUID NOT NULL REFERENCES users(id),
    written_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX note_addenda_note ON note_addenda(note_id, written_at);

-- A signed note keeps its case, kind, author, contact and signature; its
-- text may only be re-sealed (key rotation), which the application alone
-- does. Signed notes and addenda are never deleted.
CREATE FUNCTION case_notes_signed_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'a signed note cannot be deleted';
    END IF;
    IF NEW.signed_at IS DISTINCT FROM OLD.signed_at OR NEW.kind IS DISTINCT FROM OLD.kind
        OR NEW.case_id IS DISTINCT FROM OLD.case_id OR NEW.author_id IS DISTINCT FROM OLD.author_id
        OR NEW.contact_id IS DISTINCT FROM OLD.contact_id OR NEW.written_at IS DISTINCT FROM OLD.written_at THEN
        RAISE EXCEPTION 'a signed note cannot be changed; add an addendum';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER case_notes_signed BEFORE UPDATE OR DELETE ON case_notes
    FOR EACH ROW WHEN (OLD.signed_at IS NOT NULL) EXECUTE FUNCTION case_notes_signed_guard();

CREATE FUNCTION note_addenda_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'an addendum cannot be deleted';
    END IF;
    IF NEW.note_id IS DISTINCT FROM OLD.note_id OR NEW.author_id IS DISTINCT FROM OLD.author_id
        OR NEW.written_at IS DISTINCT FROM OLD.written_at THEN
        RAISE EXCEPTION 'an addendum cannot be changed';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER note_addenda_guard BEFORE UPDATE OR DELETE ON note_addenda
    FOR EACH ROW EXECUTE FUNCTION note_addenda_guard();
