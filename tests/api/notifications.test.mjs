// notifications.test.mjs: the in-app inbox (docs/admission.md,
// "Notifications"): the rows other modules write, served to their recipient
// only, newest first, with unread counts and marking read; on both databases.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, summarize } from './lib/server.mjs';
import { assertErrorBody, assertValidationError } from './lib/expect.mjs';
import { assertNo5xx } from './lib/otp.mjs';
import { startAccountsServer, phoneFactory, bearer } from './lib/accounts.mjs';
import { newAccount, createEvent, tag } from './lib/events.mjs';

const nextPhone = phoneFactory();
let server, client, host, guest, waitlisted;

before(async () => {
    server = await startAccountsServer();
    client = api(server);
    host = await newAccount(server, client, nextPhone);
    guest = await newAccount(server, client, nextPhone, { name: 'Guest One' });
    waitlisted = await newAccount(server, client, nextPhone, { active: false });
});

after(async () => {
    await server?.stop();
});

const inbox = (token, qs = '') => client.get(`/api/notifications${qs}`, { headers: bearer(token) });
const unreadCount = async (token) =>
    (await client.get('/api/notifications/unread-count', { headers: bearer(token) })).json.unread_count;

// Two join requests to the host's events: two notifications for the host
// (each event's "created" notification comes first); resolves to the
// host's unread count before the requests.
async function twoRequests() {
    const evs = [];
    for (let i = 0; i < 2; i++) evs.push(await createEvent(client, host.token, { title: `Inbox ${tag()}`, status: 'published' }));
    const before = await unreadCount(host.token);
    for (const ev of evs) {
        const res = await client.post(`/api/events/${ev.id}/requests`, { headers: bearer(guest.token), json: {} });
        assert.equal(res.status, 201, summarize(res));
    }
    return before;
}

test('the host sees the requests it received, newest first, unread', async () => {
    const before = await twoRequests();
    assert.equal(await unreadCount(host.token), before + 2);
    const page = await inbox(host.token, '?limit=2');
    assert.equal(page.status, 200, summarize(page));
    assert.equal(page.json.data.length, 2);
    assert.equal(page.json.unread_count, before + 2);
    const [a, b] = page.json.data;
    assert.equal(a.type, 'event_request');
    assert.equal(a.metadata.template, 'new_join_request');
    assert.equal(a.is_read, false);
    assert.equal(a.read_at, null);
    assert.equal(a.sender_id, guest.id);
    assert.ok(a.created_at >= b.created_at, 'newest first');
    assert.equal(typeof a.metadata, 'object');
});

test('marking one read, then all; nobody marks or sees another person\'s', async () => {
    await twoRequests();
    const first = (await inbox(host.token, '?unread_only=true')).json.data[0];
    const other = await client.put(`/api/notifications/${first.id}/read`, { headers: bearer(guest.token) });
    assertErrorBody(other, 404, 'NOTIFICATION_NOT_FOUND');
    assert.ok(!(await inbox(guest.token)).json.data.some((n) => n.id === first.id), 'not in the guest\'s inbox');
    const before = await unreadCount(host.token);
    const read = await client.put(`/api/notifications/${first.id}/read`, { headers: bearer(host.token) });
    assert.equal(read.status, 200, summarize(read));
    assert.equal(read.json.is_read, true);
    assert.ok(read.json.read_at);
    assert.equal(await unreadCount(host.token), before - 1);
    const again = await client.put(`/api/notifications/${first.id}/read`, { headers: bearer(host.token), json: {} });
    assert.equal(again.status, 200, 'marking twice is harmless');
    const all = await client.put('/api/notifications/read-all', { headers: bearer(host.token) });
    assert.equal(all.status, 200, summarize(all));
    assert.equal(all.json.updated, before - 1);
    assert.equal(await unreadCount(host.token), 0);
    assert.equal((await inbox(host.token, '?unread_only=true')).json.data.length, 0);
});

test('auth and bad input', async () => {
    assertErrorBody(await client.get('/api/notifications'), 403, 'NOT_AUTHENTICATED');
    assertErrorBody(await inbox(waitlisted.token), 403, 'ACCOUNT_WAITLISTED');
    assertValidationError(await inbox(host.token, '?limit=0'));
    assertValidationError(await inbox(host.token, '?unread_only=perhaps'));
    assertErrorBody(await client.put('/api/notifications/987654321/read', { headers: bearer(host.token) }), 404, 'NOTIFICATION_NOT_FOUND');
    assertValidationError(await client.put('/api/notifications/abc/read', { headers: bearer(host.token) }));
});

test('no request answered 5xx', () => {
    assertNo5xx(client);
});
