// requests.test.mjs: join requests (API.md section 6, docs/admission.md):
// asking, the guest's and the host's views, accepting (seats must fit,
// counted in seats) and declining, with every refusal and permission, on
// both databases.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, dbQuery, summarize } from './lib/server.mjs';
import { assertValidationError, assertErrorBody } from './lib/expect.mjs';
import { assertNo5xx } from './lib/otp.mjs';
import { startAccountsServer, phoneFactory, bearer } from './lib/accounts.mjs';
import { newAccount, createEvent, deleteEvent, insertAttendee, assertLoopinError, tag } from './lib/events.mjs';

const nextPhone = phoneFactory();
let server, client, host, guest, guest2, staff, waitlisted;

before(async () => {
    server = await startAccountsServer();
    client = api(server);
    host = await newAccount(server, client, nextPhone, { name: 'Host Person' });
    guest = await newAccount(server, client, nextPhone, { name: 'Guest One' });
    guest2 = await newAccount(server, client, nextPhone, { name: 'Guest Two' });
    staff = await newAccount(server, client, nextPhone, { staff: true });
    waitlisted = await newAccount(server, client, nextPhone, { active: false });
});

after(async () => {
    await server?.stop();
});

const published = (fields = {}) => createEvent(client, host.token, { title: `Party ${tag()}`, status: 'published', ...fields });
const ask = (token, eventId, json) =>
    client.post(`/api/events/${eventId}/requests`, { headers: bearer(token), ...(json === undefined ? {} : { json }) });
const mine = (token, eventId) => client.get(`/api/events/${eventId}/my-request`, { headers: bearer(token) });
const list = (token, eventId, qs = '') => client.get(`/api/events/${eventId}/requests${qs}`, { headers: bearer(token) });
const answer = (token, eventId, id, action, json) =>
    client.put(`/api/events/${eventId}/requests/${id}/${action}`, { headers: bearer(token), ...(json === undefined ? {} : { json }) });

const REQUEST_KEYS = ['created_at', 'event_id', 'full_name', 'host_message', 'id', 'message', 'profile_picture_url',
    'requester_id', 'requester_name', 'seats_requested', 'status', 'updated_at', 'uuid'].sort();
const STATUS_KEYS = ['can_confirm', 'created_at', 'event_id', 'event_title', 'host_message', 'message', 'request_id',
    'requires_payment', 'reservation_expires_at', 'reservation_key', 'seats_requested', 'status', 'updated_at'].sort();

test('asking: 201 with the request, one pending request per person, both views agree', async () => {
    const ev = await published();
    const res = await ask(guest.token, ev.id, { message: 'Can I bring a guitar?', seats_requested: 2 });
    assert.equal(res.status, 201, summarize(res));
    assert.deepEqual(Object.keys(res.json).sort(), REQUEST_KEYS);
    assert.equal(res.json.status, 'pending');
    assert.equal(res.json.seats_requested, 2);
    assert.equal(res.json.requester_id, guest.id);
    assert.equal(res.json.requester_name, 'Guest One');
    assertLoopinError(await ask(guest.token, ev.id, {}), 400, 'DUPLICATE_REQUEST');
    const me = await mine(guest.token, ev.id);
    assert.equal(me.status, 200, summarize(me));
    assert.deepEqual(Object.keys(me.json).sort(), STATUS_KEYS);
    assert.equal(me.json.request_id, res.json.id);
    assert.equal(me.json.can_confirm, false);
    const all = await client.get('/api/events/my-requests', { headers: bearer(guest.token) });
    assert.ok(all.json.some((r) => r.request_id === res.json.id), summarize(all));
    const pending = await client.get('/api/events/my-requests?status_filter=pending', { headers: bearer(guest.token) });
    assert.ok(pending.json.every((r) => r.status === 'pending'));
    assertValidationError(await client.get('/api/events/my-requests?status_filter=maybe', { headers: bearer(guest.token) }));
    const hostView = await list(host.token, ev.id);
    assert.equal(hostView.status, 200, summarize(hostView));
    assert.equal(hostView.json.total_requests_count, 1);
    assert.equal(hostView.json.requests[0].full_name, 'Guest One');
    const count = await dbQuery(server, `SELECT requests_count FROM events WHERE id = ${ev.id}`);
    assert.equal(Number(count), 1, 'requests_count follows');
    const notes = await dbQuery(server, `SELECT count(*) FROM notifications WHERE recipient_id = ${host.id} AND type = 'event_request' AND title = 'New Request!' AND reference_id = ${res.json.id}`);
    assert.equal(Number(notes), 1, 'the host is told');
});

test('asking with no body at all is one seat', async () => {
    const ev = await published();
    const res = await ask(guest.token, ev.id);
    assert.equal(res.status, 201, summarize(res));
    assert.equal(res.json.seats_requested, 1);
    assert.equal(res.json.message, '');
});

test('who may ask: not the host, not staff, not waitlisted; published, active, not over, the right gender', async () => {
    const ev = await published();
    assertLoopinError(await ask(host.token, ev.id, {}), 400, 'OWN_EVENT');
    assertLoopinError(await ask(staff.token, ev.id, {}), 403, 'ADMIN_CANNOT_REQUEST_EVENT');
    assertErrorBody(await ask(waitlisted.token, ev.id, {}), 403, 'ACCOUNT_WAITLISTED');
    const draft = await createEvent(client, host.token, { title: `Draft ${tag()}` });
    assertLoopinError(await ask(guest.token, draft.id, {}), 400, 'EVENT_NOT_PUBLISHED');
    const gone = await published();
    assert.equal((await deleteEvent(client, gone.id, host.token)).status, 204);
    assertLoopinError(await ask(guest.token, gone.id, {}), 404, 'EVENT_NOT_FOUND');
    assertLoopinError(await ask(guest.token, 987654321, {}), 404, 'EVENT_NOT_FOUND');
    const over = await published();
    await dbQuery(server, `UPDATE events SET start_time = '2020-01-01T10:00:00.000000Z', end_time = '2020-01-01T12:00:00.000000Z' WHERE id = ${over.id}`);
    assertLoopinError(await ask(guest.token, over.id, {}), 400, 'EVENT_ENDED');
    const menOnly = await published({ allowed_genders: 'male' });
    assertLoopinError(await ask(guest.token, menOnly.id, {}), 403, 'GENDER_NOT_ALLOWED');
    const women = await published({ allowed_genders: 'female' });
    assert.equal((await ask(guest.token, women.id, {})).status, 201);
});

test('bad input: seats 0, 11, "x"; a message over 2000 characters; a body that is not an object', async () => {
    const ev = await published();
    for (const json of [{ seats_requested: 0 }, { seats_requested: 11 }, { seats_requested: 'x' }, { message: 'm'.repeat(2001) }, [], 'x'])
        assertValidationError(await ask(guest.token, ev.id, json));
    assert.equal(Number(await dbQuery(server, `SELECT count(*) FROM event_requests WHERE event_id = ${ev.id}`)), 0);
});

test('the host\'s list: host and staff only, paginated as an extension', async () => {
    const ev = await published();
    assert.equal((await ask(guest.token, ev.id, {})).status, 201);
    assert.equal((await ask(guest2.token, ev.id, {})).status, 201);
    assertLoopinError(await list(guest.token, ev.id), 403, 'PERMISSION_DENIED', 'Only the event host can view requests for this event.');
    assert.equal((await list(staff.token, ev.id)).json.total_requests_count, 2);
    const page = await list(host.token, ev.id, '?limit=1&offset=1');
    assert.equal(page.json.requests.length, 1);
    assert.equal(page.json.total, 2);
    assertValidationError(await list(host.token, ev.id, '?limit=0'));
    assertLoopinError(await list(host.token, 987654321), 404, 'EVENT_NOT_FOUND');
});

test('accept: the request is accepted, can_confirm, the guest is told; twice is 404; others 403', async () => {
    const ev = await published();
    const r = (await ask(guest.token, ev.id, { seats_requested: 2 })).json;
    assertLoopinError(await answer(guest.token, ev.id, r.id, 'accept', {}), 403, 'PERMISSION_DENIED');
    const ok = await answer(host.token, ev.id, r.id, 'accept', { host_message: 'See you there' });
    assert.equal(ok.status, 200, summarize(ok));
    assert.deepEqual(Object.keys(ok.json).sort(), STATUS_KEYS);
    assert.equal(ok.json.status, 'accepted');
    assert.equal(ok.json.host_message, 'See you there');
    assert.equal(ok.json.can_confirm, true);
    assertLoopinError(await answer(host.token, ev.id, r.id, 'accept', {}), 404, 'REQUEST_NOT_FOUND');
    assertLoopinError(await ask(guest.token, ev.id, {}), 400, 'ALREADY_ACCEPTED');
    const told = await dbQuery(server, `SELECT title FROM notifications WHERE recipient_id = ${guest.id} AND reference_id = ${r.id} AND type = 'event_request'`);
    assert.equal(told, 'Request Accepted!');
    assert.equal((await mine(guest.token, ev.id)).json.can_confirm, true);
});

test('accept without a body; a request of another event is 404', async () => {
    const ev = await published();
    const otherEv = await published();
    const r = (await ask(guest.token, ev.id, {})).json;
    assertLoopinError(await answer(host.token, otherEv.id, r.id, 'accept'), 404, 'REQUEST_NOT_FOUND');
    assert.equal((await answer(host.token, ev.id, r.id, 'accept')).status, 200);
});

test('capacity is counted in seats: a request that cannot fit is 400 CAPACITY_EXCEEDED with the numbers', async () => {
    const ev = await published({ max_capacity: '3' });
    await insertAttendee(server, ev.id, guest2.id, { seats: 2 });
    const r = (await ask(guest.token, ev.id, { seats_requested: 2 })).json;
    const full = await answer(host.token, ev.id, r.id, 'accept', {});
    assertLoopinError(full, 400, 'CAPACITY_EXCEEDED', 'The event has reached its capacity. Only 1 seat(s) available, but 2 seat(s) requested.');
    assert.deepEqual(full.json.details, { current_attendees: 2, max_capacity: 3, requested_seats: 2, available_seats: 1 });
    assert.equal((await mine(guest.token, ev.id)).json.status, 'pending', 'nothing changed');
});

test('decline: 403 NOT_HOST for others, the guest is told, and cannot ask again', async () => {
    const ev = await published();
    const r = (await ask(guest.token, ev.id, {})).json;
    assertLoopinError(await answer(guest2.token, ev.id, r.id, 'decline', {}), 403, 'NOT_HOST', 'Only the event host can decline requests');
    const no = await answer(host.token, ev.id, r.id, 'decline', {});
    assert.equal(no.status, 200, summarize(no));
    assert.equal(no.json.status, 'declined');
    assert.equal(no.json.can_confirm, false);
    assertLoopinError(await answer(host.token, ev.id, r.id, 'decline', {}), 404, 'REQUEST_NOT_FOUND', 'Request not found or already processed');
    assertLoopinError(await ask(guest.token, ev.id, {}), 400, 'REQUEST_DECLINED');
    assert.equal(Number(await dbQuery(server, `SELECT requests_count FROM events WHERE id = ${ev.id}`)), 0);
});

test('my-request: 404 REQUEST_NOT_FOUND before asking, 404 EVENT_NOT_FOUND for no event', async () => {
    const ev = await published();
    assertLoopinError(await mine(guest2.token, ev.id), 404, 'REQUEST_NOT_FOUND', 'You have not requested to attend this event');
    assertLoopinError(await mine(guest2.token, 987654321), 404, 'EVENT_NOT_FOUND');
});

test('20 parallel asks by one person: exactly one request', async () => {
    const ev = await published();
    const results = await Promise.all(Array.from({ length: 20 }, () => ask(guest2.token, ev.id, {})));
    assert.equal(results.filter((r) => r.status === 201).length, 1);
    for (const r of results.filter((x) => x.status !== 201)) assertLoopinError(r, 400, 'DUPLICATE_REQUEST');
});

const bulk = (token, eventId, json) =>
    client.post(`/api/events/${eventId}/requests/bulk-action`, { headers: bearer(token), json });

test('requester profile: the host sees who asked; others 403 NOT_HOST; another event\'s request 404', async () => {
    const ev = await published();
    const other = await published();
    const r = (await ask(guest.token, ev.id, {})).json;
    const res = await client.get(`/api/events/${ev.id}/requests/${r.id}/profile`, { headers: bearer(host.token) });
    assert.equal(res.status, 200, summarize(res));
    assert.deepEqual(Object.keys(res.json).sort(),
        ['bio', 'event_interests', 'gender', 'is_verified', 'location', 'name', 'phone_number', 'profile_pictures', 'user_id']);
    assert.equal(res.json.user_id, guest.id);
    assert.equal(res.json.name, 'Guest One');
    for (const i of res.json.event_interests) assert.deepEqual(Object.keys(i).sort(), ['id', 'name']);
    assertLoopinError(await client.get(`/api/events/${ev.id}/requests/${r.id}/profile`, { headers: bearer(guest2.token) }),
        403, 'NOT_HOST', 'Only the event host can view requester profiles');
    assertLoopinError(await client.get(`/api/events/${other.id}/requests/${r.id}/profile`, { headers: bearer(host.token) }),
        404, 'REQUEST_NOT_FOUND', 'Request not found');
});

test('bulk accept: all or nothing on capacity; others are ignored; each guest told', async () => {
    const ev = await published({ max_capacity: '3' });
    const a = (await ask(guest.token, ev.id, { seats_requested: 2 })).json;
    const b = (await ask(guest2.token, ev.id, { seats_requested: 2 })).json;
    const over = await bulk(host.token, ev.id, { request_ids: [a.id, b.id], action: 'accept' });
    assertLoopinError(over, 400, 'CAPACITY_EXCEEDED', 'Cannot accept all requests: would exceed capacity. Available: 3, Requested: 4');
    assert.equal((await mine(guest.token, ev.id)).json.status, 'pending', 'nothing accepted');
    const one = await bulk(host.token, ev.id, { request_ids: [a.id, 987654], action: 'accept', host_message: 'Welcome' });
    assert.equal(one.status, 200, summarize(one));
    assert.deepEqual(one.json, { success: true, processed_count: 1, accepted_count: 1, declined_count: 0, errors: [] });
    assert.equal((await mine(guest.token, ev.id)).json.status, 'accepted');
    assertLoopinError(await bulk(host.token, ev.id, { request_ids: [a.id], action: 'decline' }), 400, 'NO_PENDING_REQUESTS');
    const no = await bulk(host.token, ev.id, { request_ids: [b.id], action: 'decline' });
    assert.deepEqual(no.json, { success: true, processed_count: 1, accepted_count: 0, declined_count: 1, errors: [] });
    assertLoopinError(await bulk(guest.token, ev.id, { request_ids: [b.id], action: 'accept' }), 403, 'PERMISSION_DENIED');
});

test('bulk: bad input is 422', async () => {
    const ev = await published();
    for (const json of [{}, { request_ids: [], action: 'accept' }, { request_ids: Array(101).fill(1), action: 'accept' },
        { request_ids: ['x'], action: 'accept' }, { request_ids: [0], action: 'accept' }, { request_ids: [1], action: 'maybe' }])
        assertValidationError(await bulk(host.token, ev.id, json));
});

test('no request answered 5xx', () => {
    assertNo5xx(client);
});
