// notification_preferences.test.mjs: which types a person gets as push
// (issue 13 point 2; API.md 14.10; src/notifications/preferences.c): the
// defaults (fail closed), choosing per type, only one's own, bad input.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, summarize } from './lib/server.mjs';
import { assertErrorBody, assertValidationError } from './lib/expect.mjs';
import { startAccountsServer, phoneFactory, bearer } from './lib/accounts.mjs';
import { newAccount } from './lib/events.mjs';

const nextPhone = phoneFactory();
let server, client, alice, bob;

before(async () => {
    server = await startAccountsServer();
    client = api(server);
    alice = await newAccount(server, client, nextPhone, { name: 'Alice Person' });
    bob = await newAccount(server, client, nextPhone, { active: false, name: 'Bob Person' });
});

after(async () => {
    await server?.stop();
});

const get = (who) => client.get('/api/notifications/preferences', { headers: bearer(who.token) });
const put = (who, preferences) => client.put('/api/notifications/preferences', { headers: bearer(who.token), json: { preferences } });
const asMap = (res) => Object.fromEntries(res.json.data.map((p) => [p.type, p]));

test('the defaults of API.md 14.10: push for payments, changes, requests, invitations, reminders, system; not promotions', async () => {
    const res = await get(alice);
    assert.equal(res.status, 200, summarize(res));
    const m = asMap(res);
    assert.equal(res.json.data.length, 16);
    for (const t of ['payment_success', 'payment_failed', 'event_cancelled', 'event_update', 'event_request', 'event_invite', 'reminder', 'system'])
        assert.deepEqual(m[t], { type: t, push_enabled: true, is_default: true }, t);
    for (const t of ['promotional', 'event_live', 'ticket_confirmed'])
        assert.equal(m[t].push_enabled, false, t);
});

test('choosing per type: kept, reported as chosen, only for the caller; waitlisted people too', async () => {
    const res = await put(alice, { promotional: true, reminder: false });
    assert.equal(res.status, 200, summarize(res));
    const m = asMap(res);
    assert.deepEqual(m.promotional, { type: 'promotional', push_enabled: true, is_default: false });
    assert.deepEqual(m.reminder, { type: 'reminder', push_enabled: false, is_default: false });
    assert.equal(m.system.is_default, true);
    assert.equal(asMap(await get(alice)).reminder.push_enabled, false, 'kept');
    const again = await put(alice, { reminder: true });
    assert.equal(asMap(again).reminder.push_enabled, true, 'changed back');
    assert.equal(asMap(await get(bob)).promotional.push_enabled, false, 'not another person');
    assert.equal((await put(bob, { system: false })).status, 200, 'a waitlisted person may choose');
});

test('bad input: unknown types, non-booleans, empty or missing are 422; anonymous is refused', async () => {
    for (const prefs of [{ shouting: true }, { reminder: 'yes' }, { reminder: 1 }, {}, [], 'all'])
        assertValidationError(await put(alice, prefs), { loc: ['body', 'preferences'] });
    assertValidationError(await client.put('/api/notifications/preferences', { headers: bearer(alice.token), json: {} }), { loc: ['body', 'preferences'] });
    assertErrorBody(await client.get('/api/notifications/preferences'), 403, 'NOT_AUTHENTICATED');
});
