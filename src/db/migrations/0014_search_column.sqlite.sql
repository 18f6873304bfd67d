-- 0014_search_column (SQLite)
--
-- Nothing to change: SQLite searches through the events_fts table. The
-- PostgreSQL twin stores the searchable words in a column (search_tsv).
SELECT 1;
