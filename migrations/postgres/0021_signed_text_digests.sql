-- Each signed note's and addendum's text has its keyed digest kept beside
-- it (HMAC-SHA-256 under the key ring's index key, over the column, the row
-- and the text): the text may be re-sealed (key rotation) but must always
-- open to what was signed, and wherever it is shown, and by `bridgeway
-- check`, it is held against the digest. Someone able to write to the
-- database but without the keys cannot make a new text match. A digest,
-- once kept, never changes; notes signed before this migration get theirs
-- at the next start (`store::casework::notes::anchor_signed`).
ALTER TABLE case_notes ADD COLUMN text_digest TEXT;
ALTER TABLE note_addenda ADD COLUMN text_digest TEXT;
CREATE INDEX case_notes_unanchored ON case_notes(id)
    WHERE signed_at IS NOT NULL AND text_digest IS NULL;
CREATE INDEX note_addenda_unanchored ON note_addenda(id) WHERE text_digest IS NULL;
CREATE FUNCTION signed_text_digest_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a signed text''s digest cannot be changed';
END;
$$;
CREATE TRIGGER case_notes_digest_keep BEFORE UPDATE ON case_notes FOR EACH ROW
    WHEN (OLD.text_digest IS NOT NULL AND NEW.text_digest IS DISTINCT FROM OLD.text_digest)
    EXECUTE FUNCTION signed_text_digest_kept();
CREATE TRIGGER note_addenda_digest_keep BEFORE UPDATE ON note_addenda FOR EACH ROW
    WHEN (OLD.text_digest IS NOT NULL AND NEW.text_digest IS DISTINCT FROM OLD.text_digest)
    EXECUTE FUNCTION signed_text_digest_kept();
