-- 0015_venue_place_id (PostgreSQL)
--
-- venues.place_id: the map provider's id of a place (the mobile app sends
-- Google's place id with the venue of a new event), so creating events at
-- one place finds its venue instead of making a new one each time. '' when
-- unknown; at most one active venue per known place id.
ALTER TABLE venues ADD COLUMN place_id TEXT NOT NULL DEFAULT '' CHECK (length(place_id) <= 255);
CREATE UNIQUE INDEX venues_place_id_key ON venues (place_id) WHERE place_id <> '' AND is_active;
