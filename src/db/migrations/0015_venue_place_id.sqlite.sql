-- 0015_venue_place_id (SQLite; see the PostgreSQL twin)
ALTER TABLE venues ADD COLUMN place_id TEXT NOT NULL DEFAULT '' CHECK (length(place_id) <= 255);
CREATE UNIQUE INDEX venues_place_id_key ON venues (place_id) WHERE place_id <> '' AND is_active;
