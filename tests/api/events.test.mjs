// events.test.mjs: single events (docs/events.md, API.md section 5): POST
// /api/events (the EventResponse, every field rule, all or nothing, auth),
// GET by id (visibility), PUT (partial update, merged checks, slugs, status
// machine, permissions, notifications to going attendees), DELETE (soft,
// refused with sales) and the counters the database keeps, on SQLite and
// PostgreSQL.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { api, dbQuery, summarize } from './lib/server.mjs';
import { assertErrorBody, assertValidationError, okJson } from './lib/expect.mjs';
import { assertNo5xx } from './lib/otp.mjs';
import { startAccountsServer, phoneFactory, bearer, TINY_PNG, TINY_JPEG, TINY_GIF } from './lib/accounts.mjs';
import {
    ISO_Z, UUID_RE, CANONICAL_ID_RE, EVENT_KEYS, tag, at, apiTime, png,
    newUser, newAccount, postEvent, createEvent, createVenue, getEvent, putEvent, deleteEvent,
    insertAttendee, insertRequest, interestIds, assertLoopinError,
} from './lib/events.mjs';

const nextPhone = phoneFactory();
let server;
let client;
let host; // active account with a profile
let other; // another active account
let staff;
let waitlisted;
let guests; // plain users for attendee rows
let interests;

before(async () => {
    server = await startAccountsServer();
    client = api(server);
    host = await newAccount(server, client, nextPhone, { name: 'Meera Host' });
    other = await newAccount(server, client, nextPhone, { name: 'Other Person' });
    staff = await newAccount(server, client, nextPhone, { name: 'Staff Person', staff: true });
    waitlisted = await newAccount(server, client, nextPhone, { active: false });
    guests = [];
    for (let i = 0; i < 3; i++) guests.push(await newUser(server, client, nextPhone));
    interests = await interestIds(server);
});

after(async () => {
    await server?.stop();
});

const eventCount = async () => Number(await dbQuery(server, 'SELECT count(*) FROM events'));

async function mediaFiles() {
    try {
        return (await readdir(join(server.tmpDir, 'media', 'events'))).sort();
    } catch (e) {
        if (e.code === 'ENOENT') return [];
        throw e;
    }
}

// A published public event of host (or owner).
const published = (fields = {}, owner = host) =>
    createEvent(client, owner.token, { title: `Published ${tag()}`, status: 'published', ...fields });

/* ------------------------------------------------------------------------
 * POST /api/events: the happy path
 */

test('POST creates an event: 201 with every EventResponse field typed as documented', async () => {
    const t = tag();
    const venue = await createVenue(client, host.token, { name: 'Lake Pavilion', city: 'Mumbai', venue_type: 'outdoor' });
    const ev = await createEvent(client, host.token, {
        title: `Summer Jam ${t}`,
        description: 'Live bands, food trucks and a sunset.',
        start_time: '2031-03-10T18:30:00Z',
        duration_hours: '4',
        venue_id: venue.id,
        venue_text: 'Near gate 2',
        max_capacity: '120',
        is_paid: 'true',
        ticket_price: '150',
        allow_plus_one: 'false',
        gst_number: '29ABCDE1234F1ZW',
        allowed_genders: 'female',
        status: 'published',
        is_public: 'true',
        event_interest_ids: JSON.stringify([interests[1], interests[0]]),
    });
    assert.deepEqual(Object.keys(ev).sort(), EVENT_KEYS);
    assert.equal(typeof ev.id, 'number');
    assert.match(ev.uuid, UUID_RE);
    assert.match(ev.canonical_id, CANONICAL_ID_RE);
    assert.equal(ev.title, `Summer Jam ${t}`);
    assert.equal(ev.slug, `summer-jam-${t}`);
    assert.equal(ev.slug_version, 1);
    assert.equal(ev.canonical_url, `/in/mumbai/events/summer-jam-${t}--${ev.canonical_id}`);
    assert.equal(ev.description, 'Live bands, food trucks and a sunset.');
    assert.deepEqual(ev.host, {
        id: host.id, user_id: host.id, username: host.phone, email: null, name: 'Meera Host',
        profile_image: ev.host.profile_image,
    });
    assert.match(ev.host.profile_image ?? '', /^https?:\/\/.+\/media\/profiles\//, 'the host picture');
    assert.deepEqual(ev.venue, {
        id: venue.id, uuid: venue.uuid, name: 'Lake Pavilion', city: 'Mumbai', venue_type: 'outdoor', address: '1 Main Road',
    });
    assert.equal(ev.venue_text, 'Near gate 2');
    // the app's location object: the venue's, coordinates as numbers or null
    assert.deepEqual(ev.location, {
        venue_name: 'Lake Pavilion', name: 'Lake Pavilion', address: '1 Main Road', city: 'Mumbai',
        latitude: null, longitude: null,
    });
    assert.equal(ev.payout_status, null);
    assert.match(ev.start_time, ISO_Z);
    assert.match(ev.end_time, ISO_Z);
    assert.equal(ev.start_time, apiTime('2031-03-10T18:30:00Z'));
    assert.equal(ev.end_time, apiTime('2031-03-10T22:30:00Z'));
    assert.equal(ev.max_capacity, 120);
    assert.equal(ev.going_count, 0);
    assert.equal(ev.requests_count, 0);
    assert.equal(ev.is_paid, true);
    assert.equal(ev.ticket_price, '150.00');
    assert.equal(ev.currency, 'INR');
    assert.equal(ev.allow_plus_one, false);
    assert.equal(ev.gst_number, '29ABCDE1234F1ZW');
    assert.equal(ev.allowed_genders, 'female');
    assert.equal(ev.status, 'published');
    assert.equal(ev.is_public, true);
    assert.equal(ev.is_active, true);
    assert.match(ev.created_at, ISO_Z);
    assert.match(ev.updated_at, ISO_Z);
    const byId = Object.fromEntries((await dbQuery(server, 'SELECT id, name, slug FROM event_interests'))
        .split('\n').map((l) => l.split('|')).map(([id, name, slug]) => [Number(id), { id: Number(id), name, slug }]));
    assert.deepEqual(
        ev.event_interests.map((i) => i.id).sort((a, b) => a - b),
        [interests[0], interests[1]].sort((a, b) => a - b),
    );
    for (const i of ev.event_interests) assert.deepEqual(i, byId[i.id]);

    assert.equal(ev.cover_images.length, 1);
    const url = ev.cover_images[0];
    assert.ok(url.startsWith(`${server.url}/media/events/`), url);
    const img = await fetch(url);
    assert.equal(img.status, 200);
    assert.deepEqual(Buffer.from(await img.arrayBuffer()), TINY_PNG);

    assert.deepEqual(okJson(await getEvent(client, ev.id, host.token)), ev, 'GET answers the same object');
});

test('POST defaults: draft, free "0.00", INR, public, plus-one allowed, no venue, city unknown', async () => {
    const t = tag();
    const ev = await createEvent(client, host.token, { title: `Defaults ${t}` });
    assert.equal(ev.status, 'draft');
    assert.equal(ev.is_paid, false);
    assert.equal(ev.ticket_price, '0.00');
    assert.equal(ev.currency, 'INR');
    assert.equal(ev.is_public, true);
    assert.equal(ev.allow_plus_one, true);
    assert.equal(ev.allowed_genders, 'all');
    assert.equal(ev.max_capacity, 0);
    assert.equal(ev.venue, null);
    assert.equal(ev.venue_text, '');
    assert.equal(ev.gst_number, '');
    assert.deepEqual(ev.event_interests, []);
    assert.equal(ev.canonical_url, `/in/unknown/events/defaults-${t}--${ev.canonical_id}`);
    const txt = await createEvent(client, host.token, { title: `Texted ${t}`, venue_text: 'Koramangala Social' });
    assert.equal(txt.canonical_url, `/in/koramangala-social/events/texted-${t}--${txt.canonical_id}`);
});

test('POST accepts JPEG and up to 3 covers, each stored and served', async () => {
    const ev = await createEvent(client, host.token, { title: `Covers ${tag()}` }, [
        png('a.png'), { data: TINY_JPEG, filename: 'b.jpg', type: 'image/jpeg' }, png('c.png'),
    ]);
    assert.equal(ev.cover_images.length, 3);
    // Files are named by content: the same picture twice is one file.
    assert.equal(new Set(ev.cover_images).size, 2);
    assert.equal(ev.cover_images[0], ev.cover_images[2]);
    for (const url of ev.cover_images) {
        assert.ok(url.startsWith(`${server.url}/media/events/`), url);
        const res = await fetch(url);
        assert.equal(res.status, 200, url);
        await res.arrayBuffer();
    }
});

test('POST: duration_hours gives end_time = start + duration; end_time may be given instead', async () => {
    const a = await createEvent(client, host.token, { start_time: '2031-05-01T10:00:00Z', duration_hours: '1.5' });
    assert.equal(a.end_time, apiTime('2031-05-01T11:30:00Z'));
    const b = await createEvent(client, host.token, {
        start_time: '2031-05-01T10:00:00Z', duration_hours: undefined, end_time: '2031-05-02T01:00:00Z',
    });
    assert.equal(b.end_time, apiTime('2031-05-02T01:00:00Z'));
    const naive = await createEvent(client, host.token, { start_time: '2031-05-01T10:00:00', duration_hours: '2' });
    assert.equal(naive.start_time, apiTime('2031-05-01T10:00:00Z'), 'a naive time is UTC');
    const offset = await createEvent(client, host.token, { start_time: '2031-05-01T10:00:00+05:30', duration_hours: '2' });
    assert.equal(offset.start_time, apiTime('2031-05-01T04:30:00Z'));
    const max = await createEvent(client, host.token, { start_time: '2031-05-01T10:00:00Z', duration_hours: '720' });
    assert.equal(max.end_time, apiTime('2031-05-31T10:00:00Z'));
});

/* ------------------------------------------------------------------------
 * POST: field rules
 */

// 422 VALIDATION_ERROR whose details name `field` (with `type` when given).
function assertFieldError(res, field, type) {
    assertValidationError(res);
    const d = res.json.detail.find((x) => x.loc.at(-1) === field);
    assert.ok(d, `no detail for ${field}: ${summarize(res)}`);
    if (type) assert.equal(d.type, type, summarize(res));
}

test('POST 422 field rules, each one detail naming its field, nothing stored', async () => {
    const before = await eventCount();
    const files = await mediaFiles();
    const cases = [
        [{ title: '   ' }, 'title', 'string_too_short'],
        [{ title: 't'.repeat(201) }, 'title', 'string_too_long'],
        [{ description: ' ' }, 'description', 'string_too_short'],
        [{ title: undefined }, 'title', 'missing'],
        [{ description: undefined }, 'description', 'missing'],
        [{ start_time: undefined }, 'start_time', 'missing'],
        [{ duration_hours: undefined, end_time: '2030-12-31T23:00:00Z' }, 'end_time'],
        [{ duration_hours: undefined, end_time: at(0) }, 'end_time'],
        [{ max_capacity: '-1' }, 'max_capacity'],
        [{ max_capacity: 'x' }, 'max_capacity'],
        [{ is_paid: 'true', ticket_price: '0' }, 'ticket_price'],
        [{ is_paid: 'true' }, 'ticket_price'],
        [{ is_paid: 'false', ticket_price: '10' }, 'ticket_price'],
        [{ ticket_price: '10' }, 'ticket_price'],
        [{ is_paid: 'true', ticket_price: '10.999' }, 'ticket_price'],
        [{ is_paid: 'true', ticket_price: '-5' }, 'ticket_price'],
        [{ is_paid: 'true', ticket_price: '100000000.00' }, 'ticket_price'],
        [{ is_paid: 'maybe' }, 'is_paid'],
        [{ allowed_genders: 'robots' }, 'allowed_genders'],
        [{ status: 'completed' }, 'status'],
        [{ status: 'cancelled' }, 'status'],
        [{ status: 'bogus' }, 'status'],
        [{ venue_text: 'v'.repeat(256) }, 'venue_text'],
        [{ gst_number: 'g'.repeat(51) }, 'gst_number'],
        [{ gst_number: '27AAPFU0939F1ZW' }, 'gst_number', 'value_error'],
        [{ gst_number: '99AAPFU0939F1ZV' }, 'gst_number', 'value_error'],
    ];
    for (const [fields, field, type] of cases) {
        const res = await postEvent(client, host.token, fields);
        assertFieldError(res, field, type);
    }
    assert.equal(await eventCount(), before, 'nothing stored');
    assert.deepEqual(await mediaFiles(), files, 'no cover file left behind');
});

test('POST: the limits themselves are accepted (title 1/200, description 1, no cover, price 99999999.99)', async () => {
    const a = await createEvent(client, host.token, { title: 'a', description: 'd' }, []);
    assert.equal(a.title, 'a');
    assert.equal(a.description, 'd');
    assert.deepEqual(a.cover_images, [], 'the app lets a host skip covers');
    const b = await createEvent(client, host.token, { title: 'T'.repeat(200), is_paid: 'true', ticket_price: '99999999.99' });
    assert.equal(b.title.length, 200);
    assert.equal(b.ticket_price, '99999999.99');
    const c = await createEvent(client, host.token, { is_paid: 'true', ticket_price: '12.5' });
    assert.equal(c.ticket_price, '12.50');
});

test('POST max_capacity: 0..1,000,000 is accepted, above is 422', async () => {
    // docs/events.md: `max_capacity` (integer 0..1,000,000; 0 = unlimited)
    const ev = await createEvent(client, host.token, { max_capacity: '1000000' });
    assert.equal(ev.max_capacity, 1000000);
    const res = await postEvent(client, host.token, { max_capacity: '1000001' });
    assert.equal(res.status, 422);
    assert.equal(res.json.detail[0].loc[1], 'max_capacity');
});

test('POST: a cover over 5 MiB is 400 IMAGE_UPLOAD_FAILED', async () => {
    const big = Buffer.alloc(5 * 1024 * 1024 + 1);
    TINY_PNG.copy(big);
    assertLoopinError(
        await postEvent(client, host.token, {}, [{ data: big, filename: 'big.png', type: 'image/png' }]),
        400, 'IMAGE_UPLOAD_FAILED',
    );
});

test('POST 400 codes: INVALID_DATETIME_FORMAT, INVALID_DURATION, INVALID_INTEREST_IDS_FORMAT', async () => {
    const before = await eventCount();
    for (const start_time of ['tomorrow', '2031-13-01T10:00:00Z', '31/12/2031', ''])
        assertLoopinError(await postEvent(client, host.token, { start_time }), 400, 'INVALID_DATETIME_FORMAT');
    for (const duration_hours of ['0', '-1', 'abc', '721'])
        assertLoopinError(await postEvent(client, host.token, { duration_hours }), 400, 'INVALID_DURATION');
    for (const ids of ['[1,', 'not json', '{"a":1}', '["x"]'])
        assertLoopinError(await postEvent(client, host.token, { event_interest_ids: ids }), 400, 'INVALID_INTEREST_IDS_FORMAT');
    assert.equal(await eventCount(), before);
});

test('POST covers: 4 is 400 TOO_MANY_COVER_IMAGES; GIF or a PNG named .jpg is 400 IMAGE_UPLOAD_FAILED', async () => {
    const before = await eventCount();
    const files = await mediaFiles();
    assertLoopinError(
        await postEvent(client, host.token, {}, [png('1.png'), png('2.png'), png('3.png'), png('4.png')]),
        400, 'TOO_MANY_COVER_IMAGES',
    );
    assertLoopinError(
        await postEvent(client, host.token, {}, [{ data: TINY_GIF, filename: 'x.gif', type: 'image/gif' }]),
        400, 'IMAGE_UPLOAD_FAILED',
    );
    assertLoopinError(
        await postEvent(client, host.token, {}, [{ data: TINY_PNG, filename: 'x.jpg', type: 'image/jpeg' }]),
        400, 'IMAGE_UPLOAD_FAILED',
    );
    assertLoopinError(
        await postEvent(client, host.token, {}, [png('ok.png'), { data: TINY_GIF, filename: 'x.png', type: 'image/png' }]),
        400, 'IMAGE_UPLOAD_FAILED',
    );
    assert.equal(await eventCount(), before);
    assert.deepEqual(await mediaFiles(), files, 'a refused upload stores no file');
});

test('POST: unknown or inactive venue is 404 VENUE_NOT_FOUND', async () => {
    const before = await eventCount();
    assertLoopinError(await postEvent(client, host.token, { venue_id: '999999' }), 404, 'VENUE_NOT_FOUND');
    const v = await createVenue(client, host.token, { name: 'Closing' });
    await dbQuery(server, `UPDATE venues SET is_active = FALSE WHERE id = ${v.id}`);
    assertLoopinError(await postEvent(client, host.token, { venue_id: String(v.id) }), 404, 'VENUE_NOT_FOUND');
    assert.equal(await eventCount(), before);
});

test('POST: unknown and inactive interests are skipped; the answer lists what was kept', async () => {
    await dbQuery(
        server,
        `INSERT INTO event_interests (uuid, name, slug, is_active, created_at, updated_at) VALUES
         ('7e1d3f2a-0000-4000-8000-00000000e001', 'Old Events Topic', 'old-events-topic', FALSE,
          '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')`,
    );
    const id = Number(await dbQuery(server, "SELECT id FROM event_interests WHERE slug = 'old-events-topic'"));
    const ev = await createEvent(client, host.token, { event_interest_ids: `[${id}, 99999, ${interests[0]}]` });
    assert.deepEqual(ev.event_interests.map((i) => i.id), [interests[0]]);
    const none = await createEvent(client, host.token, { event_interest_ids: `[${id}]` });
    assert.deepEqual(none.event_interests, []);
});

test('event_interests: ordered by name in byte order (the same on both databases); any name survives', async () => {
    const names = ['zeta', 'Zeta', 'Caf\u00e9 \u2615', 'Quote " and \\ back', 'Tab\there', 'alpha'];
    const ids = [];
    for (const [i, name] of names.entries()) {
        const sqlName = name.replaceAll("'", "''");
        await dbQuery(
            server,
            `INSERT INTO event_interests (uuid, name, slug, is_active, created_at, updated_at) VALUES
             ('7e1d3f2a-0000-4000-8000-00000000f00${i}', '${sqlName}', 'order-topic-${i}', TRUE,
              '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')`,
        );
        ids.push(Number(await dbQuery(server, `SELECT id FROM event_interests WHERE slug = 'order-topic-${i}'`)));
    }
    const ev = await createEvent(client, host.token, { event_interest_ids: JSON.stringify([...ids].reverse()) });
    const byBytes = (a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)) || a.id - b.id;
    const want = names.map((name, i) => ({ id: ids[i], name, slug: `order-topic-${i}` })).sort(byBytes);
    assert.deepEqual(ev.event_interests, want);
    const again = await client.get(`/api/events/${ev.id}`, { headers: bearer(host.token) });
    assert.equal(again.status, 200);
    assert.deepEqual(again.json.event_interests, want);
    const listed = await client.get(`/api/events?host_id=${host.id}&limit=100`, { headers: bearer(host.token) });
    assert.deepEqual(listed.json.data.find((e) => e.id === ev.id).event_interests, want);
});

test('gst_number: a valid GSTIN is stored upper-cased, "" means none, a wrong check character is 422', async () => {
    const ev = await createEvent(client, host.token, { gst_number: '27aapfu0939f1zv' });
    assert.equal(ev.gst_number, '27AAPFU0939F1ZV');
    const none = await createEvent(client, host.token, { gst_number: '' });
    assert.equal(none.gst_number, '');
    assertFieldError(await putEvent(client, ev.id, host.token, { gst_number: '27AAPFU0939F1ZX' }), 'gst_number', 'value_error');
    assert.equal(okJson(await getEvent(client, ev.id, host.token)).gst_number, '27AAPFU0939F1ZV');
    const cleared = okJson(await putEvent(client, ev.id, host.token, { gst_number: '' }));
    assert.equal(cleared.gst_number, '');
});

test('POST auth: no token 403, waitlisted 403 ACCOUNT_WAITLISTED, nothing stored', async () => {
    const before = await eventCount();
    assertErrorBody(await postEvent(client, null), 403, 'NOT_AUTHENTICATED');
    assertErrorBody(await postEvent(client, waitlisted.token), 403, 'ACCOUNT_WAITLISTED');
    assertErrorBody(await postEvent(client, 'not.a.token'), 401);
    assert.equal(await eventCount(), before);
});

/* ------------------------------------------------------------------------
 * GET /api/events/{id}: visibility
 */

test('GET by id: a public draft is visible to everyone (API.md 5); a private one only to host and staff', async () => {
    const ev = await createEvent(client, host.token, { title: `Draft ${tag()}` });
    assert.equal(okJson(await getEvent(client, ev.id, host.token)).status, 'draft');
    assert.equal(okJson(await getEvent(client, ev.id, other.token)).status, 'draft');
    const hidden = await createEvent(client, host.token, { title: `Hidden ${tag()}`, is_public: 'false' });
    assertLoopinError(await getEvent(client, hidden.id, other.token), 403, 'PERMISSION_DENIED');
    assert.equal(okJson(await getEvent(client, hidden.id, staff.token)).id, hidden.id);
});

test('GET by id: a cancelled public event stays readable (status is a label), host and staff too', async () => {
    const ev = await published();
    okJson(await putEvent(client, ev.id, host.token, { status: 'cancelled' }));
    assert.equal(okJson(await getEvent(client, ev.id, other.token)).status, 'cancelled');
    assert.equal(okJson(await getEvent(client, ev.id, host.token)).status, 'cancelled');
    assert.equal(okJson(await getEvent(client, ev.id, staff.token)).status, 'cancelled');
});

test('GET by id: a published public event is visible to any active user', async () => {
    const ev = await published();
    assert.deepEqual(okJson(await getEvent(client, ev.id, other.token)), ev);
});

test('GET by id: someone else\'s private published event is 403 PERMISSION_DENIED', async () => {
    const ev = await published({ is_public: 'false' });
    assertLoopinError(
        await getEvent(client, ev.id, other.token), 403, 'PERMISSION_DENIED',
        "This is a private event. You don't have permission to view it.",
    );
    assert.equal(okJson(await getEvent(client, ev.id, host.token)).is_public, false);
    assert.equal(okJson(await getEvent(client, ev.id, staff.token)).id, ev.id);
});

test('GET by id: a deleted event is 404 for others, 200 for its host and staff', async () => {
    const ev = await published();
    assert.equal((await deleteEvent(client, ev.id, host.token)).status, 204);
    assertLoopinError(await getEvent(client, ev.id, other.token), 404, 'EVENT_NOT_FOUND');
    assert.equal(okJson(await getEvent(client, ev.id, host.token)).is_active, false);
    assert.equal(okJson(await getEvent(client, ev.id, staff.token)).is_active, false);
});

test('GET by id: unknown id 404, auth required, waitlisted 403', async () => {
    assertLoopinError(await getEvent(client, 987654321, host.token), 404, 'EVENT_NOT_FOUND', 'Event 987654321 not found.');
    const ev = await published();
    assertErrorBody(await getEvent(client, ev.id), 403, 'NOT_AUTHENTICATED');
    assertErrorBody(await getEvent(client, ev.id, waitlisted.token), 403, 'ACCOUNT_WAITLISTED');
});

/* ------------------------------------------------------------------------
 * PUT /api/events/{id}
 */

test('PUT is partial: only the fields sent change', async () => {
    const ev = await createEvent(client, host.token, { title: `Partial ${tag()}`, event_interest_ids: `[${interests[2]}]` });
    const up = okJson(await putEvent(client, ev.id, host.token, { max_capacity: 75, gst_number: '27AAPFU0939F1ZV' }));
    assert.equal(up.max_capacity, 75);
    assert.equal(up.gst_number, '27AAPFU0939F1ZV');
    const strip = ({ max_capacity, gst_number, updated_at, ...rest }) => rest;
    assert.deepEqual(strip(up), strip(ev));
    assert.match(up.updated_at, ISO_Z);
    assert.ok(up.updated_at >= ev.updated_at);
    assert.deepEqual(okJson(await getEvent(client, ev.id, host.token)), up, 'stored as answered');
});

test('PUT title change regenerates an automatic slug and bumps slug_version', async () => {
    const t = tag();
    const ev = await createEvent(client, host.token, { title: `Old Name ${t}` });
    assert.equal(ev.slug, `old-name-${t}`);
    const up = okJson(await putEvent(client, ev.id, host.token, { title: `New Name ${t}` }));
    assert.equal(up.title, `New Name ${t}`);
    assert.equal(up.slug, `new-name-${t}`);
    assert.equal(up.slug_version, 2);
    assert.equal(up.canonical_id, ev.canonical_id);
    assert.equal(up.canonical_url, `/in/unknown/events/new-name-${t}--${ev.canonical_id}`);
    const same = okJson(await putEvent(client, ev.id, host.token, { title: `New Name ${t}`, description: 'A new description here.' }));
    assert.equal(same.slug_version, 2, 'an unchanged title keeps the slug and its version');
});

test('PUT manual slug: valid is kept (version + 1), invalid 422, taken by another event 409 SLUG_TAKEN', async () => {
    const t = tag();
    const ev = await createEvent(client, host.token, { title: `Manual ${t}` });
    const mine = okJson(await putEvent(client, ev.id, host.token, { slug: `my-own-${t}` }));
    assert.equal(mine.slug, `my-own-${t}`);
    assert.equal(mine.slug_version, 2);
    assert.equal(mine.canonical_url, `/in/unknown/events/my-own-${t}--${ev.canonical_id}`);
    const retitled = okJson(await putEvent(client, ev.id, host.token, { title: `Renamed ${t}` }));
    assert.equal(retitled.slug, `my-own-${t}`, 'a manual slug survives a title change');
    assert.equal(retitled.slug_version, 3);
    // (only the character set is in the contract; '-lead', 'a--b' are not asserted either way)
    for (const slug of ['Bad Slug', 'UPPER', 'under_score', 'dot.ted', '', 'x'.repeat(101), 'caf\u00e9', 42, null]) {
        const res = await putEvent(client, ev.id, host.token, { slug });
        assertFieldError(res, 'slug');
    }
    const otherEv = await createEvent(client, host.token, { title: `Taken ${t}` });
    assertLoopinError(await putEvent(client, ev.id, host.token, { slug: otherEv.slug }), 409, 'SLUG_TAKEN');
    assert.equal(okJson(await getEvent(client, ev.id, host.token)).slug, `my-own-${t}`, 'unchanged after 409');
});

test('PUT end_time is checked against the stored start_time (merged), and start against stored end', async () => {
    const ev = await createEvent(client, host.token, { start_time: '2031-06-01T10:00:00Z', duration_hours: '2' });
    assertFieldError(await putEvent(client, ev.id, host.token, { end_time: '2031-06-01T09:00:00Z' }), 'end_time');
    assertFieldError(await putEvent(client, ev.id, host.token, { end_time: '2031-06-01T10:00:00Z' }), 'end_time');
    assertFieldError(await putEvent(client, ev.id, host.token, { start_time: '2031-06-01T13:00:00Z' }), 'end_time');
    const ok = okJson(await putEvent(client, ev.id, host.token, { end_time: '2031-06-01T15:00:00Z' }));
    assert.equal(ok.end_time, apiTime('2031-06-01T15:00:00Z'));
    assert.equal(ok.start_time, apiTime('2031-06-01T10:00:00Z'));
    assertLoopinError(await putEvent(client, ev.id, host.token, { start_time: 'soon' }), 400, 'INVALID_DATETIME_FORMAT');
});

test('PUT merged price rules: is_paid and ticket_price must agree with the stored values', async () => {
    const ev = await createEvent(client, host.token, {});
    assertFieldError(await putEvent(client, ev.id, host.token, { is_paid: true }), 'ticket_price');
    assertFieldError(await putEvent(client, ev.id, host.token, { ticket_price: '20' }), 'ticket_price');
    assertFieldError(await putEvent(client, ev.id, host.token, { is_paid: true, ticket_price: '1.234' }), 'ticket_price');
    const paid = okJson(await putEvent(client, ev.id, host.token, { is_paid: true, ticket_price: '99.9' }));
    assert.equal(paid.ticket_price, '99.90');
    assertFieldError(await putEvent(client, ev.id, host.token, { ticket_price: 0 }), 'ticket_price');
    assertFieldError(await putEvent(client, ev.id, host.token, { title: ' ' }), 'title');
    assertFieldError(await putEvent(client, ev.id, host.token, { allowed_genders: 'robots' }), 'allowed_genders');
    assertFieldError(await putEvent(client, ev.id, host.token, { max_capacity: -1 }), 'max_capacity');
});

test('PUT status transitions follow the state machine; others are 400 INVALID_STATUS_TRANSITION', async () => {
    // Brings a fresh event to `status` along allowed edges.
    const path = { draft: [], published: ['published'], cancelled: ['cancelled'], completed: ['published', 'completed'], postponed: ['published', 'postponed'] };
    async function eventIn(status) {
        const ev = await createEvent(client, host.token, { title: `State ${tag()}` });
        for (const s of path[status]) okJson(await putEvent(client, ev.id, host.token, { status: s }));
        return ev;
    }
    const all = ['draft', 'published', 'cancelled', 'completed', 'postponed'];
    const allowed = {
        draft: ['draft', 'published', 'cancelled'],
        published: ['published', 'completed', 'cancelled', 'postponed'],
        postponed: ['postponed', 'published', 'cancelled'],
        completed: ['completed'],
        cancelled: ['cancelled'],
    };
    for (const from of all) {
        for (const to of all) {
            const ev = await eventIn(from);
            const res = await putEvent(client, ev.id, host.token, { status: to });
            if (allowed[from].includes(to)) {
                assert.equal(okJson(res).status, to, `${from} -> ${to}`);
            } else {
                assertLoopinError(res, 400, 'INVALID_STATUS_TRANSITION');
                assert.equal(okJson(await getEvent(client, ev.id, host.token)).status, from, `${from} -> ${to} refused, unchanged`);
            }
        }
    }
    const ev = await eventIn('draft');
    assertFieldError(await putEvent(client, ev.id, host.token, { status: 'archived' }), 'status');
    assert.equal(okJson(await putEvent(client, ev.id, host.token, { status: 'PUBLISHED' })).status, 'published', 'case-insensitive');
});

test('PUT by another user is 403 PERMISSION_DENIED; staff may edit', async () => {
    const ev = await published();
    assertLoopinError(await putEvent(client, ev.id, other.token, { title: 'Hijacked title' }), 403, 'PERMISSION_DENIED');
    assert.equal(okJson(await getEvent(client, ev.id, host.token)).title, ev.title);
    const up = okJson(await putEvent(client, ev.id, staff.token, { venue_text: 'Moved by staff' }));
    assert.equal(up.venue_text, 'Moved by staff');
    assert.equal(up.host.id, host.id, 'the host stays the host');
    assertErrorBody(await putEvent(client, ev.id, null, { title: 'No token here' }), 403, 'NOT_AUTHENTICATED');
    assertErrorBody(await putEvent(client, ev.id, waitlisted.token, { title: 'Waitlisted' }), 403, 'ACCOUNT_WAITLISTED');
    assertLoopinError(await putEvent(client, 987654321, host.token, { title: 'Nobody' }), 404, 'EVENT_NOT_FOUND');
});

test('PUT max_capacity below going_count is 422; at or above it (or 0 = unlimited) is fine', async () => {
    const ev = await createEvent(client, host.token, {});
    await insertAttendee(server, ev.id, guests[0].id, { seats: 2 });
    await insertAttendee(server, ev.id, guests[1].id);
    assert.equal(okJson(await getEvent(client, ev.id, host.token)).going_count, 3);
    assertFieldError(await putEvent(client, ev.id, host.token, { max_capacity: 2 }), 'max_capacity');
    assert.equal(okJson(await putEvent(client, ev.id, host.token, { max_capacity: 3 })).max_capacity, 3);
    assert.equal(okJson(await putEvent(client, ev.id, host.token, { max_capacity: 0 })).max_capacity, 0);
});

test('PUT event_interest_ids replaces the set; unknown ids are skipped', async () => {
    const ev = await createEvent(client, host.token, { event_interest_ids: `[${interests[0]},${interests[1]}]` });
    assert.equal(ev.event_interests.length, 2);
    const up = okJson(await putEvent(client, ev.id, host.token, { event_interest_ids: [interests[2]] }));
    assert.deepEqual(up.event_interests.map((i) => i.id), [interests[2]]);
    const kept = okJson(await putEvent(client, ev.id, host.token, { venue_text: 'X' }));
    assert.deepEqual(kept.event_interests.map((i) => i.id), [interests[2]], 'not sent: unchanged');
    const skipped = okJson(await putEvent(client, ev.id, host.token, { event_interest_ids: [99999, interests[1]] }));
    assert.deepEqual(skipped.event_interests.map((i) => i.id), [interests[1]]);
    const cleared = okJson(await putEvent(client, ev.id, host.token, { event_interest_ids: [] }));
    assert.deepEqual(cleared.event_interests, []);
});

test('PUT cover_images: a list of 1-3 URLs replaces the covers; 0, 4 or non-URLs are 422', async () => {
    const ev = await createEvent(client, host.token, {});
    const urls = ['https://cdn.example.com/a.jpg', 'http://cdn.example.com/b.png'];
    assert.deepEqual(okJson(await putEvent(client, ev.id, host.token, { cover_images: urls })).cover_images, urls);
    for (const bad of [[], ['https://x/1', 'https://x/2', 'https://x/3', 'https://x/4'], ['ftp://x/a.png'], 'https://x/a.png', [42]])
        assertFieldError(await putEvent(client, ev.id, host.token, { cover_images: bad }), 'cover_images');
    assert.deepEqual(okJson(await getEvent(client, ev.id, host.token)).cover_images, urls);
});

test('PUT venue_id: unknown is 404 VENUE_NOT_FOUND; a venue moves the canonical URL; null unlinks', async () => {
    const t = tag();
    const ev = await createEvent(client, host.token, { title: `Venue Move ${t}`, venue_text: 'Old Town' });
    assert.equal(ev.canonical_url, `/in/old-town/events/venue-move-${t}--${ev.canonical_id}`);
    assertLoopinError(await putEvent(client, ev.id, host.token, { venue_id: 999999 }), 404, 'VENUE_NOT_FOUND');
    const venue = await createVenue(client, host.token, { name: 'Dock', city: 'Chennai' });
    const moved = okJson(await putEvent(client, ev.id, host.token, { venue_id: venue.id }));
    assert.equal(moved.venue.id, venue.id);
    assert.equal(moved.canonical_url, `/in/chennai/events/venue-move-${t}--${ev.canonical_id}`);
    const unlinked = okJson(await putEvent(client, ev.id, host.token, { venue_id: null }));
    assert.equal(unlinked.venue, null);
    assert.equal(unlinked.canonical_url, `/in/old-town/events/venue-move-${t}--${ev.canonical_id}`);
});

test('PUT is_active false deletes the event (hidden from others, then 404 for writes)', async () => {
    const ev = await published();
    const res = await putEvent(client, ev.id, host.token, { is_active: false });
    assert.equal(okJson(res).is_active, false);
    assertLoopinError(await getEvent(client, ev.id, other.token), 404, 'EVENT_NOT_FOUND');
    assertLoopinError(await putEvent(client, ev.id, host.token, { title: 'Back again' }), 404, 'EVENT_NOT_FOUND');
    assertLoopinError(await deleteEvent(client, ev.id, host.token), 404, 'EVENT_NOT_FOUND');
});

test('PUT moving a published event notifies each going attendee with event_update', async () => {
    const t = tag();
    const ev = await published({ title: `Moving ${t}`, start_time: '2031-07-01T18:00:00Z' });
    await insertAttendee(server, ev.id, guests[0].id);
    await insertAttendee(server, ev.id, guests[1].id, { status: 'going', seats: 2 });
    await insertAttendee(server, ev.id, guests[2].id, { status: 'not_going' });
    const notes = async () =>
        (await dbQuery(server, `SELECT recipient_id, type, message FROM notifications WHERE type = 'event_update' AND title = 'Event Updated' AND reference_id = ${ev.id} ORDER BY recipient_id, id`))
            .split('\n').filter(Boolean).map((l) => l.split('|'));

    okJson(await putEvent(client, ev.id, host.token, { description: 'Only the description changed here.' }));
    assert.deepEqual(await notes(), [], 'no notification when neither time nor venue moves');

    const venue = await createVenue(client, host.token, { name: 'New Place', city: 'Pune' });
    okJson(await putEvent(client, ev.id, host.token, { start_time: '2031-07-02T18:00:00Z', end_time: '2031-07-02T21:00:00Z', venue_id: venue.id }));
    const got = await notes();
    const ids = [guests[0].id, guests[1].id].sort((a, b) => a - b);
    assert.deepEqual(got.map((r) => Number(r[0])), ids, 'one notification per going attendee');
    for (const [, type, message] of got) {
        assert.equal(type, 'event_update');
        assert.equal(message, `The event 'Moving ${t}' has been updated (time, venue changed).`);
    }
    okJson(await putEvent(client, ev.id, host.token, { start_time: '2031-07-02T19:00:00Z' }));
    assert.equal((await notes()).length, 4, 'a time-only move notifies again');
});

test('PUT moving a draft notifies nobody', async () => {
    const ev = await createEvent(client, host.token, {});
    await insertAttendee(server, ev.id, guests[0].id);
    okJson(await putEvent(client, ev.id, host.token, { start_time: '2031-01-01T01:00:00Z' }));
    assert.equal(Number(await dbQuery(server, `SELECT count(*) FROM notifications WHERE reference_id = ${ev.id} AND type = 'event_update' AND title = 'Event Updated'`)), 0);
});

test('PUT body must be a JSON object', async () => {
    const ev = await createEvent(client, host.token, {});
    for (const json of [[], 'x', 5]) assertValidationError(await putEvent(client, ev.id, host.token, json));
});

/* ------------------------------------------------------------------------
 * DELETE /api/events/{id}
 */

test('DELETE: 204 with an empty body, then 404', async () => {
    const ev = await published();
    const res = await deleteEvent(client, ev.id, host.token);
    assert.equal(res.status, 204, summarize(res));
    assert.equal(res.text, '');
    assertLoopinError(await deleteEvent(client, ev.id, host.token), 404, 'EVENT_NOT_FOUND', `Event ${ev.id} not found.`);
    assert.equal(await dbQuery(server, `SELECT count(*) FROM events WHERE id = ${ev.id}`), '1', 'a soft delete keeps the row');
});

test('DELETE by another user is 403, by staff 204, without auth 403', async () => {
    const ev = await published();
    assertLoopinError(await deleteEvent(client, ev.id, other.token), 403, 'PERMISSION_DENIED');
    assertErrorBody(await deleteEvent(client, ev.id), 403, 'NOT_AUTHENTICATED');
    assertErrorBody(await deleteEvent(client, ev.id, waitlisted.token), 403, 'ACCOUNT_WAITLISTED');
    assert.equal(okJson(await getEvent(client, ev.id, other.token)).is_active, true);
    assert.equal((await deleteEvent(client, ev.id, staff.token)).status, 204);
});

test('DELETE with a paid attendee is 409 EVENT_HAS_SALES (PUT is_active false too)', async () => {
    const ev = await published({ is_paid: 'true', ticket_price: '150' });
    await insertAttendee(server, ev.id, guests[0].id, { isPaid: true });
    const msg = 'Events with sold tickets or payout requests cannot be deleted; cancel the event instead.';
    assertLoopinError(await deleteEvent(client, ev.id, host.token), 409, 'EVENT_HAS_SALES', msg);
    assertLoopinError(await putEvent(client, ev.id, host.token, { is_active: false }), 409, 'EVENT_HAS_SALES', msg);
    assert.equal(okJson(await getEvent(client, ev.id, other.token)).is_active, true);
    assert.equal(okJson(await putEvent(client, ev.id, host.token, { status: 'cancelled' })).status, 'cancelled', 'cancelling is allowed');
});

test('DELETE with a paid attendance record is 409 EVENT_HAS_SALES', async () => {
    const ev = await published({ is_paid: 'true', ticket_price: '99' });
    await insertAttendee(server, ev.id, guests[1].id);
    await dbQuery(
        server,
        `INSERT INTO attendance_records (uuid, event_id, user_id, status, payment_status, ticket_ref, seats, created_at, updated_at)
         VALUES ('${crypto.randomUUID()}', ${ev.id}, ${guests[1].id}, 'going', 'paid', 'TKT${tag()}', 1,
                 '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')`,
    );
    assertLoopinError(await deleteEvent(client, ev.id, host.token), 409, 'EVENT_HAS_SALES');
});

test('DELETE with only an unpaid attendee is allowed', async () => {
    const ev = await published();
    await insertAttendee(server, ev.id, guests[2].id);
    assert.equal((await deleteEvent(client, ev.id, host.token)).status, 204);
});

/* ------------------------------------------------------------------------
 * Counters kept by the database
 */

test('going_count and requests_count follow attendee and request rows (triggers)', async () => {
    const ev = await published();
    const counts = async () => {
        const e = okJson(await getEvent(client, ev.id, host.token));
        return [e.going_count, e.requests_count];
    };
    await insertAttendee(server, ev.id, guests[0].id, { seats: 2 });
    await insertAttendee(server, ev.id, guests[1].id, { status: 'maybe' });
    assert.deepEqual(await counts(), [2, 0]);
    await dbQuery(server, `UPDATE event_attendees SET status = 'going' WHERE event_id = ${ev.id} AND user_id = ${guests[1].id}`);
    assert.deepEqual(await counts(), [3, 0]);
    await dbQuery(server, `UPDATE event_attendees SET seats = 1 WHERE event_id = ${ev.id} AND user_id = ${guests[0].id}`);
    assert.deepEqual(await counts(), [2, 0]);
    await dbQuery(server, `UPDATE event_attendees SET status = 'cancelled' WHERE event_id = ${ev.id} AND user_id = ${guests[1].id}`);
    assert.deepEqual(await counts(), [1, 0]);
    await dbQuery(server, `DELETE FROM event_attendees WHERE event_id = ${ev.id} AND user_id = ${guests[0].id}`);
    assert.deepEqual(await counts(), [0, 0]);

    await insertRequest(server, ev.id, guests[0].id);
    await insertRequest(server, ev.id, guests[1].id);
    await insertRequest(server, ev.id, guests[2].id, { status: 'declined' });
    assert.deepEqual(await counts(), [0, 2]);
    await dbQuery(server, `UPDATE event_requests SET status = 'accepted' WHERE event_id = ${ev.id} AND requester_id = ${guests[0].id}`);
    assert.deepEqual(await counts(), [0, 1]);
    await dbQuery(server, `UPDATE event_requests SET status = 'pending' WHERE event_id = ${ev.id} AND requester_id = ${guests[2].id}`);
    assert.deepEqual(await counts(), [0, 2]);
    await dbQuery(server, `DELETE FROM event_requests WHERE event_id = ${ev.id} AND status = 'pending'`);
    assert.deepEqual(await counts(), [0, 0]);
});

test('no request answered 5xx', () => {
    assertNo5xx(client);
});
