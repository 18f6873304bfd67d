-- 0014_search_column (PostgreSQL 15)
--
-- The searchable words of an event as a stored column (kept by the database
-- on every insert and update) with the GIN index on it. With only an
-- expression index, a search whose word is rare could be planned as a walk
-- down the start_time index that recomputes to_tsvector for every row until a
-- page is full: seconds at 100,000 events. A stored column makes that check
-- cheap and gives the planner statistics to choose the GIN index instead.
ALTER TABLE events ADD COLUMN search_tsv tsvector GENERATED ALWAYS AS (
    to_tsvector('simple', translate(title || ' ' || description, '.@/:-_+<>\', '          '))) STORED;
DROP INDEX events_search_idx;
CREATE INDEX events_search_idx ON events USING GIN (search_tsv);
