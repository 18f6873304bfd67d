// idempotency.test.mjs: the Idempotency-Key header on the routes that move
// seats (issue 10 point 8; docs/ARCHITECTURE.md, "Idempotency keys"): a retry
// with the same key and request replays the stored response byte for byte
// (with Idempotent-Replayed: true) and moves nothing; the same key with a
// different request is 422; keys are per account and per route; concurrent
// retries run the work once (the others 409 with Retry-After or the replay);
// a 5xx releases the key; keys expire after 24 hours (the test clock) and
// are purged; a malformed key is 400. On both databases.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, dbQuery, dbKind, summarize, sleep } from './lib/server.mjs';
import { assertNo5xx } from './lib/otp.mjs';
import { startAccountsServer, phoneFactory, bearer } from './lib/accounts.mjs';
import { newAccount, createEvent, assertLoopinError, tag } from './lib/events.mjs';

const nextPhone = phoneFactory();
let server, client, host, guests;

before(async () => {
    server = await startAccountsServer({ env: { LOOPIN_JOBS_POLL_MS: '100' } });
    client = api(server);
    host = await newAccount(server, client, nextPhone, { name: 'Host Person' });
    guests = [];
    for (let i = 0; i < 8; i++) guests.push(await newAccount(server, client, nextPhone, { name: `Guest ${'ABCDEFGH'[i]}` }));
});

after(async () => {
    await server?.stop();
});

const published = (fields = {}) => createEvent(client, host.token, { title: `Party ${tag()}`, status: 'published', ...fields });
const key = () => `key-${tag()}`;
const withKey = (token, k) => ({ ...bearer(token), ...(k === undefined ? {} : { 'idempotency-key': k }) });
const confirm = (guest, ev, k, json = {}, c = client) =>
    c.post(`/api/events/${ev.id}/confirm-attendance`, { headers: withKey(guest.token, k), json });
const cancel = (guest, ev, k, json = {}) => client.post(`/api/events/${ev.id}/cancel-attendance`, { headers: withKey(guest.token, k), json });
const accept = (ev, rid, k, json = {}) => client.put(`/api/events/${ev.id}/requests/${rid}/accept`, { headers: withKey(host.token, k), json });
const going = async (ev) => (await client.get(`/api/events/${ev.id}`, { headers: bearer(host.token) })).json.going_count;
const records = async (ev, guest) =>
    Number(await dbQuery(server, `SELECT count(*) FROM attendance_records WHERE event_id = ${ev.id} AND user_id = ${guest.id}`));
const replayed = (res) => res.headers.get('idempotent-replayed');

async function ask(guest, ev, seats = 1) {
    const r = await client.post(`/api/events/${ev.id}/requests`, { headers: bearer(guest.token), json: { seats_requested: seats } });
    assert.equal(r.status, 201, summarize(r));
    return r.json.id;
}

async function accepted(ev, guest, seats = 1) {
    const rid = await ask(guest, ev, seats);
    const a = await accept(ev, rid);
    assert.equal(a.status, 200, summarize(a));
    return rid;
}

// The same response again: status, content type and the very bytes, marked.
function assertReplay(res, first) {
    assert.equal(res.status, first.status, summarize(res));
    assert.equal(res.headers.get('content-type'), first.headers.get('content-type'));
    assert.equal(res.text, first.text, 'the stored body, byte for byte');
    assert.equal(replayed(res), 'true', summarize(res));
}

test('a retry with the same key and body replays the response and takes no more seats', async () => {
    const ev = await published({ max_capacity: 5 });
    await accepted(ev, guests[0], 2);
    const k = key();
    const first = await confirm(guests[0], ev, k);
    assert.equal(first.status, 200, summarize(first));
    assert.equal(replayed(first), null, 'the first answer is not a replay');
    assert.equal(first.json.seats, 2);
    for (let i = 0; i < 2; i++) assertReplay(await confirm(guests[0], ev, k), first);
    assert.equal(await going(ev), 2, 'the seats were taken once');
    assert.equal(await records(ev, guests[0]), 1, 'one attendee row, one ticket');
    // Without the key the route is unchanged: the work runs and refuses.
    assertLoopinError(await confirm(guests[0], ev), 400, 'ALREADY_CONFIRMED');
    // The stored row: scoped key hash, the route pattern, a 24-hour expiry.
    const row = await dbQuery(server,
        `SELECT method, path, response_status, length(key), length(request_hash) FROM idempotency_keys WHERE user_id = ${guests[0].id}`);
    assert.equal(row, 'POST|/api/events/{event_id:int}/confirm-attendance|200|64|64');
});

test('the same key with a different body, or another event, is 422 IDEMPOTENCY_KEY_REUSED', async () => {
    const ev = await published({ max_capacity: 5 });
    const other = await published({ max_capacity: 5 });
    await accepted(ev, guests[1], 2);
    await accepted(other, guests[1], 1);
    const k = key();
    const first = await confirm(guests[1], ev, k, { seats: 1 });
    assert.equal(first.status, 200, summarize(first));
    assertLoopinError(await confirm(guests[1], ev, k, { seats: 2 }), 422, 'IDEMPOTENCY_KEY_REUSED');
    assertLoopinError(await confirm(guests[1], ev, k, {}), 422, 'IDEMPOTENCY_KEY_REUSED');
    assertLoopinError(await confirm(guests[1], other, k, { seats: 1 }), 422, 'IDEMPOTENCY_KEY_REUSED');
    assert.equal(await records(ev, guests[1]), 1);
    assert.equal(await records(other, guests[1]), 0, 'nothing ran on the other event');
    assert.equal(await going(ev), 1);
    assertReplay(await confirm(guests[1], ev, k, { seats: 1 }), first);
});

test('keys are per account and per route: another user, or another route, with the same key runs', async () => {
    const ev = await published({ max_capacity: 5 });
    await accepted(ev, guests[2]);
    await accepted(ev, guests[3]);
    const k = key();
    const a = await confirm(guests[2], ev, k);
    const b = await confirm(guests[3], ev, k);
    assert.equal(a.status, 200, summarize(a));
    assert.equal(b.status, 200, summarize(b));
    assert.equal(replayed(b), null);
    assert.notEqual(a.json.ticket_id, b.json.ticket_id);
    assert.equal(await going(ev), 2);
    // cancel-attendance with the key confirm used: its own scope, it runs
    const c = await cancel(guests[2], ev, k);
    assert.equal(c.status, 200, summarize(c));
    assert.equal(replayed(c), null);
    assert.equal(c.json.seats_released, 1);
    assertReplay(await cancel(guests[2], ev, k), c);
    assert.equal(await going(ev), 1, 'the replayed cancel released nothing more');
    assertReplay(await confirm(guests[2], ev, k), a);
});

test('10 concurrent requests with one key: the work runs once, the others get 409 or the replay', async () => {
    const ev = await published({ max_capacity: 10 });
    await accepted(ev, guests[4], 3);
    const k = key();
    const all = await Promise.all(Array.from({ length: 10 }, () => confirm(guests[4], ev, k)));
    const ran = all.filter((r) => r.status === 200 && replayed(r) === null);
    assert.equal(ran.length, 1, all.map(summarize).join('\n'));
    for (const r of all) {
        if (r === ran[0]) continue;
        if (r.status === 409) {
            assertLoopinError(r, 409, 'IDEMPOTENCY_IN_PROGRESS');
            assert.equal(r.headers.get('retry-after'), '1');
            assert.equal(replayed(r), null);
        } else {
            assertReplay(r, ran[0]);
        }
    }
    assert.equal(await records(ev, guests[4]), 1, 'one attendee row');
    assert.equal(await going(ev), 3, 'three seats, taken once');
    assertReplay(await confirm(guests[4], ev, k), ran[0]);
});

test('refusals are stored and replayed too; accept and bulk-action honour the key', async () => {
    const ev = await published({ max_capacity: 3 });
    const k = key();
    const refused = await confirm(guests[5], ev, k);
    assertLoopinError(refused, 400, 'NO_ACCEPTED_REQUEST');
    const rid = await ask(guests[5], ev, 2);
    const ka = key();
    const a = await accept(ev, rid, ka);
    assert.equal(a.status, 200, summarize(a));
    assertReplay(await accept(ev, rid, ka), a);
    assertLoopinError(await accept(ev, rid, ka, { host_message: 'welcome' }), 422, 'IDEMPOTENCY_KEY_REUSED');
    // The stored refusal is what a retry with that key gets, within 24 hours.
    assertReplay(await confirm(guests[5], ev, k), refused);
    const rid2 = await ask(guests[6], ev, 1);
    const kb = key();
    const body = { request_ids: [rid2], action: 'accept' };
    const bulk = await client.post(`/api/events/${ev.id}/requests/bulk-action`, { headers: withKey(host.token, kb), json: body });
    assert.equal(bulk.status, 200, summarize(bulk));
    const again = await client.post(`/api/events/${ev.id}/requests/bulk-action`, { headers: withKey(host.token, kb), json: body });
    assertReplay(again, bulk);
    assert.equal(await dbQuery(server, `SELECT status FROM event_requests WHERE id = ${rid2}`), 'accepted');
});

test('a malformed key is 400 INVALID_IDEMPOTENCY_KEY and nothing runs', async () => {
    const ev = await published({ max_capacity: 3 });
    await accepted(ev, guests[6]);
    for (const bad of ['', 'x'.repeat(256), 'tab\there', 'caf\u00e9']) {
        const res = await confirm(guests[6], ev, bad);
        assertLoopinError(res, 400, 'INVALID_IDEMPOTENCY_KEY');
    }
    assert.equal(await records(ev, guests[6]), 0);
    const longest = await confirm(guests[6], ev, `${'k'.repeat(200)} ~!@#$%^&*()[]{}<>"'${'z'.repeat(27)}`);
    assert.equal(longest.status, 200, summarize(longest));
    // Bad input of the route itself is still its own 422, and is not stored.
    const k = key();
    const invalid = await confirm(guests[6], ev, k, { seats: 'two' });
    assert.equal(invalid.status, 422, summarize(invalid));
    assert.equal(await dbQuery(server, `SELECT count(*) FROM idempotency_keys WHERE user_id = ${guests[6].id}`), '1');
});

test('a 5xx is not stored: the key is released and a retry runs the work', async () => {
    const ev = await published({ max_capacity: 3 });
    await accepted(ev, guests[7]);
    const fault = dbKind() === 'postgres'
        ? [`CREATE FUNCTION idem_fault() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN RAISE EXCEPTION 'injected'; END $f$;
            CREATE TRIGGER idem_fault BEFORE INSERT ON attendance_records FOR EACH ROW EXECUTE FUNCTION idem_fault()`,
            'DROP TRIGGER idem_fault ON attendance_records; DROP FUNCTION idem_fault()']
        : ["CREATE TRIGGER idem_fault BEFORE INSERT ON attendance_records BEGIN SELECT RAISE(ABORT, 'injected'); END",
            'DROP TRIGGER idem_fault'];
    const k = key();
    const failing = api(server); // its 5xx is expected; `client` must have none
    await dbQuery(server, fault[0]);
    let res;
    try {
        res = await confirm(guests[7], ev, k, {}, failing);
    } finally {
        await dbQuery(server, fault[1]);
    }
    assert.equal(res.status, 500, summarize(res));
    assert.equal(await dbQuery(server, `SELECT count(*) FROM idempotency_keys WHERE user_id = ${guests[7].id}`), '0', 'the claim was released');
    const retry = await confirm(guests[7], ev, k);
    assert.equal(retry.status, 200, summarize(retry));
    assert.equal(replayed(retry), null);
    assert.equal(await records(ev, guests[7]), 1);
});

test('an expired key (24 h) is new: the request runs again; expired keys are purged', async () => {
    const ev = await published({ max_capacity: 5 });
    const guest = guests[0];
    const k = key();
    const refused = await confirm(guest, ev, k);
    assertLoopinError(refused, 400, 'NO_ACCEPTED_REQUEST');
    await accepted(ev, guest);
    assertReplay(await confirm(guest, ev, k), refused);
    // A row past its expiry (written here) is taken over by the next request.
    const k2 = key();
    const other = await published({ max_capacity: 5 });
    await accepted(other, guest);
    const r1 = await cancel(guest, other, k2);
    assertLoopinError(r1, 404, 'ATTENDANCE_NOT_FOUND');
    await dbQuery(server, `UPDATE idempotency_keys SET expires_at = '2000-01-01T00:00:00.000000Z' WHERE user_id = ${guest.id} AND method = 'POST' AND path LIKE '%cancel-attendance'`);
    assert.equal((await confirm(guest, other, undefined)).status, 200);
    const r2 = await cancel(guest, other, k2);
    assert.equal(r2.status, 200, summarize(r2));
    assert.equal(replayed(r2), null);

    const before = Number(await dbQuery(server, 'SELECT count(*) FROM idempotency_keys'));
    assert.ok(before >= 10, `${before} keys stored so far`);
    const clock = await client.post('/_test/clock', { json: { advance_seconds: 25 * 3600 } });
    assert.equal(clock.status, 200, summarize(clock));
    const fresh = await confirm(guest, ev, k);
    assert.equal(fresh.status, 200, summarize(fresh));
    assert.equal(replayed(fresh), null, 'run anew, not replayed');
    assert.equal(fresh.json.seats, 1);
    assertReplay(await confirm(guest, ev, k), fresh);
    // The purge job (due now that the clock moved) deletes every expired key;
    // only the one just used lives on.
    let left = before;
    for (let i = 0; i < 100 && left > 1; i++) {
        left = Number(await dbQuery(server, 'SELECT count(*) FROM idempotency_keys'));
        if (left > 1) await sleep(100);
    }
    assert.equal(left, 1, 'expired keys purged');
    assert.equal(await dbQuery(server, 'SELECT response_status FROM idempotency_keys'), '200');
});

test('no request answered 5xx', () => {
    assertNo5xx(client);
});
