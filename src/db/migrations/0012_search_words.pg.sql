-- 0012_search_words (PostgreSQL 15)
--
-- PostgreSQL's text parser keeps host names, e-mail addresses, versions and
-- paths ("talks.example.com", "v2.4.1") as single tokens, while SQLite's FTS5
-- splits them into words. Punctuation that glues words is turned into spaces
-- before indexing so both databases find the same words. The search
-- predicate in src/db/db_fts.c uses exactly this expression.
DROP INDEX events_search_idx;
CREATE INDEX events_search_idx ON events USING GIN (
    to_tsvector('simple', translate(title || ' ' || description, '.@/:-_+<>\', '          ')));
