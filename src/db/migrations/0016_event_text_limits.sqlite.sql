-- 0016_event_text_limits (SQLite; see the PostgreSQL twin)
--
-- SQLite cannot alter a CHECK constraint; loosening one is done the
-- documented way (lang_altertable.html, section 7): edit the table's
-- schema text in one transaction and bump the schema version, which
-- migrate.c fills in for @SCHEMA_VERSION_NEXT. No row is rewritten.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(replace(sql,
        'CHECK (length(title) BETWEEN 3 AND 200)', 'CHECK (length(title) BETWEEN 1 AND 200)'),
        'CHECK (length(description) BETWEEN 10 AND 20000)',
        'CHECK (length(description) BETWEEN 1 AND 20000)')
WHERE type = 'table' AND name = 'events';
PRAGMA schema_version = @SCHEMA_VERSION_NEXT;
PRAGMA writable_schema = OFF;
