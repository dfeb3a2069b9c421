"""SQLite's raw write rate on this disk: one row per commit, with the
durability Bridgeway uses (WAL, synchronous=FULL), for a number of seconds.

    python3 bench/raw_sqlite.py FILE SECONDS
"""
import os
import sqlite3
import sys
import time

path, seconds = sys.argv[1], float(sys.argv[2])
for suffix in ("", "-wal", "-shm"):
    if os.path.exists(path + suffix):
        os.remove(path + suffix)
db = sqlite3.connect(path, isolation_level=None)
db.execute("PRAGMA journal_mode=WAL")
db.execute("PRAGMA synchronous=FULL")
db.execute("CREATE TABLE rows (id INTEGER PRIMARY KEY, at REAL NOT NULL, body TEXT NOT NULL)")
body = "x" * 200
written, start = 0, time.monotonic()
while time.monotonic() - start < seconds:
    db.execute("BEGIN IMMEDIATE")
    db.execute("INSERT INTO rows (at, body) VALUES (?, ?)", (time.time(), body))
    db.execute("COMMIT")
    written += 1
elapsed = time.monotonic() - start
db.close()
for suffix in ("", "-wal", "-shm"):
    if os.path.exists(path + suffix):
        os.remove(path + suffix)
print(f"{written / elapsed:.0f}")
