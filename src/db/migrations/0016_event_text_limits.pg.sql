-- 0016_event_text_limits (PostgreSQL)
--
-- The mobile app accepts any non-empty title and description (issue 16,
-- docs/client-compatibility.md): titles 1-200 characters (were 3-200) and
-- descriptions 1-20000 (were 10-20000). Only loosened: every stored row
-- already satisfies the new rule.
ALTER TABLE events DROP CONSTRAINT events_title_check;
ALTER TABLE events ADD CONSTRAINT events_title_check CHECK (length(title) BETWEEN 1 AND 200);
ALTER TABLE events DROP CONSTRAINT events_description_check;
ALTER TABLE events ADD CONSTRAINT events_description_check
    CHECK (length(description) BETWEEN 1 AND 20000);
