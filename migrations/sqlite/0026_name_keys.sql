-- The keys people are found by: each word of every first and family name
-- (their own and their aliases'), folded (lower case, accents off, letters
-- only), with its Soundex code, so that a search for "Garcia" finds García
-- and "Garica" finds Garcia. Filled for existing people when the server
-- starts (store::name_keys::key_unkeyed).
CREATE TABLE name_keys (
    person_id TEXT NOT NULL REFERENCES people(id),
    part TEXT NOT NULL,
    key TEXT NOT NULL,
    sound TEXT NOT NULL
);
CREATE INDEX name_keys_key ON name_keys(key);
CREATE INDEX name_keys_sound ON name_keys(sound);
CREATE INDEX name_keys_person ON name_keys(person_id);
