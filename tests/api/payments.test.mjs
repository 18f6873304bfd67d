// payments.test.mjs: paid admission (issue 10; API.md 9, 14.6-14.8,
// docs/money.md): accepting holds the seats in a reservation, the order is
// priced base + fee per seat, the test provider's checkout posts PayU-style
// signed answers to the same callback code PayU uses, applied exactly once:
// duplicates, a failure after success, forged and malformed callbacks;
// expiry gives seats back and a late success never overbooks.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { api, dbQuery, summarize } from './lib/server.mjs';
import { assertValidationError, assertErrorBody } from './lib/expect.mjs';
import { assertNo5xx, advance } from './lib/otp.mjs';
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
    for (let i = 0; i < 6; i++) guests.push(await newAccount(server, client, nextPhone, { name: `Buyer ${'ABCDEF'[i]}` }));
});

after(async () => {
    await server?.stop();
});

const paidEvent = (fields = {}) =>
    createEvent(client, host.token, { title: `Paid ${tag()}`, status: 'published', is_paid: 'true', ticket_price: '100.00', ...fields });

async function acceptedPaid(ev, guest, seats = 1) {
    const r = await client.post(`/api/events/${ev.id}/requests`, { headers: bearer(guest.token), json: { seats_requested: seats } });
    assert.equal(r.status, 201, summarize(r));
    return client.put(`/api/events/${ev.id}/requests/${r.json.id}/accept`, { headers: bearer(host.token), json: {} });
}

const order = (guest, json) => client.post('/api/payments/orders', { headers: bearer(guest.token), json });
const form = (fields) => new URLSearchParams(fields).toString();
const postForm = (url, fields) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form(fields), redirect: 'manual' });

// The test checkout page: its two forms' hidden fields.
async function checkout(redirect) {
    const page = await postForm(redirect.payu_url, redirect.payload);
    assert.equal(page.status, 200);
    const html = await page.text();
    const forms = [...html.matchAll(/<form method="post" action="([^"]+)">(.*?)<\/form>/g)].map((m) => ({
        action: m[1].replace(/&amp;/g, '&'),
        fields: Object.fromEntries([...m[2].matchAll(/name="([^"]+)" value="([^"]*)"/g)].map((x) => [x[1], x[2].replace(/&amp;/g, '&').replace(/&#39;/g, "'").replace(/&quot;/g, '"')])),
    }));
    assert.equal(forms.length, 2, html);
    return { pay: forms[0], fail: forms[1] };
}

const seats = async (ev) => (await dbQuery(server, `SELECT SUM(taken) || ',' || SUM(held) FROM event_seat_buckets WHERE event_id = ${ev.id}`));

test('accept holds the seats; order priced base + fee per seat; pay through the test checkout; one paid ticket', async () => {
    const ev = await paidEvent({ max_capacity: 10 });
    const acc = await acceptedPaid(ev, guests[0], 2);
    assert.equal(acc.status, 200, summarize(acc));
    assert.match(acc.json.reservation_key, /^[0-9a-f-]{36}$/);
    assert.equal(acc.json.requires_payment, true);
    assert.equal(acc.json.can_confirm, false);
    assert.equal(await seats(ev), '2,2', 'held, not confirmed');
    assert.equal((await client.get(`/api/events/${ev.id}`, { headers: bearer(host.token) })).json.going_count, 0);
    const mine = await client.get(`/api/events/${ev.id}/my-request`, { headers: bearer(guests[0].token) });
    assert.equal(mine.json.reservation_key, acc.json.reservation_key);
    assert.ok(mine.json.reservation_expires_at);
    assertLoopinError(await client.post(`/api/events/${ev.id}/confirm-attendance`, { headers: bearer(guests[0].token), json: {} }), 400, 'PAYMENT_REQUIRED');
    // the app sends the base fare, no key: the server prices it
    const res = await order(guests[0], { event_id: ev.id, amount: 100, seats_count: 1 });
    assert.equal(res.status, 201, summarize(res));
    const o = res.json.data.order;
    assert.equal(o.amount, '220.00', '2 seats x (100.00 + 10%)');
    assert.equal(o.seats_count, 2);
    assert.equal(o.status, 'created');
    assert.equal(o.reservation_key, acc.json.reservation_key);
    const p = res.json.data.payu_redirect;
    assert.ok(p.payu_url.endsWith('/api/payments/test/checkout'));
    assert.deepEqual(Object.keys(p.payload).sort(), ['amount', 'email', 'firstname', 'furl', 'hash', 'key', 'phone', 'productinfo', 'surl', 'txnid']);
    assert.equal(p.payload.txnid, o.order_id);
    assert.equal(p.payload.amount, '220.00');
    assert.equal(p.payload.productinfo, `Event Ticket: ${ev.title}`);
    assertErrorBody(await order(guests[0], { event_id: ev.id, amount: '220.00' }), 400, 'ACTIVE_ORDER_EXISTS');
    const { pay, fail } = await checkout(p);
    const done = await postForm(pay.action, pay.fields);
    assert.equal(done.status, 200);
    assert.match(await done.text(), /Payment successful/);
    const got = await client.get(`/api/payments/orders/${o.order_id}`, { headers: bearer(guests[0].token) });
    assert.equal(got.json.data.status, 'paid');
    assert.equal(await seats(ev), '2,0', 'the reservation became confirmed seats');
    const ticket = await client.get(`/api/events/${ev.id}/my-ticket`, { headers: bearer(guests[0].token) });
    assert.equal(ticket.status, 200, summarize(ticket));
    assert.equal(ticket.json.seats, 2);
    assert.equal(ticket.json.is_paid, true);
    assert.equal(ticket.json.payment_status, 'paid');
    // again, and a failure after the success: nothing moves
    assert.match(await (await postForm(pay.action, pay.fields)).text(), /Payment successful/);
    assert.match(await (await postForm(fail.action, fail.fields)).text(), /Payment failed/);
    assert.equal((await client.get(`/api/payments/orders/${o.order_id}`, { headers: bearer(guests[0].token) })).json.data.status, 'paid');
    assert.equal(Number(await dbQuery(server, `SELECT count(*) FROM attendance_records WHERE event_id = ${ev.id}`)), 1);
    assert.equal(Number(await dbQuery(server, `SELECT count(*) FROM payment_transactions WHERE payment_order_id = ${o.id}`)), 1);
    assert.equal(Number(await dbQuery(server, `SELECT count(*) FROM payment_webhooks WHERE payment_order_id = ${o.id}`)), 2, 'the identical replay is stored once');
    const outcomes = await dbQuery(server, `SELECT count(*) FROM notifications WHERE reference_type = 'payment_order' AND reference_id = ${o.id}`);
    assert.equal(Number(outcomes), 2, 'buyer and host told once');
    const told = await dbQuery(server, `SELECT title || '|' || message FROM notifications WHERE recipient_id = ${guests[0].id} AND reference_type = 'payment_order' AND reference_id = ${o.id}`);
    assert.equal(told, `Booking Confirmed!|Your spot at ${ev.title} is locked. View your ticket now.`);
    const list = await client.get('/api/payments/orders', { headers: bearer(guests[0].token) });
    assert.equal(list.json.data[0].order_id, o.order_id);
    assertErrorBody(await client.get(`/api/payments/orders/${o.order_id}`, { headers: bearer(guests[1].token) }), 404, 'ORDER_NOT_FOUND');
});

test('forged, malformed and mismatched callbacks are stored with why, and change nothing', async () => {
    const ev = await paidEvent();
    await acceptedPaid(ev, guests[1]);
    const o = (await order(guests[1], { event_id: ev.id, amount: '110.00' })).json.data;
    const { pay } = await checkout(o.payu_redirect);
    const forged = { ...pay.fields, hash: pay.fields.hash.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')) };
    const bad = await postForm(pay.action, forged);
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /does not verify/);
    const missing = { ...pay.fields };
    delete missing.hash;
    assert.equal((await postForm(pay.action, missing)).status, 400);
    const more = await postForm(pay.action, { ...pay.fields, amount: '1.00' });
    assert.equal(more.status, 400, 'a changed amount breaks the hash');
    const rows = await dbQuery(server, `SELECT processing_error FROM payment_webhooks WHERE CAST(payload AS TEXT) LIKE '%${o.order.order_id}%' ORDER BY id`);
    assert.deepEqual(rows.split('\n'), ['INVALID_HASH', 'MISSING_FIELDS', 'INVALID_HASH']);
    assert.equal((await client.get(`/api/payments/orders/${o.order.order_id}`, { headers: bearer(guests[1].token) })).json.data.status, 'created');
    const wh = await client.post('/api/payments/payu/webhook', { json: { txnid: o.order.order_id, status: 'success' } });
    assert.equal(wh.status, 400, summarize(wh));
    // /metrics counts the callbacks by outcome (this file's earlier tests paid and replayed)
    const metrics = (await client.get('/metrics')).text;
    const count = (outcome) => [...metrics.matchAll(new RegExp(`^loopin_webhooks_total\\{provider="\\w+",outcome="${outcome}"\\} (\\d+)$`, 'gm'))]
        .reduce((n, m) => n + Number(m[1]), 0);
    assert.ok(count('rejected') >= 4, metrics);
    assert.ok(count('paid') >= 1 && count('duplicate') >= 1, metrics);
});

test('order refusals: staff, free events, no reservation, bad key, wrong amount, bad bodies', async () => {
    const ev = await paidEvent();
    assertErrorBody(await order(staff, { event_id: ev.id, amount: 110 }), 403, 'ADMIN_CANNOT_PAY');
    assertErrorBody(await order(guests[2], { event_id: ev.id, amount: 110 }), 400, 'RESERVATION_REQUIRED');
    await acceptedPaid(ev, guests[2]);
    assertErrorBody(await order(guests[2], { event_id: ev.id, amount: 110, reservation_key: '00000000-0000-4000-8000-000000000000' }), 400, 'INVALID_RESERVATION');
    const wrong = await order(guests[2], { event_id: ev.id, amount: 105 });
    assertErrorBody(wrong, 400, 'AMOUNT_MISMATCH');
    assert.equal(wrong.json.details.expected_amount, '110.00');
    const free = await createEvent(client, host.token, { title: `Free ${tag()}`, status: 'published' });
    assertErrorBody(await order(guests[2], { event_id: free.id, amount: 110 }), 400, 'EVENT_NOT_PAID');
    assertErrorBody(await order(guests[2], { event_id: 987654321, amount: 110 }), 404, 'EVENT_NOT_FOUND');
    assertValidationError(await order(guests[2], { event_id: ev.id }), { loc: ['body', 'amount'] });
    assertValidationError(await order(guests[2], { event_id: ev.id, amount: -5 }), { loc: ['body', 'amount'] });
    assertValidationError(await order(guests[2], { event_id: ev.id, amount: 'ten' }), { loc: ['body', 'amount'] });
    assertValidationError(await order(guests[2], { amount: 110 }), { loc: ['body', 'event_id'] });
    assertValidationError(await order(guests[2], { event_id: ev.id, amount: 110, reservation_key: 'x' }), { loc: ['body', 'reservation_key'] });
});

test('an invitation to a paid event leads to the same reservation, order and ticket', async () => {
    const ev = await paidEvent({ max_capacity: 1 });
    const inv = await client.post(`/api/events/${ev.id}/invitations`, { headers: bearer(host.token), json: { user_ids: [guests[5].id, guests[4].id] } });
    const [mine, other] = inv.json.invites.map((i) => i.invite_id);
    const going = await client.put(`/api/events/invitations/${mine}/respond`, { headers: bearer(guests[5].token), json: { response: 'going' } });
    assert.equal(going.status, 200, summarize(going));
    assert.equal(going.json.requires_payment, true);
    assert.equal(going.json.requires_confirmation, false);
    assert.match(going.json.reservation_key, /^[0-9a-f-]{36}$/);
    assert.equal(await seats(ev), '1,1');
    assertLoopinError(await client.put(`/api/events/invitations/${other}/respond`, { headers: bearer(guests[4].token), json: { response: 'going' } }), 400, 'CAPACITY_FULL');
    const o = (await order(guests[5], { event_id: ev.id, amount: 110, reservation_key: going.json.reservation_key })).json.data;
    assert.equal(o.order.amount, '110.00');
    const { pay, fail } = await checkout(o.payu_redirect);
    // A failed attempt first: the buyer is told, with the template's words, and may pay again.
    assert.match(await (await postForm(fail.action, fail.fields)).text(), /Payment failed/);
    const failed = await dbQuery(server, `SELECT title || '|' || message FROM notifications WHERE recipient_id = ${guests[5].id} AND reference_type = 'payment_order' AND type = 'payment_failed'`);
    assert.equal(failed, `Payment Failed|Your payment for event '${ev.title}' could not be processed. Please try again.`);
    assert.match(await (await postForm(pay.action, pay.fields)).text(), /Payment successful/);
    assert.equal((await client.get(`/api/events/${ev.id}/my-ticket`, { headers: bearer(guests[5].token) })).json.payment_status, 'paid');
    assert.equal(await seats(ev), '1,0');
});

test('refunds: staff only, partial then full; a full refund cancels the ticket, revokes its code and frees the seats', async () => {
    const ev = await paidEvent({ max_capacity: 5 });
    await acceptedPaid(ev, guests[2], 2);
    const o = (await order(guests[2], { event_id: ev.id, amount: 100 })).json.data;
    const { pay } = await checkout(o.payu_redirect);
    await postForm(pay.action, pay.fields);
    const t = (await client.get(`/api/events/${ev.id}/my-ticket`, { headers: bearer(guests[2].token) })).json;
    const refund = (token, json) => client.post(`/api/admin/orders/${o.order.order_id}/refund`, { headers: bearer(token), json });
    assertErrorBody(await refund(guests[2].token, { reason: 'mine' }), 403);
    assertValidationError(await refund(staff.token, {}), { loc: ['body', 'reason'] });
    assertValidationError(await refund(staff.token, { reason: 'x', amount: -1 }), { loc: ['body', 'amount'] });
    assertErrorBody(await refund(staff.token, { reason: 'too much', amount: '220.01' }), 400, 'REFUND_TOO_LARGE');
    const part = await refund(staff.token, { reason: 'a seat went unused', amount: '110.00' });
    assert.equal(part.status, 200, summarize(part));
    assert.deepEqual(part.json, { success: true, order_id: o.order.order_id, refunded_now: '110.00', refunded_total: '110.00', status: 'paid' });
    assert.equal((await client.get(`/api/events/${ev.id}/my-ticket`, { headers: bearer(guests[2].token) })).status, 200, 'a partial refund keeps the ticket');
    const rest = await refund(staff.token, { reason: 'event changed' });
    assert.equal(rest.json.refunded_total, '220.00');
    assert.equal(rest.json.status, 'refunded');
    assertErrorBody(await refund(staff.token, { reason: 'again' }), 400, 'ORDER_NOT_REFUNDABLE');
    assertLoopinError(await client.get(`/api/events/${ev.id}/my-ticket`, { headers: bearer(guests[2].token) }), 404, 'TICKET_NOT_FOUND');
    assert.equal(await seats(ev), '0,0', 'the seats are free again');
    assert.equal(await dbQuery(server, `SELECT reason FROM ticket_revocations WHERE attendance_record_id = ${t.ticket_id}`), 'refunded');
    assert.equal(Number(await dbQuery(server, `SELECT count(*) FROM payment_transactions WHERE payment_order_id = ${o.order.id} AND transaction_type = 'refund'`)), 2);
    const door = await client.post(`/api/events/${ev.id}/check-in`, { headers: bearer(host.token), json: { code: t.ticket_secret, nonce: `n-${tag()}` } });
    assert.equal(door.json.status, 'error');
    assertErrorBody(await client.post('/api/admin/orders/LPnosuchorder/refund', { headers: bearer(staff.token), json: { reason: 'x' } }), 404, 'ORDER_NOT_FOUND');
});

test('expiry: an abandoned reservation gives its seats back; a late success finds them gone and is refunded', async () => {
    const ev = await paidEvent({ max_capacity: 2 });
    await acceptedPaid(ev, guests[3], 2);
    const o = (await order(guests[3], { event_id: ev.id, amount: 100 })).json.data;
    const { pay } = await checkout(o.payu_redirect);
    assertLoopinError(await acceptedPaid(ev, guests[4], 1), 400, 'CAPACITY_EXCEEDED');
    await advance(client, 25 * 3600);
    assert.equal((await client.get(`/api/payments/orders/${o.order.order_id}`, { headers: bearer(guests[3].token) })).json.data.status, 'expired');
    const late = await client.post(`/api/events/${ev.id}/requests`, { headers: bearer(guests[4].token), json: {} });
    assert.equal(late.status, 400, 'the earlier request is pending still');
    const pending = await dbQuery(server, `SELECT id FROM event_requests WHERE event_id = ${ev.id} AND requester_id = ${guests[4].id} AND status = 'pending'`);
    const acc = await client.put(`/api/events/${ev.id}/requests/${pending}/accept`, { headers: bearer(host.token), json: {} });
    assert.equal(acc.status, 200, `the expired reservation was reclaimed: ${summarize(acc)}`);
    assert.equal(await seats(ev), '1,1');
    const done = await postForm(pay.action, pay.fields);
    assert.equal(done.status, 200);
    assert.match(await done.text(), /refunded/);
    const status = (await client.get(`/api/payments/orders/${o.order.order_id}`, { headers: bearer(guests[3].token) })).json.data.status;
    assert.equal(status, 'refund_pending');
    assert.equal(await seats(ev), '1,1', 'never an overbooking');
    const renew = await client.post(`/api/events/${ev.id}/reservations`, { headers: bearer(guests[3].token), json: {} });
    assertLoopinError(renew, 400, 'CAPACITY_FULL');
    // the periodic job tells owners of expired orders and released seats
    await dbQuery(server, `UPDATE capacity_reservations SET expires_at = '2020-01-01T00:00:00.000000Z' WHERE event_id = ${ev.id} AND released_at IS NULL AND NOT consumed`);
    await dbQuery(server, `INSERT INTO jobs (kind, payload, run_at, dedupe_key, created_at, updated_at) VALUES ('payments_expire', '{}', '2020-01-01T00:00:00.000000Z', 'once-${tag()}', '2020-01-01T00:00:00.000000Z', '2020-01-01T00:00:00.000000Z')`);
    let told = 0;
    for (let i = 0; i < 60 && !told; i++) {
        told = Number(await dbQuery(server, `SELECT count(*) FROM notifications WHERE recipient_id = ${guests[4].id} AND reference_type = 'capacity_reservation'`));
        if (!told) await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(told, 1, 'the job released the expired reservation and told its owner');
    assert.equal(await seats(ev), '0,0');
});

test('Idempotency-Key on orders: a retry replays the same order, never a second one', async () => {
    const ev = await paidEvent();
    await acceptedPaid(ev, guests[1]);
    const key = `k-${tag()}`;
    const send = () => client.post('/api/payments/orders', { headers: { ...bearer(guests[1].token), 'idempotency-key': key }, json: { event_id: ev.id, amount: 100 } });
    const a = await send();
    assert.equal(a.status, 201, summarize(a));
    const b = await send();
    assert.equal(b.status, 201);
    assert.equal(b.headers.get('idempotent-replayed'), 'true');
    assert.equal(b.json.data.order.order_id, a.json.data.order.order_id);
    assert.equal(Number(await dbQuery(server, `SELECT count(*) FROM payment_orders WHERE event_id = ${ev.id}`)), 1);
});

test('no request answered 5xx', () => {
    assertNo5xx(client);
});
