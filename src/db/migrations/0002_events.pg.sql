-- 0002_events (PostgreSQL 15)
--
-- Events and what describes them: venues, events, the history of event slugs
-- (old URLs answer 301), the event-interest map, gallery images, and the
-- full-text search index over title and description.

-- venues: reusable places. country_code and city_slug feed the canonical
-- event URL /{country_code}/{city_slug}/events/{slug}--{canonical_id}.
-- capacity is informational (0 = unlimited); the seat limit is the event's.
CREATE TABLE venues (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid         UUID NOT NULL UNIQUE,
    name         TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 150),
    address      TEXT NOT NULL DEFAULT '',
    city         TEXT NOT NULL CHECK (length(city) BETWEEN 1 AND 100),
    country_code TEXT NOT NULL DEFAULT 'in' CHECK (country_code ~ '^[a-z]{2}$'),
    city_slug    TEXT NOT NULL CHECK (length(city_slug) BETWEEN 1 AND 100 AND city_slug ~ '^[a-z0-9-]+$'),
    venue_type   TEXT NOT NULL DEFAULT 'indoor' CHECK (venue_type IN ('indoor', 'outdoor', 'virtual', 'hybrid')),
    capacity     INTEGER NOT NULL DEFAULT 0 CHECK (capacity >= 0),
    latitude     NUMERIC(9, 6) CHECK (latitude BETWEEN -90 AND 90),
    longitude    NUMERIC(9, 6) CHECK (longitude BETWEEN -180 AND 180),
    metadata     JSONB NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
    is_active    BOOLEAN NOT NULL DEFAULT true,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
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
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid               UUID NOT NULL UNIQUE,
    host_id            BIGINT NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    venue_id           BIGINT REFERENCES venues (id) ON DELETE SET NULL,
    canonical_id       TEXT NOT NULL UNIQUE CHECK (canonical_id ~ '^[0-9A-Za-z]{1,10}$'),
    -- the generator cuts at 70 characters, then may add a -N / -{unix_ts}
    -- collision suffix; manual slugs are limited to the same URL-safe set
    slug               TEXT NOT NULL UNIQUE CHECK (length(slug) BETWEEN 1 AND 100 AND slug ~ '^[a-z0-9-]+$'),
    slug_version       INTEGER NOT NULL DEFAULT 1 CHECK (slug_version >= 1),
    slug_is_manual     BOOLEAN NOT NULL DEFAULT false,
    canonical_url      TEXT NOT NULL UNIQUE CHECK (length(canonical_url) BETWEEN 1 AND 300 AND canonical_url LIKE '/%'),
    title              TEXT NOT NULL CHECK (length(title) BETWEEN 3 AND 200),
    description        TEXT NOT NULL CHECK (length(description) BETWEEN 10 AND 20000),
    venue_text         TEXT NOT NULL DEFAULT '' CHECK (length(venue_text) <= 255),
    country_code       TEXT NOT NULL DEFAULT 'in' CHECK (country_code ~ '^[a-z]{2}$'),
    city_slug          TEXT NOT NULL DEFAULT 'unknown' CHECK (length(city_slug) BETWEEN 1 AND 100 AND city_slug ~ '^[a-z0-9-]+$'),
    start_time         TIMESTAMPTZ NOT NULL,
    end_time           TIMESTAMPTZ NOT NULL,
    max_capacity       INTEGER NOT NULL DEFAULT 0 CHECK (max_capacity >= 0),
    going_count        INTEGER NOT NULL DEFAULT 0 CHECK (going_count >= 0),
    requests_count     INTEGER NOT NULL DEFAULT 0 CHECK (requests_count >= 0),
    is_paid            BOOLEAN NOT NULL DEFAULT false,
    -- decimal(10,2) in the reference: at most 99,999,999.99
    ticket_price_minor BIGINT NOT NULL DEFAULT 0 CHECK (ticket_price_minor BETWEEN 0 AND 9999999999),
    currency           TEXT NOT NULL DEFAULT 'INR' CHECK (currency IN ('INR', 'USD', 'EUR', 'GBP')),
    allow_plus_one     BOOLEAN NOT NULL DEFAULT true,
    gst_number         TEXT NOT NULL DEFAULT '' CHECK (length(gst_number) <= 50),
    allowed_genders    TEXT NOT NULL DEFAULT 'all' CHECK (allowed_genders IN ('all', 'male', 'female', 'non_binary')),
    cover_images       JSONB NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(cover_images) = 'array' AND jsonb_array_length(cover_images) <= 3),
    status             TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'cancelled', 'completed', 'postponed')),
    is_public          BOOLEAN NOT NULL DEFAULT true,
    is_active          BOOLEAN NOT NULL DEFAULT true,
    published_at       TIMESTAMPTZ,
    deleted_at         TIMESTAMPTZ,
    created_at         TIMESTAMPTZ NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL,
    CHECK (end_time > start_time),
    CHECK ((is_paid AND ticket_price_minor > 0) OR (NOT is_paid AND ticket_price_minor = 0)),
    CHECK (max_capacity = 0 OR going_count <= max_capacity)
);
CREATE INDEX events_host_idx ON events (host_id, start_time);
CREATE INDEX events_venue_idx ON events (venue_id);
CREATE INDEX events_listing_idx ON events (is_active, is_public, start_time);
CREATE INDEX events_status_idx ON events (status, start_time);
CREATE INDEX events_city_idx ON events (country_code, city_slug, start_time);
CREATE INDEX events_start_time_idx ON events (start_time);
CREATE INDEX events_created_at_idx ON events (created_at);
-- Full-text search (PostgreSQL only; SQLite has the events_fts table). Use
-- exactly this expression so the planner picks the index:
--   to_tsvector('simple', title || ' ' || description) @@ plainto_tsquery('simple', $1)
CREATE INDEX events_search_idx ON events USING GIN (to_tsvector('simple', title || ' ' || description));

-- event_slugs: every slug an event has had (the current one included), so an
-- old URL can answer 301 with the current one. The slug is unique here across
-- all events and all time: an old URL always names one event.
CREATE TABLE event_slugs (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id   BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    slug       TEXT NOT NULL UNIQUE CHECK (length(slug) BETWEEN 1 AND 100 AND slug ~ '^[a-z0-9-]+$'),
    version    INTEGER NOT NULL CHECK (version >= 1),
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX event_slugs_event_idx ON event_slugs (event_id, version);

-- event_interest_map: an event's categories (pure join row).
CREATE TABLE event_interest_map (
    event_id    BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    interest_id BIGINT NOT NULL REFERENCES event_interests (id) ON DELETE CASCADE,
    PRIMARY KEY (event_id, interest_id)
);
CREATE INDEX event_interest_map_interest_idx ON event_interest_map (interest_id);

-- event_images: additional gallery images of an event, in display order.
CREATE TABLE event_images (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid       UUID NOT NULL UNIQUE,
    event_id   BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    image_url  TEXT NOT NULL CHECK (length(image_url) BETWEEN 1 AND 2048),
    position   INTEGER NOT NULL DEFAULT 0 CHECK (position >= 0),
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX event_images_event_idx ON event_images (event_id, position);
