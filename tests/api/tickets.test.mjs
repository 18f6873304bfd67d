// tickets.test.mjs: attendance, signed tickets and the door (issue 9; API.md
// section 7, docs/tickets.md): confirming takes seats (counted in seats, by
// the seat buckets), cancelling releases them and revokes the code, the
// ticket object and its signed code, check-in by code / by attendee with
// nonce idempotency, exit and re-entry, scan data and offline sync, with the
// refusals and permissions, on both databases.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, sign, randomBytes } from 'node:crypto';
import { api, dbQuery, summarize } from './lib/server.mjs';
import { assertValidationError } from './lib/expect.mjs';
import { assertNo5xx } from './lib/otp.mjs';
import { startAccountsServer, phoneFactory, bearer } from './lib/accounts.mjs';
import { newAccount, createEvent, assertLoopinError, tag } from './lib/events.mjs';

const nextPhone = phoneFactory();
let server, client, host, staff, guests;

before(async () => {
    server = await startAccountsServer();
    client = api(server);
    host = await newAccount(server, client, nextPhone, { name: 'Host Person' });
    staff = await newAccount(server, client, nextPhone, { staff: true });
    guests = [];
    for (let i = 0; i < 6; i++) guests.push(await newAccount(server, client, nextPhone, { name: `Guest ${'ABCDEF'[i]}` }));
});

after(async () => {
    await server?.stop();
});

const published = (fields = {}) => createEvent(client, host.token, { title: `Party ${tag()}`, status: 'published', ...fields });
const post = (token, path, json) => client.post(path, { headers: bearer(token), ...(json === undefined ? {} : { json }) });
const get = (token, path) => client.get(path, { headers: bearer(token) });

async function accepted(ev, guest, seats = 1) {
    const r = await post(guest.token, `/api/events/${ev.id}/requests`, { seats_requested: seats });
    assert.equal(r.status, 201, summarize(r));
    const a = await client.put(`/api/events/${ev.id}/requests/${r.json.id}/accept`, { headers: bearer(host.token), json: {} });
    assert.equal(a.status, 200, summarize(a));
    return r.json.id;
}
const confirm = (guest, ev, json = {}) => post(guest.token, `/api/events/${ev.id}/confirm-attendance`, json);
const going = async (ev) => (await get(host.token, `/api/events/${ev.id}`)).json.going_count;
const scan = (token, ev, json) => post(token, `/api/events/${ev.id}/check-in`, json);

const TICKET_KEYS = ['checked_in_at', 'cover_image_url', 'created_at', 'event_end_time', 'event_id', 'event_start_time',
    'event_title', 'is_paid', 'payment_status', 'qr_code_data', 'seats', 'status', 'ticket_id', 'ticket_secret',
    'ticket_uuid', 'updated_at', 'venue_name'].sort();

test('confirm: takes the accepted seats, issues a signed ticket; going_count in seats', async () => {
    const ev = await published({ max_capacity: 5 });
    await accepted(ev, guests[0], 3);
    const res = await confirm(guests[0], ev);
    assert.equal(res.status, 200, summarize(res));
    assert.deepEqual(Object.keys(res.json).sort(), TICKET_KEYS);
    assert.equal(res.json.seats, 3, 'no seats sent: all the accepted ones');
    assert.equal(res.json.status, 'going');
    assert.equal(res.json.is_paid, false);
    assert.match(res.json.ticket_secret, /^[A-Za-z0-9_-]{130}$/);
    assert.equal(res.json.qr_code_data, `EVENT:${ev.id}:TICKET:${res.json.ticket_secret}`);
    assert.equal(await going(ev), 3);
    const hash = createHash('sha256').update(res.json.ticket_secret).digest('hex');
    assert.equal(await dbQuery(server, `SELECT code_hash FROM attendance_records WHERE id = ${res.json.ticket_id}`), hash,
        'the database keeps the hash of the code');
    assert.equal(String(await dbQuery(server, `SELECT count(*) FROM attendance_records WHERE code_hash LIKE '%${res.json.ticket_secret.slice(0, 20)}%'`)), '0');
    assertLoopinError(await confirm(guests[0], ev), 400, 'ALREADY_CONFIRMED');
    const mine = await get(guests[0].token, `/api/events/${ev.id}/my-ticket`);
    assert.equal(mine.status, 200, summarize(mine));
    assert.equal(mine.json.ticket_secret, res.json.ticket_secret, 'the code is re-derived, the same every time');
    const all = await get(guests[0].token, '/api/events/my-tickets');
    assert.equal(all.status, 200);
    assert.ok(Array.isArray(all.json), 'a bare list (the app reads it raw)');
    assert.ok(all.json.some((t) => t.ticket_id === res.json.ticket_id));
    const filtered = await get(guests[0].token, `/api/events/my-tickets?event_id=${ev.id}`);
    assert.equal(filtered.json.length, 1);
    assertValidationError(await get(guests[0].token, '/api/events/my-tickets?event_id=abc'));
    const note = await dbQuery(server, `SELECT count(*) FROM notifications WHERE recipient_id = ${guests[0].id} AND title = 'Ticket Confirmed'`);
    assert.ok(Number(note) >= 1);
});

test('confirm refusals: no accepted request, more seats than accepted, capacity full, paid, unknown event, bad body', async () => {
    const ev = await published({ max_capacity: 2 });
    assertLoopinError(await confirm(guests[1], ev), 400, 'NO_ACCEPTED_REQUEST');
    await accepted(ev, guests[1], 2);
    await accepted(ev, guests[2], 1);
    assertLoopinError(await confirm(guests[1], ev, { seats: 3 }), 400, 'SEATS_EXCEED_ACCEPTED');
    assertValidationError(await confirm(guests[1], ev, { seats: 0 }), { loc: ['body', 'seats'] });
    assertValidationError(await confirm(guests[1], ev, { seats: 11 }), { loc: ['body', 'seats'] });
    assertValidationError(await confirm(guests[1], ev, { seats: 'two' }), { loc: ['body', 'seats'] });
    assert.equal((await confirm(guests[1], ev, { seats: 2 })).status, 200);
    const full = await confirm(guests[2], ev);
    assertLoopinError(full, 400, 'CAPACITY_FULL');
    assert.equal(await going(ev), 2, 'nothing moved');
    assert.equal(String(await dbQuery(server, `SELECT count(*) FROM attendance_records WHERE event_id = ${ev.id}`)), '1');
    assertLoopinError(await confirm(guests[1], { id: 987654321 }), 404, 'EVENT_NOT_FOUND');
    const paid = await published({ is_paid: 'true', ticket_price: '150.00' });
    await accepted(paid, guests[3]);
    assertLoopinError(await confirm(guests[3], paid), 400, 'PAYMENT_REQUIRED');
    const waitlisted = await newAccount(server, client, nextPhone, { active: false });
    const wl = await post(waitlisted.token, `/api/events/${ev.id}/confirm-attendance`, {});
    assert.equal(wl.status, 403, summarize(wl));
    assert.equal(wl.json.error_code, 'ACCOUNT_WAITLISTED');
    const noToken = await client.post(`/api/events/${ev.id}/confirm-attendance`, { json: {} });
    assert.equal(noToken.status, 403, summarize(noToken));
});

test('cancel: releases the seats, revokes the code, re-confirming issues a new code', async () => {
    const ev = await published({ max_capacity: 3 });
    const rid = await accepted(ev, guests[4], 2);
    const t1 = (await confirm(guests[4], ev)).json;
    assert.equal(await going(ev), 2);
    const c = await post(guests[4].token, `/api/events/${ev.id}/cancel-attendance`, {});
    assert.equal(c.status, 200, summarize(c));
    assert.equal(c.json.seats_released, 2);
    assert.equal(await going(ev), 0);
    assertLoopinError(await get(guests[4].token, `/api/events/${ev.id}/my-ticket`), 404, 'TICKET_NOT_FOUND');
    assertLoopinError(await post(guests[4].token, `/api/events/${ev.id}/cancel-attendance`, {}), 404, 'ATTENDANCE_NOT_FOUND');
    assert.equal(await dbQuery(server, `SELECT status FROM event_requests WHERE id = ${rid}`), 'cancelled');
    const revoked = await dbQuery(server, `SELECT reason FROM ticket_revocations WHERE attendance_record_id = ${t1.ticket_id}`);
    assert.equal(revoked, 'cancelled');
    const door = await scan(host.token, ev, { code: t1.qr_code_data, nonce: `n-${tag()}` });
    assert.equal(door.status, 200, summarize(door));
    assert.equal(door.json.status, 'error');
    assert.equal(door.json.reason, 'canceled');
    // ask again, accepted again, confirm: the same ticket row, a new code
    await accepted(ev, guests[4], 1);
    const t2 = (await confirm(guests[4], ev)).json;
    assert.equal(t2.ticket_id, t1.ticket_id);
    assert.notEqual(t2.ticket_secret, t1.ticket_secret);
    const old = await scan(host.token, ev, { code: t1.ticket_secret, nonce: `n-${tag()}` });
    assert.equal(old.json.reason, 'revoked');
});

test('check-in: one ok per ticket, nonce replays the answer, exit and re-entry, tampering and other events', async () => {
    const ev = await published();
    const other = await published();
    await accepted(ev, guests[5], 1);
    const t = (await confirm(guests[5], ev)).json;
    const nonce = `n-${tag()}`;
    const first = await scan(host.token, ev, { code: t.qr_code_data, nonce, type: 'entry' });
    assert.equal(first.status, 200, summarize(first));
    assert.equal(first.json.status, 'ok');
    assert.equal(first.json.reason, null);
    assert.equal(first.json.attendee.name, 'Guest F');
    assert.equal(first.json.attendee.seats, 1);
    const again = await scan(host.token, ev, { code: t.qr_code_data, nonce, type: 'entry' });
    assert.deepEqual(again.json, first.json, 'the same nonce, the same answer');
    const dup = await scan(host.token, ev, { code: t.ticket_secret, nonce: `n-${tag()}` });
    assert.equal(dup.json.reason, 'already_redeemed');
    assert.equal(dup.json.already_checked_in, true);
    const out = await scan(host.token, ev, { code: t.ticket_secret, nonce: `n-${tag()}`, type: 'exit' });
    assert.equal(out.json.status, 'ok', summarize(out));
    assert.equal(out.json.attendance.status, 'not_going');
    const back = await scan(staff.token, ev, { code: t.ticket_secret, nonce: `n-${tag()}` });
    assert.equal(back.json.status, 'ok', 'staff may scan; re-entry after exit');
    const wrong = await scan(host.token, other, { code: t.ticket_secret, nonce: `n-${tag()}` });
    assert.equal(wrong.json.reason, 'wrong_event');
    // a tampered character in the signature part: still a code, not signed by the key
    const chars = t.ticket_secret.split('');
    chars[60] = chars[60] === 'A' ? 'B' : 'A';
    const tampered = await scan(host.token, ev, { code: chars.join(''), nonce: `n-${tag()}` });
    assert.equal(tampered.json.reason, 'invalid', summarize(tampered));
    // the same payload re-signed with another key pair: well formed, not the event's signature
    const raw = Buffer.from(t.ticket_secret, 'base64url');
    const { privateKey } = generateKeyPairSync('ed25519');
    const forged = Buffer.concat([raw.subarray(0, 33), sign(null, raw.subarray(0, 33), privateKey)]).toString('base64url');
    const resigned = await scan(host.token, ev, { code: forged, nonce: `n-${tag()}` });
    assert.equal(resigned.json.reason, 'invalid', summarize(resigned));
    // a payload naming another ticket of this event with a fresh seed, signed by another key
    const other2 = Buffer.concat([raw.subarray(0, 17), randomBytes(16)]);
    other2.writeBigUInt64BE(BigInt(t.ticket_id), 1);
    const forged2 = Buffer.concat([other2, sign(null, other2, privateKey)]).toString('base64url');
    assert.equal((await scan(host.token, ev, { code: forged2, nonce: `n-${tag()}` })).json.reason, 'invalid');
    assertLoopinError(await scan(host.token, ev, { code: 'not-a-ticket', nonce: `n-${tag()}` }), 404, 'TICKET_NOT_FOUND');
    assertLoopinError(await scan(host.token, ev, { code: t.ticket_secret.slice(0, 100) }), 404, 'TICKET_NOT_FOUND');
    assertLoopinError(await scan(guests[5].token, ev, { code: t.ticket_secret }), 403, 'PERMISSION_DENIED');
    assertValidationError(await scan(host.token, ev, { code: t.ticket_secret, type: 'sideways' }), { loc: ['body', 'type'] });
    assertValidationError(await scan(host.token, ev, { code: t.ticket_secret, scanned_at: 'yesterday' }), { loc: ['body', 'scanned_at'] });
    assertLoopinError(await scan(host.token, ev, { nonce: 'x' }), 400, 'CODE_REQUIRED');
    const list = await get(host.token, `/api/events/${ev.id}/check-ins`);
    assert.deepEqual(list.json.checked_in.map((c) => c.user_id), [guests[5].id]);
    const att = await get(host.token, `/api/events/${ev.id}/attendees`);
    assert.equal(att.status, 200, summarize(att));
    assert.equal(att.json.going_count, 1);
    assert.equal(att.json.attendees[0].ticket_secret, t.ticket_secret, 'the app checks in with it');
    assert.equal(att.json.attendees[0].checked_in, true);
    assertLoopinError(await get(guests[5].token, `/api/events/${ev.id}/attendees`), 403, 'PERMISSION_DENIED');
});

test('the app: check-in by attendee, 404 for someone without a ticket', async () => {
    const ev = await published();
    await accepted(ev, guests[0], 1);
    await confirm(guests[0], ev);
    const ok = await post(host.token, `/api/events/${ev.id}/attendees/${guests[0].id}/check-in`, {});
    assert.equal(ok.status, 200, summarize(ok));
    assert.equal(ok.json.success, true);
    const twice = await post(host.token, `/api/events/${ev.id}/attendees/${guests[0].id}/check-in`, {});
    assert.equal(twice.json.already_checked_in, true);
    assertLoopinError(await post(host.token, `/api/events/${ev.id}/attendees/${guests[1].id}/check-in`, {}), 404, 'ATTENDEE_NOT_FOUND');
});

test('scan data and offline sync: public key, tickets, revocations; a batch applied once', async () => {
    const ev = await published();
    const tickets = [];
    for (const g of guests.slice(0, 3)) {
        await accepted(ev, g, 1);
        tickets.push((await confirm(g, ev)).json);
    }
    const data = await get(host.token, `/api/events/${ev.id}/scan-data`);
    assert.equal(data.status, 200, summarize(data));
    assert.match(data.json.public_key, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(data.json.tickets.length, 3);
    assert.equal(data.json.tickets[0].code_sha256, createHash('sha256').update(tickets[0].ticket_secret).digest('hex'));
    const later = await get(host.token, `/api/events/${ev.id}/scan-data?since=${encodeURIComponent(data.json.server_time)}`);
    assert.equal(later.json.tickets.length, 0, 'nothing changed since');
    assertValidationError(await get(host.token, `/api/events/${ev.id}/scan-data?since=soon`));
    const scans = tickets.map((t, i) => ({ code: t.ticket_secret, nonce: `off-${i}-${tag()}`, scanned_at: new Date().toISOString() }));
    scans.push({ ...scans[0], nonce: `off-dup-${tag()}` });
    const s1 = await post(host.token, `/api/events/${ev.id}/check-ins/sync`, { scans });
    assert.equal(s1.status, 200, summarize(s1));
    assert.deepEqual(s1.json.results.map((r) => r.status), ['ok', 'ok', 'ok', 'error']);
    assert.equal(s1.json.results[3].reason, 'already_redeemed');
    const s2 = await post(host.token, `/api/events/${ev.id}/check-ins/sync`, { scans });
    assert.deepEqual(s2.json.results, s1.json.results, 're-uploading the batch changes nothing');
    const n = await dbQuery(server, `SELECT count(*) FROM attendance_records WHERE event_id = ${ev.id} AND status = 'checked_in'`);
    assert.equal(Number(n), 3);
    assertValidationError(await post(host.token, `/api/events/${ev.id}/check-ins/sync`, { scans: [] }));
    assertValidationError(await post(host.token, `/api/events/${ev.id}/check-ins/sync`, { scans: [{ code: 'x' }] }));
});

test('exports: QR as SVG and PNG, the ticket as a calendar entry, the attendee list as injection-safe CSV', async () => {
    const ev = await published({ title: `Export Night ${tag()}` });
    await accepted(ev, guests[1], 2);
    const t = (await confirm(guests[1], ev)).json;
    const svg = await get(guests[1].token, `/api/events/${ev.id}/my-ticket/qr.svg`);
    assert.equal(svg.status, 200, summarize(svg));
    assert.match(svg.headers.get('content-type'), /^image\/svg\+xml/);
    assert.match(svg.text, /^<\?xml[^]*<svg [^]*<path fill="#000" d="M4 4h1v1h-1z/, 'finder pattern at the quiet zone corner');
    const png = await fetch(`${server.url}/api/events/${ev.id}/my-ticket/qr.png`, { headers: bearer(guests[1].token) });
    assert.equal(png.status, 200);
    assert.equal(png.headers.get('content-type'), 'image/png');
    const bytes = Buffer.from(await png.arrayBuffer());
    assert.equal(bytes.subarray(0, 8).toString('hex'), '89504e470d0a1a0a', 'PNG signature');
    const width = bytes.readUInt32BE(16);
    assert.equal(width % 8, 0, 'eight pixels per module');
    assert.ok(width >= (25 + 8) * 8, `a QR of a 150-character text is at least version 2 (${width}px)`);
    assertLoopinError(await get(guests[2].token, `/api/events/${ev.id}/my-ticket/qr.svg`), 404, 'TICKET_NOT_FOUND');
    const ics = await get(guests[1].token, `/api/events/${ev.id}/my-ticket.ics`);
    assert.equal(ics.status, 200, summarize(ics));
    assert.match(ics.headers.get('content-type'), /^text\/calendar/);
    assert.match(ics.text, /^BEGIN:VCALENDAR\r\n/);
    assert.ok(ics.text.includes(`UID:${t.ticket_uuid}@loopin`), ics.text);
    assert.ok(ics.text.includes('2 seats'));
    assertLoopinError(await get(guests[2].token, `/api/events/${ev.id}/my-ticket.ics`), 404, 'TICKET_NOT_FOUND');
    await dbQuery(server, `UPDATE user_profiles SET name = '=HYPERLINK("http://x")' WHERE user_id = ${guests[1].id}`);
    const csv = await get(host.token, `/api/events/${ev.id}/attendees.csv`);
    assert.equal(csv.status, 200, summarize(csv));
    assert.match(csv.headers.get('content-type'), /^text\/csv/);
    const lines = csv.text.trim().split('\r\n');
    assert.equal(lines[0], '"ticket_id","name","seats","status","checked_in_at","checked_out_at","confirmed_at"');
    assert.ok(lines[1].startsWith(`"${t.ticket_id}","'=HYPERLINK(""http://x"")","2","going",""`), lines[1]);
    assertLoopinError(await get(guests[1].token, `/api/events/${ev.id}/attendees.csv`), 403, 'PERMISSION_DENIED');
    assert.equal((await get(staff.token, `/api/events/${ev.id}/attendees.csv`)).status, 200, 'staff too');
});

test('no request answered 5xx', () => {
    assertNo5xx(client);
});
