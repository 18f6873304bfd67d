// events.mjs: helpers for the event API tests (events*.test.mjs,
// docs/events.md): accounts in the states the event routes care about
// (active host, waitlisted, staff, plain users for attendee rows), posting
// an event as multipart with real cover images, venues, and the rows that
// other features would create (attendees, join requests), written straight
// into the database so the counters and rules can be checked without those
// features.

import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { dbQuery } from './server.mjs';
import { summarize } from './http.mjs';
import { login, completeProfile, activate, makeStaff, bearer, TINY_PNG } from './accounts.mjs';

export const ISO_Z = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const CANONICAL_ID_RE = /^[0-9A-Za-z]{10}$/;
export const E164_RE = /^\+[1-9]\d{6,14}$/;

// Every key of EventResponse (docs/events.md), sorted.
export const EVENT_KEYS = [
    'allow_plus_one', 'allowed_genders', 'canonical_id', 'canonical_url', 'cover_images',
    'created_at', 'currency', 'description', 'end_time', 'event_interests', 'going_count',
    'gst_number', 'host', 'id', 'is_active', 'is_paid', 'is_public', 'location', 'max_capacity',
    'payout_status', 'requests_count', 'slug', 'slug_version', 'start_time', 'status', 'ticket_price', 'title',
    'updated_at', 'uuid', 'venue', 'venue_text',
].sort();

// A random lower-case marker (letters then hex digits: one search word, one
// slug-safe token) that keeps each test's events apart in a shared database.
export const tag = () => `zq${randomBytes(5).toString('hex')}`;

// An ISO 8601 UTC time `hours` from a fixed future base (2031-01-01), so
// tests can order events without depending on the clock.
export function at(hours = 0) {
    return new Date(Date.UTC(2031, 0, 1) + hours * 3600e3).toISOString().replace('.000Z', 'Z');
}

// The API's own spelling of an instant (microseconds, Z), for comparisons.
export function apiTime(iso) {
    return new Date(iso).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/* ------------------------------------------------------------------------
 * Accounts
 */

// A user who logged in (no profile): {token, id, phone}.
export async function newUser(server, client, nextPhone) {
    const phone = nextPhone();
    const { token, user_id } = await login(server, client, phone);
    return { token, id: Number(user_id), phone };
}

// A user with a complete profile; active unless {active: false} (the
// waitlist), staff when {staff: true}. name: the profile name.
export async function newAccount(server, client, nextPhone, { active = true, staff = false, name = 'Host Person' } = {}) {
    const u = await newUser(server, client, nextPhone);
    const res = await completeProfile(client, u.token, { name });
    assert.equal(res.json?.success, true, summarize(res));
    if (active) await activate(server, u.id);
    if (staff) await makeStaff(server, u.id);
    return { ...u, name };
}

/* ------------------------------------------------------------------------
 * Events and venues through the API
 */

export const png = (filename = 'cover.png', data = TINY_PNG) => ({ data, filename, type: 'image/png' });

// A valid create form; fields override the defaults (undefined removes a
// field, arrays/objects are sent as JSON text as the apps do).
export function eventFields(fields = {}) {
    return {
        title: 'Sunset Jazz Night',
        description: 'An evening of live jazz by the lake.',
        start_time: at(0),
        duration_hours: '3',
        ...fields,
    };
}

export function eventForm(fields = {}, covers = [png()]) {
    const form = new FormData();
    for (const [k, v] of Object.entries(eventFields(fields))) {
        if (v === undefined) continue;
        form.append(k, typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));
    }
    for (const c of covers) form.append('cover_images', new Blob([c.data], { type: c.type }), c.filename);
    return form;
}

// POST /api/events (multipart); resolves to the response.
export function postEvent(client, token, fields = {}, covers = [png()]) {
    return client.post('/api/events', {
        headers: token ? bearer(token) : {},
        body: eventForm(fields, covers),
    });
}

// POST /api/events expecting 201; resolves to the EventResponse.
export async function createEvent(client, token, fields = {}, covers = [png()]) {
    const res = await postEvent(client, token, fields, covers);
    assert.equal(res.status, 201, summarize(res));
    return res.json;
}

// POST /api/events/venues expecting 201; resolves to the Venue.
export async function createVenue(client, token, body = {}) {
    const res = await client.post('/api/events/venues', {
        headers: bearer(token),
        json: { name: 'The Hall', address: '1 Main Road', city: 'Bengaluru', ...body },
    });
    assert.equal(res.status, 201, summarize(res));
    return res.json;
}

export const getEvent = (client, id, token) =>
    client.get(`/api/events/${id}`, { headers: token ? bearer(token) : {} });
export const putEvent = (client, id, token, json) =>
    client.put(`/api/events/${id}`, { headers: token ? bearer(token) : {}, json });
export const deleteEvent = (client, id, token) =>
    client.del(`/api/events/${id}`, { headers: token ? bearer(token) : {} });

// GET /api/events?params (token optional); resolves to the response.
export function listEvents(client, params = {}, token) {
    const qs = new URLSearchParams(params).toString();
    return client.get(`/api/events${qs ? `?${qs}` : ''}`, { headers: token ? bearer(token) : {} });
}

/* ------------------------------------------------------------------------
 * Rows other features would write
 */

const T0 = '2026-01-01T00:00:00.000000Z';

// An event_attendees row (status going by default); the triggers keep
// events.going_count.
export async function insertAttendee(server, eventId, userId, { status = 'going', seats = 1, isPaid = false } = {}) {
    const checked = status === 'checked_in' ? `'${T0}'` : 'NULL';
    await dbQuery(
        server,
        `INSERT INTO event_attendees (uuid, event_id, user_id, seats, is_paid, price_paid_minor, status, checked_in_at, created_at, updated_at)
         VALUES ('${randomUUID()}', ${Number(eventId)}, ${Number(userId)}, ${Number(seats)}, ${isPaid ? 'TRUE' : 'FALSE'},
                 ${isPaid ? 15000 : 0}, '${status}', ${checked}, '${T0}', '${T0}')`,
    );
}

// An event_requests row (pending by default); the triggers keep
// events.requests_count.
export async function insertRequest(server, eventId, userId, { status = 'pending' } = {}) {
    await dbQuery(
        server,
        `INSERT INTO event_requests (uuid, event_id, requester_id, status, created_at, updated_at)
         VALUES ('${randomUUID()}', ${Number(eventId)}, ${Number(userId)}, '${status}', '${T0}', '${T0}')`,
    );
}

// The ids of the active interests, in id order.
export async function interestIds(server) {
    const rows = await dbQuery(server, 'SELECT id FROM event_interests WHERE is_active = TRUE ORDER BY id');
    return rows.split('\n').filter(Boolean).map(Number);
}

// The Loopin error shape of the event routes (docs/events.md "Errors").
export function assertLoopinError(res, status, code, message) {
    const what = summarize(res);
    assert.equal(res.status, status, `status: ${what}`);
    assert.match(res.headers.get('content-type') ?? '', /json/i, what);
    const b = res.json;
    assert.ok(b && typeof b === 'object', what);
    assert.deepEqual(Object.keys(b).sort(), ['detail', 'details', 'error', 'error_code', 'success'], what);
    assert.equal(b.success, false, what);
    assert.equal(b.error_code, code, what);
    assert.equal(typeof b.error, 'string', what);
    assert.ok(b.error.length > 0, what);
    assert.equal(b.detail, b.error, what);
    assert.ok(b.details && typeof b.details === 'object' && !Array.isArray(b.details), what);
    if (message !== undefined) assert.equal(b.detail, message, what);
}
