// admin_orders.test.mjs: the admin API's orders and payments (issue 12
// point 2; src/admin/orders_api.c, docs/admin.md): the list's search,
// filters and CSV, and one order with its transactions and every callback,
// the provider's secrets hidden; refunds through the existing staff route
// show in both.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, summarize } from './lib/server.mjs';
import { assertErrorBody, assertValidationError } from './lib/expect.mjs';
import { startAccountsServer, phoneFactory, bearer } from './lib/accounts.mjs';
import { newAccount, createEvent, tag } from './lib/events.mjs';

const nextPhone = phoneFactory();
let server, client, host, staff, buyers, ev, paid, open;

const form = (fields) => new URLSearchParams(fields).toString();
const postForm = (url, fields) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form(fields), redirect: 'manual' });

// The test provider's checkout page: its "pay" form.
async function payForm(redirect) {
    const page = await postForm(redirect.payu_url, redirect.payload);
    const html = await page.text();
    const m = html.match(/<form method="post" action="([^"]+)">(.*?)<\/form>/);
    return {
        action: m[1].replace(/&amp;/g, '&'),
        fields: Object.fromEntries([...m[2].matchAll(/name="([^"]+)" value="([^"]*)"/g)].map((x) => [x[1], x[2].replace(/&amp;/g, '&')])),
    };
}

before(async () => {
    server = await startAccountsServer();
    client = api(server);
    host = await newAccount(server, client, nextPhone, { name: 'Host Person' });
    staff = await newAccount(server, client, nextPhone, { staff: true });
    buyers = [];
    for (let i = 0; i < 2; i++) buyers.push(await newAccount(server, client, nextPhone, { name: `Buyer ${'AB'[i]}` }));
    ev = await createEvent(client, host.token, { title: `Paid ${tag()}`, status: 'published', is_paid: 'true', ticket_price: '100.00' });
    const orders = [];
    for (const b of buyers) {
        const r = await client.post(`/api/events/${ev.id}/requests`, { headers: bearer(b.token), json: { seats_requested: 1 } });
        assert.equal(r.status, 201, summarize(r));
        const a = await client.put(`/api/events/${ev.id}/requests/${r.json.id}/accept`, { headers: bearer(host.token), json: {} });
        assert.equal(a.status, 200, summarize(a));
        const o = await client.post('/api/payments/orders', { headers: bearer(b.token), json: { event_id: ev.id, amount: '110.00' } });
        assert.equal(o.status, 201, summarize(o));
        orders.push(o.json.data);
    }
    // the first one pays
    const pay = await payForm(orders[0].payu_redirect);
    const done = await postForm(pay.action, pay.fields);
    assert.equal(done.status, 200);
    paid = orders[0].order.order_id;
    open = orders[1].order.order_id;
});

after(async () => {
    await server?.stop();
});

const as = (who) => ({ headers: bearer(who.token) });
const list = (query, who = staff) => client.get(`/api/admin/orders?${query}`, as(who));

test('who may call it: staff only', async () => {
    assertErrorBody(await client.get('/api/admin/orders'), 403, 'NOT_AUTHENTICATED');
    assertErrorBody(await list('', buyers[0]), 403, 'ADMIN_REQUIRED');
    assertErrorBody(await client.get(`/api/admin/orders/${paid}`, as(host)), 403, 'ADMIN_REQUIRED');
});

test('list: filters, search by order id or phone, CSV', async () => {
    const all = await list(`event_id=${ev.id}`);
    assert.equal(all.status, 200, summarize(all));
    assert.equal(all.json.total, 2);
    const row = all.json.data.find((o) => o.order_id === paid);
    assert.equal(row.status, 'paid');
    assert.equal(row.amount, '110.00');
    assert.equal(row.platform_fee, '10.00');
    assert.equal(row.refunded, '0.00');
    assert.equal(row.user_phone, buyers[0].phone);
    assert.equal((await list(`event_id=${ev.id}&status=paid`)).json.data[0].order_id, paid);
    assert.equal((await list(`event_id=${ev.id}&provider=test`)).json.total, 2);
    assert.equal((await list(`event_id=${ev.id}&provider=payu`)).json.total, 0);
    assert.deepEqual((await list(`search=${paid}`)).json.data.map((o) => o.order_id), [paid]);
    assert.deepEqual((await list(`search=${encodeURIComponent(buyers[1].phone.slice(1))}`)).json.data.map((o) => o.order_id), [open]);
    const csv = await list(`event_id=${ev.id}&format=csv`);
    assert.equal(csv.text.trimEnd().split('\r\n').length, 3);
    for (const [q, f] of [['status=lost', 'status'], ['provider=bitcoin', 'provider'], ['event_id=0', 'event_id'], ['created_from=later', 'created_from']])
        assertValidationError(await list(q), { loc: ['query', f] });
});

test('one order: its transactions and callbacks, the provider hash hidden; a refund shows in both', async () => {
    const res = await client.get(`/api/admin/orders/${paid}`, as(staff));
    assert.equal(res.status, 200, summarize(res));
    assert.equal(res.json.transactions.length, 1);
    assert.equal(res.json.transactions[0].type, 'payment');
    assert.equal(res.json.transactions[0].amount, '110.00');
    assert.ok(res.json.callbacks.length >= 1);
    const cb = res.json.callbacks[0];
    assert.equal(cb.signature_valid, true);
    assert.equal(cb.processed, true);
    assert.equal(cb.payload.hash, '[hidden]');
    assert.equal(cb.payload.txnid, paid);
    const refund = await client.post(`/api/admin/orders/${paid}/refund`, { ...as(staff), json: { reason: 'Event moved' } });
    assert.equal(refund.status, 200, summarize(refund));
    const after = await client.get(`/api/admin/orders/${paid}`, as(staff));
    assert.equal(after.json.refunded, '110.00');
    assert.ok(after.json.transactions.some((t) => t.type === 'refund'));
    assert.equal((await list(`event_id=${ev.id}&refunded=true`)).json.total, 1);
    assertErrorBody(await client.get('/api/admin/orders/NOPE123', as(staff)), 404, 'ORDER_NOT_FOUND');
});
