-- 0002_events (SQLite 3.40)
--
-- Events and what describes them: venues, events, the history of event slugs
-- (old URLs answer 301), the event-interest map, gallery images, and the
-- full-text search table over title and description (FTS5).

-- venues: reusable places. country_code and city_slug feed the canonical
-- event URL /{country_code}/{city_slug}/events/{slug}--{canonical_id}.
-- capacity is informational (0 = unlimited); the seat limit is the event's.
CREATE TABLE venues (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid         TEXT NOT NULL UNIQUE CHECK (uuid GLOB '????????-????-????-????-????????????' AND uuid NOT GLOB '*[^0-9a-f-]*'),
    name         TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 150),
    address      TEXT NOT NULL DEFAULT '',
    city         TEXT NOT NULL CHECK (length(city) BETWEEN 1 AND 100),
    country_code TEXT NOT NULL DEFAULT 'in' CHECK (country_code GLOB '[a-z][a-z]'),
    city_slug    TEXT NOT NULL CHECK (length(city_slug) BETWEEN 1 AND 100 AND city_slug NOT GLOB '*[^a-z0-9-]*'),
    venue_type   TEXT NOT NULL DEFAULT 'indoor' CHECK (venue_type IN ('indoor', 'outdoor', 'virtual', 'hybrid')),
    capacity     INTEGER NOT NULL DEFAULT 0 CHECK (capacity >= 0),
    latitude     REAL CHECK (latitude BETWEEN -90 AND 90),
    longitude    REAL CHECK (longitude BETWEEN -180 AND 180),
    metadata     TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata) AND json_type(metadata) = 'object'),
    is_active    INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
    created_at   TEXT NOT NULL CHECK (created_at GLOB '????-??-??T??:??:??.??????Z'),
    updated_at   TEXT NOT NULL CHECK (updated_at GLOB '????-??-??T??:??:??.??????Z')
) STRICT;
CREATE INDEX venues_city_idx ON venues (country_code, city_slug);
CREATE INDEX venues_active_type_idx ON venues (is_active, venue_type);
CREATE INDEX venues_created_at_idx ON venues (created_at);

-- events: the central entity. Public ids are uuid and canonical_id (base62,
-- immutable, used in URLs); slug is unique across live and historic slugs
-- (see event_slugs). The price is integer minor units with is_paid and the
-- price agreeing. going_count counts confirmed seats and may never exceed a
-- non-zero max_capacity: a last line of defence against overbooking, since an
-- UPDATE of the counter is atomic on both databases. Soft delete: is_active
-- false (+ deleted_at); rows are never removed while anything refers to them.
CREATE TABLE events (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid               TEXT NOT NULL UNIQUE CHECK (uuid GLOB '????????-????-????-????-????????????' AND uuid NOT GLOB '*[^0-9a-f-]*'),
    host_id            INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    venue_id           INTEGER REFERENCES venues (id) ON DELETE SET NULL,
    canonical_id       TEXT NOT NULL UNIQUE CHECK (length(canonical_id) BETWEEN 1 AND 10 AND canonical_id NOT GLOB '*[^0-9A-Za-z]*'),
    -- the generator cuts at 70 characters, then may add a -N / -{unix_ts}
    -- collision suffix; manual slugs are limited to the same URL-safe set
    slug               TEXT NOT NULL UNIQUE CHECK (length(slug) BETWEEN 1 AND 100 AND slug NOT GLOB '*[^a-z0-9-]*'),
    slug_version       INTEGER NOT NULL DEFAULT 1 CHECK (slug_version >= 1),
    slug_is_manual     INTEGER NOT NULL DEFAULT 0 CHECK (slug_is_manual IN (0, 1)),
    canonical_url      TEXT NOT NULL UNIQUE CHECK (length(canonical_url) BETWEEN 1 AND 300 AND canonical_url LIKE '/%'),
    title              TEXT NOT NULL CHECK (length(title) BETWEEN 3 AND 200),
    description        TEXT NOT NULL CHECK (length(description) BETWEEN 10 AND 20000),
    venue_text         TEXT NOT NULL DEFAULT '' CHECK (length(venue_text) <= 255),
    country_code       TEXT NOT NULL DEFAULT 'in' CHECK (country_code GLOB '[a-z][a-z]'),
    city_slug          TEXT NOT NULL DEFAULT 'unknown' CHECK (length(city_slug) BETWEEN 1 AND 100 AND city_slug NOT GLOB '*[^a-z0-9-]*'),
    start_time         TEXT NOT NULL CHECK (start_time GLOB '????-??-??T??:??:??.??????Z'),
    end_time           TEXT NOT NULL CHECK (end_time GLOB '????-??-??T??:??:??.??????Z'),
    max_capacity       INTEGER NOT NULL DEFAULT 0 CHECK (max_capacity >= 0),
    going_count        INTEGER NOT NULL DEFAULT 0 CHECK (going_count >= 0),
    requests_count     INTEGER NOT NULL DEFAULT 0 CHECK (requests_count >= 0),
    is_paid            INTEGER NOT NULL DEFAULT 0 CHECK (is_paid IN (0, 1)),
    -- decimal(10,2) in the reference: at most 99,999,999.99
    ticket_price_minor INTEGER NOT NULL DEFAULT 0 CHECK (ticket_price_minor BETWEEN 0 AND 9999999999),
    currency           TEXT NOT NULL DEFAULT 'INR' CHECK (currency IN ('INR', 'USD', 'EUR', 'GBP')),
    allow_plus_one     INTEGER NOT NULL DEFAULT 1 CHECK (allow_plus_one IN (0, 1)),
    gst_number         TEXT NOT NULL DEFAULT '' CHECK (length(gst_number) <= 50),
    allowed_genders    TEXT NOT NULL DEFAULT 'all' CHECK (allowed_genders IN ('all', 'male', 'female', 'non_binary')),
    cover_images       TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(cover_images) AND json_type(cover_images) = 'array' AND json_array_length(cover_images) <= 3),
    status             TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'cancelled', 'completed', 'postponed')),
    is_public          INTEGER NOT NULL DEFAULT 1 CHECK (is_public IN (0, 1)),
    is_active          INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
    published_at       TEXT CHECK (published_at GLOB '????-??-??T??:??:??.??????Z'),
    deleted_at         TEXT CHECK (deleted_at GLOB '????-??-??T??:??:??.??????Z'),
    created_at         TEXT NOT NULL CHECK (created_at GLOB '????-??-??T??:??:??.??????Z'),
    updated_at         TEXT NOT NULL CHECK (updated_at GLOB '????-??-??T??:??:??.??????Z'),
    CHECK (end_time > start_time),
    CHECK ((is_paid AND ticket_price_minor > 0) OR (NOT is_paid AND ticket_price_minor = 0)),
    CHECK (max_capacity = 0 OR going_count <= max_capacity)
) STRICT;
CREATE INDEX events_host_idx ON events (host_id, start_time);
CREATE INDEX events_venue_idx ON events (venue_id);
CREATE INDEX events_listing_idx ON events (is_active, is_public, start_time);
CREATE INDEX events_status_idx ON events (status, start_time);
CREATE INDEX events_city_idx ON events (country_code, city_slug, start_time);
CREATE INDEX events_start_time_idx ON events (start_time);
CREATE INDEX events_created_at_idx ON events (created_at);

-- events_fts: full-text index over title and description (SQLite only; the
-- PostgreSQL twin has the GIN index events_search_idx). External-content
-- table: the text lives in events, the triggers below keep the index in step.
-- Query: SELECT e.* FROM events_fts f JOIN events e ON e.id = f.rowid
--        WHERE events_fts MATCH $1 ORDER BY rank
CREATE VIRTUAL TABLE events_fts USING fts5(
    title, description,
    content = 'events', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER events_fts_after_insert AFTER INSERT ON events BEGIN
    INSERT INTO events_fts (rowid, title, description) VALUES (new.id, new.title, new.description);
END;
CREATE TRIGGER events_fts_after_delete AFTER DELETE ON events BEGIN
    INSERT INTO events_fts (events_fts, rowid, title, description) VALUES ('delete', old.id, old.title, old.description);
END;
CREATE TRIGGER events_fts_after_update AFTER UPDATE OF title, description ON events BEGIN
    INSERT INTO events_fts (events_fts, rowid, title, description) VALUES ('delete', old.id, old.title, old.description);
    INSERT INTO events_fts (rowid, title, description) VALUES (new.id, new.title, new.description);
END;

-- event_slugs: every slug an event has had (the current one included), so an
-- old URL can answer 301 with the current one. The slug is unique here across
-- all events and all time: an old URL always names one event.
CREATE TABLE event_slugs (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id   INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    slug       TEXT NOT NULL UNIQUE CHECK (length(slug) BETWEEN 1 AND 100 AND slug NOT GLOB '*[^a-z0-9-]*'),
    version    INTEGER NOT NULL CHECK (version >= 1),
    created_at TEXT NOT NULL CHECK (created_at GLOB '????-??-??T??:??:??.??????Z')
) STRICT;
CREATE INDEX event_slugs_event_idx ON event_slugs (event_id, version);

-- event_interest_map: an event's categories (pure join row).
CREATE TABLE event_interest_map (
    event_id    INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    interest_id INTEGER NOT NULL REFERENCES event_interests (id) ON DELETE CASCADE,
    PRIMARY KEY (event_id, interest_id)
) STRICT;
CREATE INDEX event_interest_map_interest_idx ON event_interest_map (interest_id);

-- event_images: additional gallery images of an event, in display order.
CREATE TABLE event_images (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid       TEXT NOT NULL UNIQUE CHECK (uuid GLOB '????????-????-????-????-????????????' AND uuid NOT GLOB '*[^0-9a-f-]*'),
    event_id   INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    image_url  TEXT NOT NULL CHECK (length(image_url) BETWEEN 1 AND 2048),
    position   INTEGER NOT NULL DEFAULT 0 CHECK (position >= 0),
    created_at TEXT NOT NULL CHECK (created_at GLOB '????-??-??T??:??:??.??????Z'),
    updated_at TEXT NOT NULL CHECK (updated_at GLOB '????-??-??T??:??:??.??????Z')
) STRICT;
CREATE INDEX event_images_event_idx ON event_images (event_id, position);
