// admin_events.test.mjs: the admin API's events (issue 12 point 2;
// src/admin/events_api.c, docs/admin.md): the list's search, filters and
// CSV, the detail with requests, attendees, check-ins, orders and revenue,
// cancelling (every going attendee told, audited, off the listing) and
// unpublishing (refused while anyone holds a ticket).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, dbQuery, summarize } from './lib/server.mjs';
import { assertErrorBody, assertValidationError } from './lib/expect.mjs';
import { startAccountsServer, phoneFactory, bearer } from './lib/accounts.mjs';
import { newAccount, createEvent, tag, at } from './lib/events.mjs';

const nextPhone = phoneFactory();
const T = tag();
let server, client, host, staff, plain, guests, party, quiet, draft;

before(async () => {
    server = await startAccountsServer();
    client = api(server);
    host = await newAccount(server, client, nextPhone, { name: 'Host Person' });
    staff = await newAccount(server, client, nextPhone, { staff: true, name: 'Staff Person' });
    plain = await newAccount(server, client, nextPhone, { name: 'Plain Person' });
    guests = [];
    for (let i = 0; i < 3; i++) guests.push(await newAccount(server, client, nextPhone, { name: `Guest ${'ABC'[i]}` }));
    party = await createEvent(client, host.token, { title: `Party ${T}`, status: 'published' });
    quiet = await createEvent(client, host.token, { title: `Quiet ${T}`, status: 'published' });
    draft = await createEvent(client, host.token, { title: `Draft ${T}` });
    // two guests going to the party, one checked in; one guest only asked
    for (const [i, g] of guests.entries()) {
        const r = await client.post(`/api/events/${party.id}/requests`, { headers: bearer(g.token), json: { seats_requested: 1 } });
        assert.equal(r.status, 201, summarize(r));
        if (i === 2) continue;
        const a = await client.put(`/api/events/${party.id}/requests/${r.json.id}/accept`, { headers: bearer(host.token), json: {} });
        assert.equal(a.status, 200, summarize(a));
        const c = await client.post(`/api/events/${party.id}/confirm-attendance`, { headers: bearer(g.token), json: {} });
        assert.equal(c.status, 200, summarize(c));
        if (i === 0) {
            const s = await client.post(`/api/events/${party.id}/check-in`, { headers: bearer(host.token), json: { code: c.json.qr_code_data, nonce: `n-${tag()}` } });
            assert.equal(s.status, 200, summarize(s));
        }
    }
});

after(async () => {
    await server?.stop();
});

const as = (who) => ({ headers: bearer(who.token) });
const list = (query, who = staff) => client.get(`/api/admin/events?${query}`, as(who));

test('who may call it: staff only', async () => {
    assertErrorBody(await client.get('/api/admin/events'), 403, 'NOT_AUTHENTICATED');
    for (const who of [plain, host]) {
        assertErrorBody(await list('', who), 403, 'ADMIN_REQUIRED');
        assertErrorBody(await client.get(`/api/admin/events/${party.id}`, as(who)), 403, 'ADMIN_REQUIRED');
        assertErrorBody(await client.post(`/api/admin/events/${party.id}/cancel`, { ...as(who), json: { reason: 'test' } }), 403, 'ADMIN_REQUIRED');
    }
});

test('list: search, filters, sorts, CSV', async () => {
    const all = await list(`search=${T}`);
    assert.equal(all.status, 200, summarize(all));
    assert.equal(all.json.total, 3);
    const p = all.json.data.find((e) => e.id === party.id);
    assert.equal(p.going_count, 2);
    assert.equal(p.requests_count, 1, 'the pending ones');
    assert.equal(p.host_id, host.id);
    assert.equal(p.host_name, 'Host Person');
    assert.equal((await list(`search=${T}&status=draft`)).json.data[0].id, draft.id);
    assert.equal((await list(`search=${T}&status=published`)).json.total, 2);
    assert.equal((await list(`search=${T}&host_id=${plain.id}`)).json.total, 0);
    assert.equal((await list(`search=${T}&start_from=2099-01-01`)).json.total, 0);
    const byTitle = await list(`search=${T}&sort=title`);
    assert.deepEqual(byTitle.json.data.map((e) => e.id), [draft.id, party.id, quiet.id]);
    const byRequests = await list(`search=${T}&sort=requests_count&order=desc&limit=1`);
    assert.equal(byRequests.json.data[0].id, party.id);
    const csv = await list(`search=${T}&format=csv`);
    assert.equal(csv.headers.get('content-disposition'), 'attachment; filename="events.csv"');
    assert.equal(csv.text.trimEnd().split('\r\n').length, 4);
    for (const [q, f] of [['status=gone', 'status'], ['host_id=x', 'host_id'], ['start_to=soon', 'start_to'], ['sort=host', 'sort']])
        assertValidationError(await list(q), { loc: ['query', f] });
});

test('detail: requests, attendees, check-ins, orders and revenue', async () => {
    const res = await client.get(`/api/admin/events/${party.id}`, as(staff));
    assert.equal(res.status, 200, summarize(res));
    assert.equal(res.json.requests.length, 3);
    assert.equal(res.json.attendees.length, 2);
    assert.ok(res.json.attendees.some((a) => a.checked_in_at));
    assert.equal(res.json.check_ins.length, 1);
    assert.equal(res.json.check_ins[0].result, 'accepted');
    assert.deepEqual(res.json.orders, []);
    assert.deepEqual(res.json.revenue, { paid_orders: 0, gross: '0.00', platform_fee: '0.00', host_share: '0.00', refunded: '0.00', seats_sold: 0 });
    assertErrorBody(await client.get('/api/admin/events/99999999', as(staff)), 404);
});

test('unpublish: a public event with nobody going turns private, off the listing; one with tickets is refused', async () => {
    assertValidationError(await client.post(`/api/admin/events/${quiet.id}/unpublish`, { ...as(staff), json: {} }), { loc: ['body', 'reason'] });
    assertErrorBody(await client.post(`/api/admin/events/${party.id}/unpublish`, { ...as(staff), json: { reason: 'Misleading title' } }), 409, 'EVENT_HAS_ATTENDEES');
    const res = await client.post(`/api/admin/events/${quiet.id}/unpublish`, { ...as(staff), json: { reason: 'Misleading title' } });
    assert.equal(res.status, 200, summarize(res));
    assert.equal(res.json.is_public, false);
    assert.equal(res.json.status, 'published');
    // off the public listing
    const listed = await client.get(`/api/events?search=${T}&limit=100`);
    assert.ok(!listed.json.data.some((e) => e.id === quiet.id));
    assertErrorBody(await client.post(`/api/admin/events/${quiet.id}/unpublish`, { ...as(staff), json: { reason: 'Not public anyway' } }), 409, 'ALREADY_PRIVATE');
    const rows = await dbQuery(server, `SELECT count(*) FROM audit_log WHERE action = 'event.unpublished' AND object_id = ${quiet.id} AND actor_user_id = ${staff.id}`);
    assert.equal(Number(rows), 1);
});

test('cancel: every going attendee told, audited with the reason, the event shows cancelled', async () => {
    const res = await client.post(`/api/admin/events/${party.id}/cancel`, { ...as(staff), json: { reason: 'Venue flooded' } });
    assert.equal(res.status, 200, summarize(res));
    assert.equal(res.json.status, 'cancelled');
    assert.equal(res.json.attendees_told, 2);
    assert.equal(res.json.paid_orders_to_refund, 0);
    for (const [i, g] of guests.entries()) {
        const n = Number(await dbQuery(server, `SELECT count(*) FROM notifications WHERE recipient_id = ${g.id} AND type = 'event_cancelled' AND reference_id = ${party.id}`));
        assert.equal(n, i < 2 ? 1 : 0, `guest ${i}`);
    }
    const msg = await dbQuery(server, `SELECT message FROM notifications WHERE recipient_id = ${guests[0].id} AND type = 'event_cancelled'`);
    assert.match(msg, /Venue flooded/);
    const audit = await dbQuery(server, `SELECT payload FROM audit_log WHERE action = 'event.cancelled' AND object_id = ${party.id}`);
    assert.deepEqual(JSON.parse(audit), { reason: 'Venue flooded', from: 'published', to: 'cancelled', attendees_told: 2 });
    assert.equal((await client.get(`/api/events/${party.id}`, as(host))).json.status, 'cancelled');
    assertErrorBody(await client.post(`/api/admin/events/${party.id}/cancel`, { ...as(staff), json: { reason: 'again' } }), 409, 'INVALID_STATUS_TRANSITION');
    // a draft can be cancelled too
    const d = await client.post(`/api/admin/events/${draft.id}/cancel`, { ...as(staff), json: { reason: 'Abandoned draft' } });
    assert.equal(d.json.status, 'cancelled');
    assert.equal(d.json.attendees_told, 0);
});
