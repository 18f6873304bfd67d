// admin_interests.test.mjs: interest categories in the admin API (issue 12
// point 2; src/admin/interests_api.c, docs/admin.md): create, rename (the
// slug stays), describe, deactivate (no longer offered to the app), usage
// counts, uniqueness, validation and who may do it.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, dbQuery, summarize } from './lib/server.mjs';
import { assertErrorBody, assertValidationError } from './lib/expect.mjs';
import { startAccountsServer, phoneFactory, bearer } from './lib/accounts.mjs';
import { newAccount } from './lib/events.mjs';

const nextPhone = phoneFactory();
let server, client, staff, plain;

before(async () => {
    server = await startAccountsServer();
    client = api(server);
    staff = await newAccount(server, client, nextPhone, { staff: true });
    plain = await newAccount(server, client, nextPhone);
});

after(async () => {
    await server?.stop();
});

const as = (who) => ({ headers: bearer(who.token) });
const offered = async () => {
    const res = await client.get('/api/auth/event-interests', as(plain));
    assert.equal(res.status, 200, summarize(res));
    const list = Array.isArray(res.json) ? res.json : res.json.data;
    return list.map((i) => i.name);
};

test('who may: staff only', async () => {
    assertErrorBody(await client.get('/api/admin/interests', as(plain)), 403, 'ADMIN_REQUIRED');
    assertErrorBody(await client.post('/api/admin/interests', { ...as(plain), json: { name: 'Chess' } }), 403, 'ADMIN_REQUIRED');
    assertErrorBody(await client.patch('/api/admin/interests/1', { ...as(plain), json: { name: 'Chess' } }), 403, 'ADMIN_REQUIRED');
});

test('create, list with usage, rename (slug kept), deactivate (no longer offered), reactivate', async () => {
    const made = await client.post('/api/admin/interests', { ...as(staff), json: { name: '  Board Games & Chess ', description: 'Tabletop evenings' } });
    assert.equal(made.status, 201, summarize(made));
    assert.equal(made.json.name, 'Board Games & Chess');
    assert.equal(made.json.slug, 'board-games-chess');
    assert.equal(made.json.is_active, true);
    assert.equal(made.json.profiles, 0);
    assert.ok((await offered()).includes('Board Games & Chess'));
    const listed = await client.get('/api/admin/interests?search=board', as(staff));
    assert.deepEqual(listed.json.data.map((i) => i.id), [made.json.id]);
    const music = (await client.get('/api/admin/interests?search=Music', as(staff))).json.data[0];
    assert.ok(music.profiles >= 2, 'the test accounts chose interests 1-3');
    const renamed = await client.patch(`/api/admin/interests/${made.json.id}`, { ...as(staff), json: { name: 'Tabletop Games' } });
    assert.equal(renamed.status, 200, summarize(renamed));
    assert.equal(renamed.json.name, 'Tabletop Games');
    assert.equal(renamed.json.slug, 'board-games-chess');
    assert.equal(renamed.json.description, 'Tabletop evenings');
    const off = await client.patch(`/api/admin/interests/${made.json.id}`, { ...as(staff), json: { is_active: false } });
    assert.equal(off.json.is_active, false);
    assert.ok(!(await offered()).includes('Tabletop Games'));
    assert.equal((await client.get('/api/admin/interests?is_active=false', as(staff))).json.total, 1);
    const on = await client.patch(`/api/admin/interests/${made.json.id}`, { ...as(staff), json: { is_active: true } });
    assert.equal(on.json.is_active, true);
    const audit = await dbQuery(server, `SELECT action FROM audit_log WHERE object_type = 'event_interest' AND object_id = ${made.json.id} ORDER BY id`);
    assert.deepEqual(audit.split('\n'), ['interest.created', 'interest.updated', 'interest.updated', 'interest.updated']);
});

test('names are unique; bad input is 422; an empty change is 400; unknown is 404', async () => {
    assertErrorBody(await client.post('/api/admin/interests', { ...as(staff), json: { name: 'Music' } }), 409, 'INTEREST_EXISTS');
    const other = await client.post('/api/admin/interests', { ...as(staff), json: { name: 'Pottery' } });
    assertErrorBody(await client.patch(`/api/admin/interests/${other.json.id}`, { ...as(staff), json: { name: 'Music' } }), 409, 'INTEREST_EXISTS');
    assertValidationError(await client.post('/api/admin/interests', { ...as(staff), json: { name: 'x' } }), { loc: ['body', 'name'] });
    assertValidationError(await client.post('/api/admin/interests', { ...as(staff), json: {} }), { loc: ['body', 'name'] });
    assertValidationError(await client.patch(`/api/admin/interests/${other.json.id}`, { ...as(staff), json: { is_active: 'no way' } }), { loc: ['body', 'is_active'] });
    assertErrorBody(await client.patch(`/api/admin/interests/${other.json.id}`, { ...as(staff), json: {} }), 400, 'NOTHING_TO_CHANGE');
    assertErrorBody(await client.patch('/api/admin/interests/99999999', { ...as(staff), json: { name: 'Ghost' } }), 404, 'INTEREST_NOT_FOUND');
});
