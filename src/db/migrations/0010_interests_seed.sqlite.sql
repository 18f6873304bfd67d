-- 0010_interests_seed (SQLite 3.40)
--
-- The default list of event interests (the categories a profile picks 1-5
-- of, and events are tagged with): 20 active rows with lower-case slugs.
-- Fixed uuids and timestamps, so every database starts with the same list;
-- staff may rename, add or deactivate interests later. The same INSERT runs
-- on both databases (booleans and description take their defaults).

INSERT INTO event_interests (uuid, name, slug, created_at, updated_at) VALUES
    ('9ccc1e9e-790b-4e75-aa2c-76bc9a087528', 'Music', 'music', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z'),
    ('bb459e3f-725c-4133-88cc-76182996dc2d', 'Comedy', 'comedy', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z'),
    ('78a73fca-535f-45dc-bc5c-e95a44e1341a', 'Food & Drink', 'food-drink', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z'),
    ('be2f8b89-3787-4b37-b86f-38dc16595a2c', 'Sports', 'sports', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z'),
    ('b8651e7e-a79f-44f6-85bf-7886af7a9441', 'Fitness', 'fitness', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z'),
    ('750c15bf-67e7-48d2-9145-a6d74531b34a', 'Technology', 'technology', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z'),
    ('03b51827-9568-497f-90e4-18b8f394d66e', 'Art', 'art', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z'),
    ('a1d68858-0b5b-405e-878b-6a0375131e7d', 'Theatre', 'theatre', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z'),
    ('23171ece-b249-43c3-8d16-8ddf876c6c72', 'Nightlife', 'nightlife', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z'),
    ('d830971d-b7a6-409f-933f-39fb0fb148e4', 'Networking', 'networking', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z'),
    ('b7d0f393-346c-4e80-abc6-55947c3aaccc', 'Books', 'books', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z'),
    ('e85219ea-b995-48f4-a792-9fb8b1ea8020', 'Travel', 'travel', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z'),
    ('f33e7de7-6eb2-45bd-963e-26ba770de5c8', 'Gaming', 'gaming', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z'),
    ('bf3ebb82-9886-4fbf-9def-4a0a024a19c3', 'Photography', 'photography', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z'),
    ('d4497a28-9b2b-4881-b1e5-361854c70168', 'Dance', 'dance', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z'),
    ('6c4b20d7-9ea9-4f2f-a704-f6f8ceb203d1', 'Wellness', 'wellness', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z'),
    ('ae531a59-6c6b-4cb2-92e8-3c1d5fc2abe5', 'Outdoors', 'outdoors', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z'),
    ('11768e8e-ab56-4fa3-9453-ffd1fa44c78f', 'Film', 'film', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z'),
    ('9d67829d-6bee-4479-9576-e4cbc2a40e5d', 'Workshops', 'workshops', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z'),
    ('483234b0-9f60-4e18-ab89-10961748ce3e', 'Startups', 'startups', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z');
