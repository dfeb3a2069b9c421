-- The ids of the keys that seal values in this database. Start-up checks
-- the key ring against this list (and opens one value per key) instead of
-- scanning every sealed column; the list is filled by a full survey the
-- first time (a database written before it existed), extended with the
-- current key at each start, and pruned by `bridgeway keys rotate`.
CREATE TABLE sealing_keys (
    key_id INTEGER PRIMARY KEY,
    recorded_at TEXT NOT NULL
);
