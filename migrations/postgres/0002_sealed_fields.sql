-- Government identifiers are stored sealed (AES-256-GCM, key outside the
-- database); lookups and uniqueness use a keyed blind index instead of the value.
-- Values written before this migration are sealed when Bridgeway next starts.
ALTER TABLE person_identifiers ADD COLUMN value_index TEXT;
DROP INDEX person_identifiers_value;
DROP INDEX person_identifiers_unique;
CREATE INDEX person_identifiers_value_index ON person_identifiers(value_index);
CREATE UNIQUE INDEX person_identifiers_unique ON person_identifiers(kind, value_index)
    WHERE kind IN ('state_id', 'fbi_number', 'drivers_license');
