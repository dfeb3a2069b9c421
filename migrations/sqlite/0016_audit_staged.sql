-- PostgreSQL stages a write's audit events for its appender to chain
-- (migrations/postgres/0016_audit_staged.sql). SQLite needs no such table:
-- its one writer chains each batch's events as it writes them. This file
-- keeps the two schemas' migration numbers in step.
SELECT 1;
