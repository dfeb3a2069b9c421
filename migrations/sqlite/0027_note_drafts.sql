-- The work queue lists its reader's drafts waiting to be signed.
CREATE INDEX case_notes_drafts ON case_notes(author_id, updated_at) WHERE signed_at IS NULL;
