// payments_race.test.mjs: exactly-once payment callbacks under contention
// (issue 10 acceptance), three `loopin serve` processes on one database:
// 100 orders, 1,000 PayU-format callbacks (identical duplicates, successes
// with other payment ids, failures before and after success, forged hashes,
// wrong amounts), sent concurrently to all three processes; ten orders are
// past their expiry with their reservations released and only five seats
// left for them. Exactly one ticket per paid order, no paid order failed,
// every callback stored with its outcome, seats consistent, no overbooking.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { api, dbQuery, startServer, summarize } from './lib/server.mjs';
import { startAccountsServer, phoneFactory, bearer } from './lib/accounts.mjs';
import { newAccount, createEvent, tag } from './lib/events.mjs';

const nextPhone = phoneFactory();
const secret = randomBytes(32).toString('hex');
const T0 = '2026-01-01T00:00:00.000000Z';
let servers = [], clients = [], host;

before(async () => {
    const env = { LOOPIN_SECRET_KEY: secret, LOOPIN_DB_POOL: '8', LOOPIN_WORKERS: '8' };
    servers.push(await startAccountsServer({ env }));
    for (let i = 0; i < 2; i++) servers.push(await startServer({ databaseUrl: servers[0].databaseUrl, env }));
    clients = servers.map((s) => api(s));
    host = await newAccount(servers[0], clients[0], nextPhone, { name: 'Race Host' });
});

after(async () => {
    for (const s of servers.slice(1).reverse()) await s?.stop();
    await servers[0]?.stop();
});

const hmac = (key, text) => createHmac('sha256', key).update(text).digest();
function token(userId) {
    const key = hmac(secret, 'loopin:jwt');
    const b64 = (s) => Buffer.from(s).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const body = `${b64('{"alg":"HS256","typ":"JWT"}')}.${b64(JSON.stringify({ user_id: userId, iat: now, exp: now + 3600, jti: randomBytes(8).toString('hex') }))}`;
    return `${body}.${createHmac('sha256', key).update(body).digest('base64url')}`;
}
// The test provider's salt (src/money/orders.c provider_get).
const salt = hmac(hmac(secret, 'loopin:data'), 'loopin:test-payments').toString('hex');
const reverseHash = (f, status) =>
    createHash('sha512').update(`${salt}|${status}|||||||||||${f.email}|${f.firstname}|${f.productinfo}|${f.amount}|${f.txnid}|${f.key}`).digest('hex');

async function seedGuests(eventId, n) {
    const t = randomBytes(3).readUIntBE(0, 3) % 9000 + 1000;
    const rows = Array.from({ length: n }, (_, i) => `('${randomUUID()}', '+9195${t}${String(i).padStart(4, '0')}', '${T0}', '${T0}', '${T0}')`);
    await dbQuery(servers[0], `INSERT INTO users (uuid, phone, date_joined, created_at, updated_at) VALUES ${rows.join(',')}`);
    const ids = (await dbQuery(servers[0], `SELECT id FROM users WHERE phone LIKE '+9195${t}%' ORDER BY id`)).split('\n').map(Number);
    await dbQuery(servers[0], `INSERT INTO user_profiles (user_id, uuid, name, created_at, updated_at) VALUES ${ids.map((id) => `(${id}, '${randomUUID()}', 'Payer', '${T0}', '${T0}')`).join(',')}`);
    await dbQuery(servers[0], `INSERT INTO event_requests (uuid, event_id, requester_id, status, seats_requested, created_at, updated_at) VALUES ${ids.map((id) => `('${randomUUID()}', ${eventId}, ${id}, 'accepted', 1, '${T0}', '${T0}')`).join(',')}`);
    return ids;
}

test('1,000 callbacks for 100 orders over 3 processes: exactly once, no overbooking', async () => {
    const ev = await createEvent(clients[0], host.token, { title: `Pay race ${tag()}`, status: 'published', is_paid: 'true', ticket_price: '100.00', max_capacity: 100 });
    const ids = await seedGuests(ev.id, 100);
    // reservations through the API (the seats are held by the buckets)
    for (const [i, id] of ids.entries()) {
        const r = await clients[i % 3].post(`/api/events/${ev.id}/reservations`, { headers: bearer(token(id)), json: {} });
        assert.equal(r.status, 200, summarize(r));
    }
    const orders = await Promise.all(ids.map(async (id, i) => {
        const r = await clients[i % 3].post('/api/payments/orders', { headers: bearer(token(id)), json: { event_id: ev.id, amount: 100 } });
        assert.equal(r.status, 201, summarize(r));
        return r.json.data;
    }));
    // ten orders expire with their reservations released; five other guests take five of those seats
    const late = orders.slice(0, 10).map((o) => o.order.order_id);
    await dbQuery(servers[0], `UPDATE payment_orders SET expires_at = '2020-01-01T00:00:00.000000Z' WHERE order_id IN (${late.map((x) => `'${x}'`).join(',')})`);
    await dbQuery(servers[0], `UPDATE capacity_reservations SET released_at = '2020-01-01T00:00:00.000000Z' WHERE id IN (SELECT reservation_id FROM payment_orders WHERE order_id IN (${late.map((x) => `'${x}'`).join(',')}))`);
    const others = await seedGuests(ev.id, 5);
    await dbQuery(servers[0], `INSERT INTO event_attendees (uuid, event_id, user_id, seats, status, created_at, updated_at) VALUES ${others.map((id) => `('${randomUUID()}', ${ev.id}, ${id}, 1, 'going', '${T0}', '${T0}')`).join(',')}`);

    const calls = [];
    for (const [k, o] of orders.entries()) {
        const f = o.payu_redirect.payload;
        const base = { key: f.key, txnid: f.txnid, amount: f.amount, productinfo: f.productinfo, firstname: f.firstname, email: f.email };
        const ok = { ...base, status: 'success', mihpayid: `MP${k}`, hash: reverseHash(f, 'success') };
        const ok2 = { ...ok, mihpayid: `MP${k}b` };
        const no = { ...base, status: 'failure', mihpayid: `MP${k}f`, error_Message: 'declined', hash: reverseHash(f, 'failure') };
        const forged = { ...ok, mihpayid: `MPX${k}`, hash: reverseHash({ ...f, amount: '1.00' }, 'success') };
        const wrongAmount = { ...base, amount: '1.00', status: 'success', mihpayid: `MPA${k}` };
        wrongAmount.hash = reverseHash({ ...f, amount: '1.00' }, 'success');
        const path = (kind) => `/api/payments/test/${kind}`;
        calls.push([path('failure'), no], [path('success'), ok], [path('success'), ok], [path('success'), ok],
            [path('success'), ok2], [path('failure'), no], ['/api/payments/payu/webhook', ok], [path('success'), forged],
            [path('success'), wrongAmount], [path('failure'), { ...no, mihpayid: `MP${k}g`, hash: reverseHash(f, 'failure') }]);
    }
    assert.equal(calls.length, 1000);
    calls.sort(() => Math.random() - 0.5);
    const results = [];
    for (let i = 0; i < calls.length; i += 100)
        results.push(...(await Promise.all(calls.slice(i, i + 100).map(([path, fields], j) =>
            fetch(`${servers[(i + j) % 3].url}${path}`, {
                method: 'POST',
                headers: { 'content-type': 'application/x-www-form-urlencoded' },
                body: new URLSearchParams(fields).toString(),
            }).then(async (r) => ({ status: r.status, text: await r.text() }))))));
    for (const r of results) assert.ok([200, 400].includes(r.status), `${r.status} ${r.text.slice(0, 300)}`);

    const q = (sql) => dbQuery(servers[0], sql);
    const paid = Number(await q(`SELECT count(*) FROM payment_orders WHERE event_id = ${ev.id} AND status = 'paid'`));
    const refund = Number(await q(`SELECT count(*) FROM payment_orders WHERE event_id = ${ev.id} AND status = 'refund_pending'`));
    const failed = Number(await q(`SELECT count(*) FROM payment_orders WHERE event_id = ${ev.id} AND status NOT IN ('paid', 'refund_pending')`));
    assert.equal(failed, 0, 'every order got a valid success: none ends failed');
    assert.equal(paid, 95, '90 on time and 5 late ones that found a seat');
    assert.equal(refund, 5, 'the other late ones are refunded');
    const tickets = await q(`SELECT count(*) || ',' || count(DISTINCT payment_order_id) FROM attendance_records WHERE event_id = ${ev.id} AND payment_order_id IS NOT NULL`);
    assert.equal(tickets, '95,95', 'exactly one ticket per paid order');
    assert.equal(await q(`SELECT SUM(taken) || ',' || SUM(held) FROM event_seat_buckets WHERE event_id = ${ev.id}`), '100,0');
    assert.equal(Number(await q(`SELECT COALESCE(SUM(seats), 0) FROM event_attendees WHERE event_id = ${ev.id} AND status = 'going'`)), 100);
    const going = (await clients[2].get(`/api/events/${ev.id}`, { headers: bearer(host.token) })).json.going_count;
    assert.equal(going, 100);
    assert.equal(Number(await q(`SELECT count(*) FROM payment_transactions t JOIN payment_orders o ON o.id = t.payment_order_id WHERE o.event_id = ${ev.id}`)), 95, 'one money movement per paid order');
    // stored: every distinct body once (identical deliveries are one row), each processed with its outcome
    assert.equal(await q(`SELECT count(*) || ',' || SUM(CASE WHEN processed THEN 1 ELSE 0 END) FROM payment_webhooks`), '700,700');
    const why = await q(`SELECT processing_error || ':' || count(*) FROM payment_webhooks WHERE processing_error IN ('INVALID_HASH', 'AMOUNT_MISMATCH') GROUP BY processing_error ORDER BY processing_error`);
    assert.deepEqual(why.split('\n'), ['AMOUNT_MISMATCH:100', 'INVALID_HASH:200'], 'forged hashes and test answers sent to the PayU webhook are refused; a re-signed amount is not the order\'s');
    assert.equal(Number(await q(`SELECT count(*) FROM payment_webhooks WHERE payment_order_id IS NOT NULL AND signature_valid`)), 500);
});
