// payouts.test.mjs: hosts' payout requests, the staff workflow and the
// earnings summary (issue 10 point 7; API.md 10, 14.9, 15 item 19;
// docs/money.md "Payouts"): the worked example (fee 10%, base 100.00, 50
// tickets: the host earns 5,000.00, the fee is 500.00) computed by the
// server, every refusal in API.md's order, one active request per event
// under ten parallel creations, the snapshot (fee rate included) frozen
// after a fee change, the staff transitions with their 409s and 422s, and
// earnings after a partial and a full refund.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt, randomUUID } from 'node:crypto';
import { api, dbQuery, summarize } from './lib/server.mjs';
import { assertValidationError, assertErrorBody } from './lib/expect.mjs';
import { assertNo5xx } from './lib/otp.mjs';
import { startAccountsServer, phoneFactory, bearer, makeStaff } from './lib/accounts.mjs';
import { newAccount, createEvent, createVenue, tag, ISO_Z, UUID_RE } from './lib/events.mjs';

// argon2id of "correct horse battery staple" (made by `loopin createsuperuser`)
const HASH = '$argon2id$v=19$m=65536,t=3,p=1$fx4aP+y1E5KVZB0AMtQy0g$/V4d73OeSttlNy6dHymtJCSG7LmmsGv7MfQr++D4qow';
const PASSWORD = 'correct horse battery staple';
const T0 = '2026-01-01T00:00:00.000000Z';
const nextPhone = phoneFactory();
let server, client, host, other, earner, staff, su, waitlisted, guests;

before(async () => {
    server = await startAccountsServer();
    client = api(server);
    host = await newAccount(server, client, nextPhone, { name: 'Host Person' });
    other = await newAccount(server, client, nextPhone, { name: 'Other Host' });
    earner = await newAccount(server, client, nextPhone, { name: 'Earning Host' });
    staff = await newAccount(server, client, nextPhone, { staff: true, name: 'Staff Person' });
    su = await newAccount(server, client, nextPhone, { name: 'Super User' });
    await makeStaff(server, su.id, { superuser: true });
    await dbQuery(server, `UPDATE users SET password_hash = '${HASH}' WHERE id = ${su.id}`);
    waitlisted = await newAccount(server, client, nextPhone, { active: false, name: 'Wait Listed' });
    guests = [];
    for (let i = 0; i < 6; i++) guests.push(await newAccount(server, client, nextPhone, { name: `Buyer ${'ABCDEF'[i]}` }));
});

after(async () => {
    await server?.stop();
});

/* ------------------------------------------------------------------------
 * Paid sales: through the API (accept, order, the test checkout) and, for
 * bulk, rows written the way a paid callback writes them.
 */

const paidEvent = (owner, fields = {}) =>
    createEvent(client, owner.token, { title: `Paid ${tag()}`, status: 'published', is_paid: 'true', ticket_price: '100.00', max_capacity: 100, venue_text: 'Lakeside Park', ...fields });

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

// A guest asks for seats, the host accepts, the guest orders and pays
// through the test provider: resolves to the paid order.
async function buy(ev, owner, guest, seats = 1) {
    const r = await client.post(`/api/events/${ev.id}/requests`, { headers: bearer(guest.token), json: { seats_requested: seats } });
    assert.equal(r.status, 201, summarize(r));
    const acc = await client.put(`/api/events/${ev.id}/requests/${r.json.id}/accept`, { headers: bearer(owner.token), json: {} });
    assert.equal(acc.status, 200, summarize(acc));
    const res = await client.post('/api/payments/orders', { headers: bearer(guest.token), json: { event_id: ev.id, amount: Number(ev.ticket_price) } });
    assert.equal(res.status, 201, summarize(res));
    const { pay } = await checkout(res.json.data.payu_redirect);
    assert.match(await (await postForm(pay.action, pay.fields)).text(), /Payment successful/);
    const o = await client.get(`/api/payments/orders/${res.json.data.order.order_id}`, { headers: bearer(guest.token) });
    assert.equal(o.json.data.status, 'paid');
    return o.json.data;
}

let phoneBase = randomInt(0, 900000) * 1000;

// n users with profiles, written directly (ids in order).
async function sqlBuyers(n, name = 'Bulk Buyer') {
    const phones = Array.from({ length: n }, () => `+918${String(phoneBase++).padStart(9, '0')}`);
    const users = phones.map((p) => `('${randomUUID()}', '${p}', '${T0}', '${T0}', '${T0}')`).join(', ');
    const profiles = phones
        .map((p, i) => `((SELECT id FROM users WHERE phone = '${p}'), '${randomUUID()}', '${name} ${i + 1}', '${T0}', '${T0}')`)
        .join(', ');
    await dbQuery(server, `INSERT INTO users (uuid, phone, date_joined, created_at, updated_at) VALUES ${users}; INSERT INTO user_profiles (user_id, uuid, name, created_at, updated_at) VALUES ${profiles}`);
    const ids = await dbQuery(server, `SELECT id FROM users WHERE phone IN (${phones.map((p) => `'${p}'`).join(', ')}) ORDER BY id`);
    return ids.split('\n').map(Number);
}

// One paid final order per user, as a success callback leaves it (the
// attendee row linked to it): base and fee per seat in minor units.
async function sqlPaidOrders(ev, userIds, { base = 10000, fee = 1000, seats = 1 } = {}) {
    const orders = userIds.map((u) => ({ u, id: `LPT${tag()}`, ref: `LPR-${tag()}` }));
    const o = orders
        .map(
            (x) =>
                `('${randomUUID()}', ${ev.id}, ${x.u}, '${x.id}', '${x.ref}', ${(base + fee) * seats}, 'INR', ${seats}, ${base}, 1000, ${fee * seats}, ${base}, 'paid', 'test', TRUE, '${T0}', '${T0}', '${T0}', '${T0}')`,
        )
        .join(', ');
    const a = orders
        .map(
            (x) =>
                `('${randomUUID()}', ${ev.id}, ${x.u}, ${seats}, TRUE, ${base * seats}, ${fee * seats}, 'going', (SELECT id FROM payment_orders WHERE order_id = '${x.id}'), '${T0}', '${T0}')`,
        )
        .join(', ');
    await dbQuery(
        server,
        `INSERT INTO payment_orders (uuid, event_id, user_id, order_id, order_reference, amount_minor, currency, seats_count, base_price_per_seat_minor, platform_fee_bps, platform_fee_minor, host_earning_per_seat_minor, status, payment_provider, is_final, paid_at, expires_at, created_at, updated_at) VALUES ${o};
         INSERT INTO event_attendees (uuid, event_id, user_id, seats, is_paid, price_paid_minor, platform_fee_minor, status, payment_order_id, created_at, updated_at) VALUES ${a}`,
    );
}

// A bank account of owner, written directly (the bank-account routes are
// another module): resolves to its id.
async function bankAccount(owner, { active = true, last4 = '1234' } = {}) {
    const uuid = randomUUID();
    await dbQuery(
        server,
        `INSERT INTO bank_accounts (uuid, host_id, bank_name, account_holder_name, account_number_enc, account_last4, ifsc_code, is_primary, is_active, created_at, updated_at)
         VALUES ('${uuid}', ${owner.id}, 'HDFC Bank', '${owner.name}', 'c2VhbGVkLWFjY291bnQtbnVtYmVy', '${last4}', 'HDFC0001234', FALSE, ${active ? 'TRUE' : 'FALSE'}, '${T0}', '${T0}')`,
    );
    return Number(await dbQuery(server, `SELECT id FROM bank_accounts WHERE uuid = '${uuid}'`));
}

const requestPayout = (who, json) => client.post('/api/payouts/requests', { headers: bearer(who.token), json });
const getPayout = (who, id) => client.get(`/api/payouts/requests/${id}`, { headers: bearer(who.token) });
const move = (who, id, verb, json) => client.post(`/api/admin/payouts/${id}/${verb}`, { headers: bearer(who.token), ...(json === undefined ? {} : { json }) });
const earnings = (who) => client.get('/api/payouts/earnings', { headers: bearer(who.token) });
const setFee = (pct) => client.put('/api/admin/platform-fee', { headers: bearer(su.token), json: { fee_percentage: pct, password: PASSWORD } });

// An event of owner with n bulk-paid tickets (base 100.00 at 10%) and a
// pending payout request for it.
async function pendingPayout(owner, account, n = 2) {
    const ev = await paidEvent(owner);
    await sqlPaidOrders(ev, await sqlBuyers(n));
    const res = await requestPayout(owner, { event_id: ev.id, bank_account_id: account });
    assert.equal(res.status, 201, summarize(res));
    return { ev, payout: res.json.data };
}

/* ------------------------------------------------------------------------ */

test('the worked example: fee 10%, base 100.00, 50 tickets: the host earns 5000.00, the fee is 500.00', async () => {
    const venue = await createVenue(client, host.token, { name: 'The Hall', city: 'Bengaluru' });
    const ev = await paidEvent(host, { venue_id: venue.id });
    // two tickets bought through the API (the server prices the orders) ...
    const paid = [await buy(ev, host, guests[0]), await buy(ev, host, guests[1])];
    for (const o of paid) {
        assert.equal(o.amount, '110.00', 'the buyer pays 110.00');
        assert.equal(o.platform_fee, '10.00');
        assert.equal(o.base_price_per_seat, '100.00');
    }
    // ... and 48 more written as paid orders
    await sqlPaidOrders(ev, await sqlBuyers(48));
    const account = await bankAccount(host, { last4: '1234' });
    const res = await requestPayout(host, { event_id: ev.id, bank_account_id: account });
    assert.equal(res.status, 201, summarize(res));
    assert.equal(res.json.success, true);
    assert.equal(res.json.message, 'Payout request created successfully');
    const d = res.json.data;
    assert.deepEqual(Object.keys(d).sort(), [
        'base_ticket_fare', 'created_at', 'currency', 'event_id', 'event_name', 'final_earning', 'final_ticket_fare', 'host_name', 'id',
        'platform_fee_amount', 'platform_fee_percentage', 'status', 'total_tickets_sold', 'uuid',
    ]);
    assert.equal(d.total_tickets_sold, 50);
    assert.equal(d.final_earning, '5000.00', 'money at the edge is a decimal string');
    assert.equal(d.platform_fee_amount, '500.00');
    assert.equal(d.base_ticket_fare, '100.00');
    assert.equal(d.final_ticket_fare, '110.00');
    assert.equal(d.platform_fee_percentage, '10.00');
    assert.equal(d.currency, 'INR');
    assert.equal(d.status, 'pending');
    assert.equal(d.event_id, ev.id);
    assert.equal(d.event_name, ev.title);
    assert.equal(d.host_name, 'Host Person');
    assert.match(d.uuid, UUID_RE);
    assert.match(d.created_at, ISO_Z);
    // the detail: masked account, snapshot, attendees {name, contact}
    const got = await getPayout(host, d.id);
    assert.equal(got.status, 200, summarize(got));
    const g = got.json.data;
    assert.deepEqual(g.bank_account, { id: account, bank_name: 'HDFC Bank', masked_account_number: '****1234', ifsc_code: 'HDFC0001234', account_holder_name: 'Host Person' });
    assert.equal(g.event_location, 'The Hall, Bengaluru');
    assert.equal(g.total_capacity, 100);
    assert.match(g.event_date, ISO_Z);
    assert.equal(new Date(g.event_date).getTime(), new Date(ev.start_time).getTime());
    assert.equal(g.attendees_details.length, 50);
    assert.deepEqual(g.attendees_details[0], { name: 'Buyer A', contact: guests[0].phone });
    assert.deepEqual(g.attendees_details[2], { name: 'Bulk Buyer 1', contact: g.attendees_details[2].contact });
    assert.match(g.attendees_details[2].contact, /^\+918\d{9}$/, 'the contact is the phone');
    for (const k of ['transaction_reference', 'rejection_reason', 'notes']) assert.equal(g[k], '');
    assert.equal(g.processed_at, null);
    assert.equal(g.final_earning, '5000.00');
    assert.equal(Number(await dbQuery(server, `SELECT count(*) FROM host_payout_request_orders WHERE payout_request_id = ${d.id}`)), 50, 'every order linked');
    assert.equal(await dbQuery(server, `SELECT action FROM audit_log WHERE object_type = 'host_payout_request' AND object_id = ${d.id}`), 'payout.requested');
    // the list and the earnings agree
    const list = await client.get('/api/payouts/requests', { headers: bearer(host.token) });
    assert.equal(list.status, 200, summarize(list));
    const item = list.json.data.find((x) => x.id === d.id);
    assert.deepEqual(Object.keys(item).sort(), ['created_at', 'currency', 'event_date', 'event_id', 'event_name', 'final_earning', 'host_name', 'id', 'status', 'total_tickets_sold', 'uuid']);
    assert.equal(item.final_earning, '5000.00');
    const e = (await earnings(host)).json.data.events.find((x) => x.event_id === ev.id);
    assert.deepEqual(e, { event_id: ev.id, event_title: ev.title, currency: 'INR', tickets_sold: 50, gross: '5500.00', platform_fee: '500.00', earning: '5000.00', paid_out: '0.00', pending: '5000.00' });
});

test('refusals in API.md order: event, host, account, active account, sales, one active request; bad input', async () => {
    const ev = await paidEvent(host);
    const mine = await bankAccount(host);
    const theirs = await bankAccount(other);
    const inactive = await bankAccount(host, { active: false });
    const chk = async (who, json, status, code) => assertErrorBody(await requestPayout(who, json), status, code);
    await chk(host, { event_id: 987654321, bank_account_id: mine }, 404, 'EVENT_NOT_FOUND');
    const notFound = await requestPayout(host, { event_id: 987654321, bank_account_id: mine });
    assert.equal(notFound.json.detail, 'Event not found.');
    // another host's event: 403, before the account is even looked at
    const forbidden = await requestPayout(other, { event_id: ev.id, bank_account_id: theirs });
    assertErrorBody(forbidden, 403, 'NOT_EVENT_HOST', { detail: 'You can only request payouts for events you host.' });
    await chk(staff, { event_id: ev.id, bank_account_id: mine }, 403, 'NOT_EVENT_HOST');
    // another host's account is not found; so is a missing one
    await chk(host, { event_id: ev.id, bank_account_id: theirs }, 404, 'BANK_ACCOUNT_NOT_FOUND');
    await chk(host, { event_id: ev.id, bank_account_id: 987654321 }, 404, 'BANK_ACCOUNT_NOT_FOUND');
    // inactive account, before the sales are counted
    assertErrorBody(await requestPayout(host, { event_id: ev.id, bank_account_id: inactive }), 400, 'BANK_ACCOUNT_INACTIVE', { detail: 'Cannot use an inactive bank account for payout' });
    // no sales: unpaid, failed and refunded orders do not count
    await sqlPaidOrders(ev, await sqlBuyers(1));
    await dbQuery(server, `UPDATE payment_orders SET status = 'refunded', refund_amount_minor = amount_minor, refunded_at = '${T0}' WHERE event_id = ${ev.id}`);
    assertErrorBody(await requestPayout(host, { event_id: ev.id, bank_account_id: mine }), 400, 'NO_TICKET_SALES', { detail: 'Cannot create payout request for an event with no ticket sales' });
    const free = await createEvent(client, host.token, { title: `Free ${tag()}`, status: 'published' });
    await chk(host, { event_id: free.id, bank_account_id: mine }, 400, 'NO_TICKET_SALES');
    // with a sale: created; a second one while it is active is refused
    await sqlPaidOrders(ev, await sqlBuyers(1));
    const first = await requestPayout(host, { event_id: ev.id, bank_account_id: mine });
    assert.equal(first.status, 201, summarize(first));
    assert.equal(first.json.data.total_tickets_sold, 1, 'the refunded order is not counted');
    const again = await requestPayout(host, { event_id: ev.id, bank_account_id: mine });
    assertErrorBody(again, 400, 'PAYOUT_ALREADY_ACTIVE', { detail: "A payout request already exists for this event with status 'pending', 'approved', or 'processing'" });
    // bad input, waitlisted and anonymous callers
    assertValidationError(await requestPayout(host, { bank_account_id: mine }), { loc: ['body', 'event_id'] });
    assertValidationError(await requestPayout(host, { event_id: ev.id }), { loc: ['body', 'bank_account_id'] });
    assertValidationError(await requestPayout(host, { event_id: 0, bank_account_id: mine }), { loc: ['body', 'event_id'] });
    assertValidationError(await requestPayout(host, { event_id: 'abc', bank_account_id: mine }), { loc: ['body', 'event_id'] });
    assertValidationError(await requestPayout(host, { event_id: ev.id, bank_account_id: -1 }), { loc: ['body', 'bank_account_id'] });
    assertErrorBody(await requestPayout(waitlisted, { event_id: ev.id, bank_account_id: mine }), 403);
    const anon = await client.post('/api/payouts/requests', { json: { event_id: ev.id, bank_account_id: mine } });
    assert.ok([401, 403].includes(anon.status), summarize(anon));
});

test('reading: only the owner sees a request (403 for others, 404 for none); the list paginates and filters by any status', async () => {
    const account = await bankAccount(other);
    const a = await pendingPayout(other, account, 1);
    const b = await pendingPayout(other, account, 3);
    assertErrorBody(await getPayout(host, a.payout.id), 403, 'PAYOUT_FORBIDDEN', { detail: "You don't have permission to access this payout request." });
    assertErrorBody(await getPayout(staff, a.payout.id), 403, 'PAYOUT_FORBIDDEN');
    assertErrorBody(await getPayout(other, 987654321), 404, 'PAYOUT_NOT_FOUND', { detail: 'Payout request not found.' });
    assertValidationError(await client.get('/api/payouts/requests/abc', { headers: bearer(other.token) }));
    const mine = await getPayout(other, b.payout.id);
    assert.equal(mine.status, 200);
    assert.equal(mine.json.data.total_tickets_sold, 3);
    assert.equal(mine.json.data.bank_account.masked_account_number, '****1234');
    assert.ok(!JSON.stringify(mine.json).includes('c2VhbGVk'), 'never the stored account number');
    const list = (q) => client.get(`/api/payouts/requests${q}`, { headers: bearer(other.token) });
    const all = await list('');
    assert.deepEqual(all.json.pagination, { offset: 0, limit: 20, total: 2 });
    assert.deepEqual(all.json.data.map((x) => x.id), [b.payout.id, a.payout.id], 'newest first');
    assert.equal(all.json.message, 'Payout requests retrieved successfully');
    const second = await list('?offset=1&limit=1');
    assert.deepEqual(second.json.pagination, { offset: 1, limit: 1, total: 2 });
    assert.deepEqual(second.json.data.map((x) => x.id), [a.payout.id]);
    assert.equal((await list('?status=pending')).json.data.length, 2);
    const none = await list('?status=whatever');
    assert.equal(none.status, 200, 'any string, as API.md');
    assert.deepEqual(none.json.pagination.total, 0);
    assertValidationError(await list('?limit=0'), { loc: ['query', 'limit'] });
    assertValidationError(await list('?limit=101'), { loc: ['query', 'limit'] });
    assertValidationError(await list('?offset=-1'), { loc: ['query', 'offset'] });
    assert.equal((await client.get('/api/payouts/requests', { headers: bearer(staff.token) })).json.pagination.total, 0, 'staff host nothing');
});

test('ten parallel creations for one event: exactly one 201, the others 400 PAYOUT_ALREADY_ACTIVE', async () => {
    const ev = await paidEvent(host);
    await sqlPaidOrders(ev, await sqlBuyers(5));
    const account = await bankAccount(host);
    const all = await Promise.all(Array.from({ length: 10 }, () => requestPayout(host, { event_id: ev.id, bank_account_id: account })));
    const statuses = all.map((r) => r.status).sort();
    assert.deepEqual(statuses, [201, 400, 400, 400, 400, 400, 400, 400, 400, 400], all.map(summarize).join('\n'));
    for (const r of all.filter((x) => x.status === 400)) assertErrorBody(r, 400, 'PAYOUT_ALREADY_ACTIVE');
    assert.equal(await dbQuery(server, `SELECT count(*) FROM host_payout_requests WHERE event_id = ${ev.id}`), '1');
    assert.equal(await dbQuery(server, `SELECT count(*) FROM host_payout_request_orders l JOIN host_payout_requests p ON p.id = l.payout_request_id WHERE p.event_id = ${ev.id}`), '5');
});

test('the race\'s loser at the partial unique index: 400 PAYOUT_ALREADY_ACTIVE, nothing kept, the connection fine', async () => {
    // A trigger slips a competing active request in just before the server's
    // insert (as a concurrent transaction that committed first would): the
    // insert then violates host_payout_requests_one_active_key.
    const ev = await paidEvent(host);
    await sqlPaidOrders(ev, await sqlBuyers(2));
    const account = await bankAccount(host);
    const cols = 'uuid, host_id, bank_account_id, event_id, host_name, event_name, event_date, event_location, total_capacity, base_ticket_fare_minor, final_ticket_fare_minor, platform_fee_bps, total_tickets_sold, platform_fee_amount_minor, final_earning_minor, status, created_at, updated_at';
    const vals = `'${randomUUID()}', NEW.host_id, NEW.bank_account_id, NEW.event_id, NEW.host_name, NEW.event_name, NEW.event_date, NEW.event_location, NEW.total_capacity, NEW.base_ticket_fare_minor, NEW.final_ticket_fare_minor, NEW.platform_fee_bps, NEW.total_tickets_sold, NEW.platform_fee_amount_minor, NEW.final_earning_minor, 'pending', NEW.created_at, NEW.updated_at`;
    const pg = !server.databaseUrl.startsWith('sqlite://');
    await dbQuery(
        server,
        pg
            ? `CREATE FUNCTION loopin_test_payout_race() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN IF pg_trigger_depth() = 1 THEN INSERT INTO host_payout_requests (${cols}) VALUES (${vals}); END IF; RETURN NEW; END $f$;
               CREATE TRIGGER loopin_test_payout_race BEFORE INSERT ON host_payout_requests FOR EACH ROW WHEN (NEW.event_id = ${ev.id}) EXECUTE FUNCTION loopin_test_payout_race()`
            : `CREATE TRIGGER loopin_test_payout_race BEFORE INSERT ON host_payout_requests WHEN NEW.event_id = ${ev.id} BEGIN INSERT INTO host_payout_requests (${cols}) VALUES (${vals}); END`,
    );
    try {
        const lost = await requestPayout(host, { event_id: ev.id, bank_account_id: account });
        assertErrorBody(lost, 400, 'PAYOUT_ALREADY_ACTIVE');
        assert.equal(await dbQuery(server, `SELECT count(*) FROM host_payout_requests WHERE event_id = ${ev.id}`), '0', 'rolled back, the competitor included');
    } finally {
        await dbQuery(server, pg ? 'DROP TRIGGER loopin_test_payout_race ON host_payout_requests; DROP FUNCTION loopin_test_payout_race()' : 'DROP TRIGGER loopin_test_payout_race');
    }
    for (let i = 0; i < 4; i++) assert.equal((await client.get('/api/payouts/earnings', { headers: bearer(host.token) })).status, 200, 'every pooled connection still works');
    const won = await requestPayout(host, { event_id: ev.id, bank_account_id: account });
    assert.equal(won.status, 201, summarize(won));
    assert.equal(won.json.data.total_tickets_sold, 2);
});

test('the snapshot is frozen: a later fee change moves neither its percentage nor its fares; the database refuses edits', async () => {
    const account = await bankAccount(host);
    const { ev, payout } = await pendingPayout(host, account, 2);
    const changed = await setFee('12.50');
    assert.equal(changed.status, 200, summarize(changed));
    try {
        const got = (await getPayout(host, payout.id)).json.data;
        assert.equal(got.platform_fee_percentage, '10.00', 'from the snapshot (API.md 15 item 19)');
        assert.equal(got.final_ticket_fare, '110.00');
        assert.equal(got.platform_fee_amount, '20.00');
        assert.equal(got.final_earning, '200.00');
        const listed = (await client.get(`/api/admin/payouts?event_id=${ev.id}`, { headers: bearer(staff.token) })).json.data[0];
        assert.equal(listed.platform_fee_percentage, '10.00');
        // a request made now takes the new rate for its final fare; the fee
        // amounts stay what the orders paid
        const later = await pendingPayout(host, account, 1);
        assert.equal(later.payout.platform_fee_percentage, '12.50');
        assert.equal(later.payout.final_ticket_fare, '112.50');
        assert.equal(later.payout.platform_fee_amount, '10.00');
        await assert.rejects(dbQuery(server, `UPDATE host_payout_requests SET platform_fee_bps = 1250 WHERE id = ${payout.id}`), /immutable/);
        await assert.rejects(dbQuery(server, `UPDATE host_payout_requests SET final_earning_minor = 1 WHERE id = ${payout.id}`), /immutable/);
    } finally {
        assert.equal((await setFee('10.00')).status, 200);
    }
});

test('staff workflow: pending -> approved -> processing -> completed; every other move 409; reasons and references required', async () => {
    const account = await bankAccount(other, { last4: '9876' });
    const { ev, payout } = await pendingPayout(other, account, 2);
    const id = payout.id;
    assertErrorBody(await move(other, id, 'approve', {}), 403);
    assertErrorBody(await move(host, id, 'approve', {}), 403);
    const wrong = await move(staff, id, 'process', {});
    assertErrorBody(wrong, 409, 'INVALID_TRANSITION');
    assert.deepEqual(wrong.json.details, { status: 'pending', to: 'processing', allowed_from: ['approved'] });
    assertErrorBody(await move(staff, id, 'complete', { transaction_reference: 'UTR1' }), 409, 'INVALID_TRANSITION');
    assertErrorBody(await move(staff, 987654321, 'approve', {}), 404, 'PAYOUT_NOT_FOUND');
    const approved = await move(staff, id, 'approve');
    assert.equal(approved.status, 200, summarize(approved));
    assert.equal(approved.json.message, 'Payout request approved');
    assert.equal(approved.json.data.status, 'approved');
    assert.equal(approved.json.data.bank_account.masked_account_number, '****9876');
    const twice = await move(staff, id, 'approve', {});
    assertErrorBody(twice, 409, 'INVALID_TRANSITION');
    assert.equal(twice.json.details.status, 'approved');
    const processing = await move(staff, id, 'process', { notes: 'batch 7' });
    assert.equal(processing.json.data.status, 'processing');
    assert.equal(processing.json.data.notes, 'batch 7');
    assertErrorBody(await move(staff, id, 'reject', { reason: 'late' }), 409, 'INVALID_TRANSITION');
    assertErrorBody(await move(staff, id, 'cancel', {}), 409, 'INVALID_TRANSITION');
    assertValidationError(await move(staff, id, 'complete', {}), { loc: ['body', 'transaction_reference'] });
    assertValidationError(await move(staff, id, 'complete'), { loc: ['body', 'transaction_reference'] });
    assertValidationError(await move(staff, id, 'complete', { transaction_reference: '   ' }), { loc: ['body', 'transaction_reference'] });
    assertValidationError(await move(staff, id, 'complete', { transaction_reference: 'x'.repeat(101) }), { loc: ['body', 'transaction_reference'] });
    const done = await move(staff, id, 'complete', { transaction_reference: ' UTR-2031-0001 ' });
    assert.equal(done.status, 200, summarize(done));
    const d = done.json.data;
    assert.equal(d.status, 'completed');
    assert.equal(d.transaction_reference, 'UTR-2031-0001');
    assert.match(d.processed_at, ISO_Z);
    assert.equal(d.processed_by_id, staff.id);
    assert.equal(d.notes, 'batch 7', 'notes kept when not given');
    for (const verb of ['approve', 'process', 'reject', 'cancel'])
        assertErrorBody(await move(staff, id, verb, { reason: 'x', transaction_reference: 'y' }), 409, 'INVALID_TRANSITION');
    const actions = await dbQuery(server, `SELECT action FROM audit_log WHERE object_type = 'host_payout_request' AND object_id = ${id} ORDER BY id`);
    assert.deepEqual(actions.split('\n'), ['payout.requested', 'payout.approved', 'payout.processing', 'payout.completed']);
    const told = await dbQuery(server, `SELECT title FROM notifications WHERE recipient_id = ${other.id} AND type = 'payout_reminder' AND reference_type = 'payout_request' AND reference_id = ${id} ORDER BY id`);
    assert.deepEqual(told.split('\n'), ['Payout approved', 'Payout in progress', 'Payout sent']);
    const inbox = await client.get('/api/notifications', { headers: bearer(other.token) });
    assert.ok(inbox.json.data.some((n) => n.type === 'payout_reminder' && /UTR-2031-0001/.test(n.message)), summarize(inbox));
    // the host sees it completed; a new request for the same sales is refused,
    // a request after new sales covers only those
    assert.equal((await getPayout(other, id)).json.data.status, 'completed');
    assertErrorBody(await requestPayout(other, { event_id: ev.id, bank_account_id: account }), 400, 'ALREADY_PAID_OUT');
    await sqlPaidOrders(ev, await sqlBuyers(1));
    const next = await requestPayout(other, { event_id: ev.id, bank_account_id: account });
    assert.equal(next.status, 201, summarize(next));
    assert.equal(next.json.data.total_tickets_sold, 1);
    assert.equal(next.json.data.final_earning, '100.00');
    assert.equal((await getPayout(other, next.json.data.id)).json.data.attendees_details.length, 1);
});

test('staff workflow: reject needs a reason (pending or approved); cancel; a rejected request frees the event for a new one', async () => {
    const account = await bankAccount(other);
    const { ev, payout } = await pendingPayout(other, account, 1);
    assertValidationError(await move(staff, payout.id, 'reject', {}), { loc: ['body', 'reason'] });
    assertValidationError(await move(staff, payout.id, 'reject'), { loc: ['body', 'reason'] });
    assertValidationError(await move(staff, payout.id, 'reject', { reason: '' }), { loc: ['body', 'reason'] });
    assertValidationError(await move(staff, payout.id, 'approve', { notes: 5 }), { loc: ['body', 'notes'] });
    await move(staff, payout.id, 'approve', {});
    const rejected = await move(staff, payout.id, 'reject', { reason: 'Bank details do not match the holder' });
    assert.equal(rejected.status, 200, summarize(rejected));
    assert.equal(rejected.json.data.status, 'rejected');
    assert.equal(rejected.json.data.rejection_reason, 'Bank details do not match the holder');
    assertErrorBody(await move(staff, payout.id, 'cancel', {}), 409, 'INVALID_TRANSITION');
    const msg = await dbQuery(server, `SELECT message FROM notifications WHERE reference_type = 'payout_request' AND reference_id = ${payout.id} AND title = 'Payout rejected'`);
    assert.match(msg, /Bank details do not match the holder/);
    const again = await requestPayout(other, { event_id: ev.id, bank_account_id: account });
    assert.equal(again.status, 201, 'rejected is not active');
    assert.equal(again.json.data.total_tickets_sold, 1, 'the orders of a rejected request are covered again');
    const cancelled = await move(staff, again.json.data.id, 'cancel', { notes: 'host asked' });
    assert.equal(cancelled.json.data.status, 'cancelled');
    assert.equal(cancelled.json.data.notes, 'host asked');
    assert.equal((await dbQuery(server, `SELECT action FROM audit_log WHERE object_type = 'host_payout_request' AND object_id = ${again.json.data.id} ORDER BY id`)).split('\n').pop(), 'payout.cancelled');
});

test('payout_status: the host sees the latest request\'s status on the event (single read, listing, update answer); everyone else null', async () => {
    const h = await newAccount(server, client, nextPhone, { name: 'Payout Status Host' });
    const account = await bankAccount(h);
    const ev = await paidEvent(h);
    await sqlPaidOrders(ev, await sqlBuyers(1));
    const status = async (who, id = ev.id) => {
        const one = await client.get(`/api/events/${id}`, { headers: bearer(who.token) });
        assert.equal(one.status, 200, summarize(one));
        const page = await client.get(`/api/events?host_id=${h.id}&limit=100`, { headers: bearer(who.token) });
        assert.equal(page.status, 200, summarize(page));
        const listed = page.json.data.find((e) => e.id === id);
        assert.ok(listed, 'listed');
        assert.equal(listed.payout_status, one.json.payout_status, 'the listing says what the read says');
        return one.json.payout_status;
    };
    assert.equal(await status(h), null, 'no request yet');
    const res = await requestPayout(h, { event_id: ev.id, bank_account_id: account });
    assert.equal(res.status, 201, summarize(res));
    assert.equal(await status(h), 'pending');
    assert.equal(await status(other), null, 'another user');
    const anon = await client.get(`/api/events?host_id=${h.id}&limit=100`);
    assert.equal(anon.status, 200, summarize(anon));
    assert.equal(anon.json.data.find((e) => e.id === ev.id).payout_status, null, 'anonymous');
    await move(staff, res.json.data.id, 'reject', { reason: 'Wrong account' });
    assert.equal(await status(h), 'rejected');
    const again = await requestPayout(h, { event_id: ev.id, bank_account_id: account });
    assert.equal(again.status, 201, summarize(again));
    await move(staff, again.json.data.id, 'approve', {});
    assert.equal(await status(h), 'approved', 'the latest request wins');
    const put = await client.put(`/api/events/${ev.id}`, { headers: bearer(h.token), json: { title: 'Renamed for payouts' } });
    assert.equal(put.status, 200, summarize(put));
    assert.equal(put.json.payout_status, 'approved');
    const mine = await paidEvent(h);
    assert.equal(await status(h, mine.id), null, 'another event of the same host');
});

test('staff list: filters by status, event and host, paginated; staff only', async () => {
    const account = await bankAccount(earner);
    const a = await pendingPayout(earner, account, 1);
    const b = await pendingPayout(earner, account, 1);
    await move(staff, b.payout.id, 'approve', {});
    const list = (q, who = staff) => client.get(`/api/admin/payouts${q}`, { headers: bearer(who.token) });
    const mine = await list(`?host_id=${earner.id}`);
    assert.equal(mine.status, 200, summarize(mine));
    assert.deepEqual(mine.json.data.map((x) => x.id), [b.payout.id, a.payout.id]);
    assert.equal(mine.json.pagination.total, 2);
    const item = mine.json.data[0];
    assert.equal(item.host_id, earner.id);
    assert.equal(item.bank_account.masked_account_number, '****1234');
    assert.ok(!('attendees_details' in item), 'the list leaves the attendees to the detail');
    assert.deepEqual((await list(`?host_id=${earner.id}&status=approved`)).json.data.map((x) => x.id), [b.payout.id]);
    assert.deepEqual((await list(`?event_id=${a.ev.id}`)).json.data.map((x) => x.id), [a.payout.id]);
    assert.deepEqual((await list(`?event_id=${a.ev.id}&status=approved`)).json.data, []);
    const paged = await list(`?host_id=${earner.id}&offset=1&limit=1`);
    assert.deepEqual(paged.json.pagination, { offset: 1, limit: 1, total: 2 });
    assert.deepEqual(paged.json.data.map((x) => x.id), [a.payout.id]);
    assert.ok((await list('')).json.pagination.total >= 2);
    assertValidationError(await list('?status=whatever'), { loc: ['query', 'status'] });
    assertValidationError(await list('?event_id=0'), { loc: ['query', 'event_id'] });
    assertErrorBody(await list('', earner), 403);
    const one = await client.get(`/api/admin/payouts/${a.payout.id}`, { headers: bearer(staff.token) });
    assert.equal(one.status, 200, summarize(one));
    assert.equal(one.json.data.attendees_details.length, 1);
    assertErrorBody(await client.get('/api/admin/payouts/987654321', { headers: bearer(staff.token) }), 404, 'PAYOUT_NOT_FOUND');
    assertErrorBody(await client.get(`/api/admin/payouts/${a.payout.id}`, { headers: bearer(earner.token) }), 403);
    await move(staff, a.payout.id, 'cancel', {});
    await move(staff, b.payout.id, 'cancel', {});
});

test('earnings: per event and in total; a partial refund lowers gross and earning, a full one removes the tickets', async () => {
    const h = await newAccount(server, client, nextPhone, { name: 'Refund Host' });
    const account = await bankAccount(h);
    const empty = await earnings(h);
    assert.equal(empty.status, 200, summarize(empty));
    assert.deepEqual(empty.json.data, { events: [], totals: [] });
    const ev = await paidEvent(h);
    const a = await buy(ev, h, guests[2], 2); // 220.00
    const b = await buy(ev, h, guests[3], 1); // 110.00
    const free = await createEvent(client, h.token, { title: `Free ${tag()}`, status: 'published' });
    let e = (await earnings(h)).json.data;
    assert.deepEqual(e.events.map((x) => x.event_id), [ev.id], 'only events with paid sales');
    assert.ok(!e.events.some((x) => x.event_id === free.id));
    assert.deepEqual(e.events[0], { event_id: ev.id, event_title: ev.title, currency: 'INR', tickets_sold: 3, gross: '330.00', platform_fee: '30.00', earning: '300.00', paid_out: '0.00', pending: '0.00' });
    const refund = (o, json) => client.post(`/api/admin/orders/${o.order_id}/refund`, { headers: bearer(staff.token), json });
    const part = await refund(a, { amount: '110.00', reason: 'one seat unused' });
    assert.equal(part.status, 200, summarize(part));
    e = (await earnings(h)).json.data;
    // a's 220.00 order lost half: its earning 200.00 -> 100.00, its fee 20.00 -> 10.00
    assert.deepEqual(e.events[0], { event_id: ev.id, event_title: ev.title, currency: 'INR', tickets_sold: 3, gross: '220.00', platform_fee: '20.00', earning: '200.00', paid_out: '0.00', pending: '0.00' });
    const req = await requestPayout(h, { event_id: ev.id, bank_account_id: account });
    assert.equal(req.status, 201, summarize(req));
    assert.equal(req.json.data.final_earning, '200.00', 'the payout follows the refund');
    assert.equal(req.json.data.platform_fee_amount, '20.00');
    assert.equal(req.json.data.total_tickets_sold, 3);
    e = (await earnings(h)).json.data;
    assert.equal(e.events[0].pending, '200.00');
    // a full refund after the request: the earnings move, the snapshot does not
    assert.equal((await refund(b, { reason: 'cannot come' })).status, 200);
    e = (await earnings(h)).json.data;
    assert.deepEqual(e.events[0], { event_id: ev.id, event_title: ev.title, currency: 'INR', tickets_sold: 2, gross: '110.00', platform_fee: '10.00', earning: '100.00', paid_out: '0.00', pending: '200.00' });
    assert.equal((await getPayout(h, req.json.data.id)).json.data.final_earning, '200.00');
    // completed payouts count as paid out
    for (const [verb, json] of [['approve', {}], ['process', {}], ['complete', { transaction_reference: 'UTR-9' }]])
        assert.equal((await move(staff, req.json.data.id, verb, json)).status, 200);
    const ev2 = await paidEvent(h, { ticket_price: '250.00' });
    await sqlPaidOrders(ev2, await sqlBuyers(2), { base: 25000, fee: 2500 });
    e = (await earnings(h)).json.data;
    assert.equal(e.events.length, 2);
    const first = e.events.find((x) => x.event_id === ev.id);
    assert.equal(first.paid_out, '200.00');
    assert.equal(first.pending, '0.00');
    assert.deepEqual(e.totals, [{ currency: 'INR', tickets_sold: 4, gross: '660.00', platform_fee: '60.00', earning: '600.00', paid_out: '200.00', pending: '0.00' }]);
    // nobody else's events
    assert.ok(!(await earnings(other)).json.data.events.some((x) => x.event_id === ev.id));
    assertErrorBody(await earnings(waitlisted), 403);
});

test('Idempotency-Key: a retried request or transition replays its answer; the same key on another body is 422', async () => {
    const ev = await paidEvent(earner);
    await sqlPaidOrders(ev, await sqlBuyers(1));
    const account = await bankAccount(earner);
    const key = `k-${tag()}`;
    const send = (json, who = earner, k = key) => client.post('/api/payouts/requests', { headers: { ...bearer(who.token), 'idempotency-key': k }, json });
    const a = await send({ event_id: ev.id, bank_account_id: account });
    assert.equal(a.status, 201, summarize(a));
    const b = await send({ event_id: ev.id, bank_account_id: account });
    assert.equal(b.status, 201, 'replayed, not PAYOUT_ALREADY_ACTIVE');
    assert.equal(b.headers.get('idempotent-replayed'), 'true');
    assert.equal(b.json.data.id, a.json.data.id);
    assertErrorBody(await send({ event_id: ev.id, bank_account_id: account + 1 }), 422, 'IDEMPOTENCY_KEY_REUSED');
    assert.equal(await dbQuery(server, `SELECT count(*) FROM host_payout_requests WHERE event_id = ${ev.id}`), '1');
    const approve = () => client.post(`/api/admin/payouts/${a.json.data.id}/approve`, { headers: { ...bearer(staff.token), 'idempotency-key': key }, json: {} });
    const first = await approve();
    assert.equal(first.status, 200, summarize(first));
    const again = await approve();
    assert.equal(again.status, 200, 'replayed, not INVALID_TRANSITION');
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.equal(Number(await dbQuery(server, `SELECT count(*) FROM audit_log WHERE action = 'payout.approved' AND object_id = ${a.json.data.id}`)), 1, 'approved once');
    await move(staff, a.json.data.id, 'cancel', {});
});

test('the staff list exports CSV: every match, the same rows, formula-safe', async () => {
    const json = await client.get('/api/admin/payouts?limit=100', { headers: bearer(staff.token) });
    assert.equal(json.status, 200, summarize(json));
    const res = await client.get('/api/admin/payouts?format=csv&limit=1', { headers: bearer(staff.token) });
    assert.equal(res.status, 200, summarize(res));
    assert.match(res.headers.get('content-type'), /^text\/csv/);
    assert.equal(res.headers.get('content-disposition'), 'attachment; filename="payouts.csv"');
    assert.equal(res.headers.get('x-total-count'), String(json.json.pagination.total));
    const lines = res.text.trimEnd().split('\r\n');
    assert.equal(lines[0], 'id,status,host_id,host_name,event_id,event_name,total_tickets_sold,final_earning,platform_fee_amount,created_at,processed_at,transaction_reference');
    assert.equal(lines.length, 1 + json.json.pagination.total, 'every match, not one page');
    const first = json.json.data[0];
    assert.ok(lines.some((l) => l.startsWith(`${first.id},${first.status},`)));
    assertValidationError(await client.get('/api/admin/payouts?format=xml', { headers: bearer(staff.token) }), { loc: ['query', 'format'] });
    assertErrorBody(await client.get('/api/admin/payouts?format=csv', { headers: bearer(host.token) }), 403, 'ADMIN_REQUIRED');
});

test('no request answered 5xx', () => {
    assertNo5xx(client);
});
