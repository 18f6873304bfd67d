// admin_dashboard.test.mjs: the analytics dashboard (issue 12 point 3;
// src/admin/dashboard.c, docs/admin.md): the buckets of each period, the
// series counted into the right bucket (moved by the test clock), the
// acceptance rate, the "now" figures, and who may read it.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, summarize } from './lib/server.mjs';
import { assertErrorBody, assertValidationError } from './lib/expect.mjs';
import { startAccountsServer, phoneFactory, bearer } from './lib/accounts.mjs';
import { newAccount, createEvent, tag, at } from './lib/events.mjs';

const nextPhone = phoneFactory();
let server, client, staff, host, guests, ev;

before(async () => {
    server = await startAccountsServer();
    client = api(server);
    staff = await newAccount(server, client, nextPhone, { staff: true });
    host = await newAccount(server, client, nextPhone, { name: 'Host Person' });
    guests = [];
    for (let i = 0; i < 3; i++) guests.push(await newAccount(server, client, nextPhone, { name: `Guest ${'ABC'[i]}` }));
    ev = await createEvent(client, host.token, { title: `Dash ${tag()}`, status: 'published' });
    // three requests: two accepted, one declined
    for (const [i, g] of guests.entries()) {
        const r = await client.post(`/api/events/${ev.id}/requests`, { headers: bearer(g.token), json: { seats_requested: 1 } });
        assert.equal(r.status, 201, summarize(r));
        const verb = i < 2 ? 'accept' : 'decline';
        const a = await client.put(`/api/events/${ev.id}/requests/${r.json.id}/${verb}`, { headers: bearer(host.token), json: {} });
        assert.equal(a.status, 200, summarize(a));
    }
});

after(async () => {
    await server?.stop();
});

const board = (name, period = 'monthly') => client.get(`/api/admin/dashboard/${name}?period=${period}`, { headers: bearer(staff.token) });
const last = (xs) => xs[xs.length - 1];

test('who may read it: staff only; unknown boards and periods are 422', async () => {
    assertErrorBody(await client.get('/api/admin/dashboard/users'), 403, 'NOT_AUTHENTICATED');
    assertErrorBody(await client.get('/api/admin/dashboard/users', { headers: bearer(host.token) }), 403, 'ADMIN_REQUIRED');
    assertValidationError(await board('money'), { loc: ['path', 'board'] });
    assertValidationError(await board('users', 'daily'), { loc: ['query', 'period'] });
});

test('buckets: 12 weeks from Monday, 12 months, 5 years; contiguous, the last one holding now', async () => {
    for (const [period, n] of [['weekly', 12], ['monthly', 12], ['yearly', 5]]) {
        const res = await board('users', period);
        assert.equal(res.status, 200, summarize(res));
        const b = res.json.buckets;
        assert.equal(b.length, n, period);
        for (let i = 1; i < n; i++) assert.equal(b[i].start, b[i - 1].end);
        const now = Date.parse(res.json.generated_at);
        assert.ok(Date.parse(last(b).start) <= now && now < Date.parse(last(b).end), period);
        if (period === 'weekly') assert.equal(new Date(b[0].start).getUTCDay(), 1, 'Monday');
        if (period === 'monthly') assert.equal(new Date(b[0].start).getUTCDate(), 1);
        if (period === 'yearly') assert.match(b[0].start, /-01-01T00:00:00/);
        for (const values of Object.values(res.json.series)) assert.equal(values.length, n);
    }
});

test('series and figures: sign-ups, events, requests with the acceptance rate, hosts, payments', async () => {
    const users = (await board('users')).json;
    assert.ok(last(users.series.signups) >= 5, JSON.stringify(users.series));
    assert.ok(users.now.users >= 5 && users.now.active >= 5 && users.now.staff >= 1);
    assert.equal(typeof users.now.waitlisted, 'number');
    const events = (await board('events')).json;
    assert.ok(last(events.series.created) >= 1);
    assert.ok(last(events.series.requests) >= 3);
    assert.equal(last(events.series.accepted), 2);
    assert.equal(last(events.series.declined), 1);
    assert.equal(last(events.series.acceptance_rate), 66.6);
    assert.equal(events.series.acceptance_rate[0], null, 'no decisions: no rate');
    assert.ok(events.now.upcoming >= 1);
    const hosts = (await board('hosts')).json;
    assert.ok(last(hosts.series.new_hosts) >= 1);
    assert.ok(hosts.now.hosts >= 1);
    const pay = (await board('payments', 'yearly')).json;
    assert.equal(pay.currency, 'INR');
    for (const k of ['paid_orders', 'tickets_sold', 'gross_minor', 'platform_fee_minor', 'refunds_minor', 'payouts_paid_minor'])
        assert.ok(Array.isArray(pay.series[k]), k);
    for (const k of ['payouts_pending', 'payouts_pending_minor', 'payouts_paid_minor']) assert.equal(typeof pay.now[k], 'number', k);
});

test('the test clock a month on: the current month rows move to the bucket before', async () => {
    const before = (await board('events')).json;
    assert.equal((await client.post('/_test/clock', { json: { advance_seconds: 32 * 86400 } })).status, 200);
    staff = await newAccount(server, client, nextPhone, { staff: true }); // the old token has expired
    const after = (await board('events')).json;
    const n = after.buckets.length;
    assert.equal(after.series.accepted[n - 2], last(before.series.accepted));
    assert.equal(after.series.accepted[n - 1], 0);
    assert.equal(after.series.requests[n - 2], last(before.series.requests));
});
