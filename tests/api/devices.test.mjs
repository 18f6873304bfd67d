// devices.test.mjs: push device registration (issue 13 point 1; API.md 11;
// src/notifications/devices.c): register (new, then updated), a player id
// moved to whoever registers it last, reactivation, deactivation of one's own
// devices only, the caller's list, waitlisted accounts allowed, staff
// refused, and bad input.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { api, dbQuery, summarize } from './lib/server.mjs';
import { assertErrorBody, assertValidationError } from './lib/expect.mjs';
import { startAccountsServer, phoneFactory, bearer } from './lib/accounts.mjs';
import { newAccount, newUser } from './lib/events.mjs';

const nextPhone = phoneFactory();
let server, client, alice, bob, waiting, staff;

before(async () => {
    server = await startAccountsServer();
    client = api(server);
    alice = await newAccount(server, client, nextPhone, { name: 'Alice Person' });
    bob = await newUser(server, client, nextPhone); // a login token, no profile completed
    waiting = await newAccount(server, client, nextPhone, { active: false, name: 'Waiting Person' });
    staff = await newAccount(server, client, nextPhone, { staff: true });
});

after(async () => {
    await server?.stop();
});

const player = () => `p-${randomBytes(8).toString('hex')}`;
const register = (who, json) => client.post('/api/notifications/devices/register', { headers: bearer(who.token), json });
const mine = async (who) => (await client.get('/api/notifications/devices', { headers: bearer(who.token) })).json.data;

test('register: new, then updated; several devices per person; the list shows them', async () => {
    const p1 = player(), p2 = player();
    const first = await register(alice, { onesignal_player_id: p1, platform: 'android' });
    assert.equal(first.status, 200, summarize(first));
    assert.deepEqual(Object.keys(first.json).sort(), ['device_id', 'message', 'success']);
    assert.equal(first.json.message, 'Device registered successfully');
    const again = await register(alice, { onesignal_player_id: p1, platform: 'iOS' });
    assert.equal(again.json.message, 'Device updated successfully');
    assert.equal(again.json.device_id, first.json.device_id);
    assert.equal((await register(alice, { onesignal_player_id: p2, platform: 'ios' })).status, 200);
    const list = await mine(alice);
    assert.deepEqual(list.map((d) => d.onesignal_player_id).sort(), [p1, p2].sort());
    assert.equal(list.find((d) => d.onesignal_player_id === p1).platform, 'ios');
    assert.ok(list.every((d) => d.is_active && d.last_seen_at));
});

test('a player id moves to whoever registers it last, reactivated', async () => {
    const p = player();
    const a = await register(alice, { onesignal_player_id: p, platform: 'android' });
    assert.equal((await client.del(`/api/notifications/devices/${p}`, { headers: bearer(alice.token) })).status, 200);
    const b = await register(bob, { onesignal_player_id: p, platform: 'ios' });
    assert.equal(b.status, 200, summarize(b));
    assert.equal(b.json.device_id, a.json.device_id, 'the same device row');
    assert.ok(!(await mine(alice)).some((d) => d.onesignal_player_id === p));
    const moved = (await mine(bob)).find((d) => d.onesignal_player_id === p);
    assert.equal(moved.is_active, true);
    assert.equal(moved.platform, 'ios');
    assert.equal(await dbQuery(server, `SELECT count(*) FROM user_devices WHERE onesignal_player_id = '${p}'`), '1');
});

test('deactivate: only a device of the caller; 404 otherwise', async () => {
    const p = player();
    await register(alice, { onesignal_player_id: p, platform: 'android' });
    assertErrorBody(await client.del(`/api/notifications/devices/${p}`, { headers: bearer(bob.token) }), 404, 'DEVICE_NOT_FOUND');
    const res = await client.del(`/api/notifications/devices/${p}`, { headers: bearer(alice.token) });
    assert.equal(res.status, 200, summarize(res));
    assert.equal(res.json.message, 'Device deactivated successfully');
    assert.equal((await mine(alice)).find((d) => d.onesignal_player_id === p).is_active, false);
    assertErrorBody(await client.del('/api/notifications/devices/no-such-player', { headers: bearer(alice.token) }), 404, 'DEVICE_NOT_FOUND');
});

test('who may: any signed-in customer (waitlisted too); staff are refused; anonymous is not authenticated', async () => {
    assert.equal((await register(waiting, { onesignal_player_id: player(), platform: 'android' })).status, 200);
    assertErrorBody(await register(staff, { onesignal_player_id: player(), platform: 'android' }), 403, 'ADMIN_CANNOT_REGISTER_DEVICE');
    assertErrorBody(await client.post('/api/notifications/devices/register', { json: { onesignal_player_id: player(), platform: 'ios' } }), 403, 'NOT_AUTHENTICATED');
    assertErrorBody(await client.get('/api/notifications/devices'), 403, 'NOT_AUTHENTICATED');
});

test('bad input: platform 400 as the contract says; missing or oversized fields 422', async () => {
    const bad = await register(alice, { onesignal_player_id: player(), platform: 'windows' });
    assertErrorBody(bad, 400, 'INVALID_PLATFORM');
    assert.equal(bad.json.detail, "Platform must be 'ios' or 'android'");
    assertValidationError(await register(alice, { platform: 'ios' }), { loc: ['body', 'onesignal_player_id'] });
    assertValidationError(await register(alice, { onesignal_player_id: 'x'.repeat(256), platform: 'ios' }), { loc: ['body', 'onesignal_player_id'] });
    assertValidationError(await register(alice, { onesignal_player_id: '   ', platform: 'ios' }), { loc: ['body', 'onesignal_player_id'] });
    assertValidationError(await register(alice, { onesignal_player_id: player() }), { loc: ['body', 'platform'] });
    assertValidationError(await register(alice, { onesignal_player_id: 42, platform: 'ios' }), { loc: ['body', 'onesignal_player_id'] });
});
