// admin_users.test.mjs: the admin API's users (issue 12 point 2;
// src/admin/users_api.c, src/admin/admin_list.c, docs/admin.md): who may
// call it, the list's search, filters, sorts, pagination and CSV, the detail
// page, and each action's effect and audit row (two processes on one
// database: an account deactivated on one is refused on the other).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { api, dbQuery, startServer, summarize } from './lib/server.mjs';
import { assertErrorBody, assertValidationError } from './lib/expect.mjs';
import { startAccountsServer, phoneFactory, bearer, makeStaff, login, completeProfile } from './lib/accounts.mjs';
import { newAccount } from './lib/events.mjs';

const nextPhone = phoneFactory();
const secret = randomBytes(32).toString('hex');
const tag = `Zq${[...randomBytes(6)].map((b) => String.fromCharCode(97 + (b % 26))).join('')}`; // a name part only this file's accounts have (names take letters only)
let server, other, client, otherClient, staff, su, plain, waitlisted, noProfile;
const people = [];

before(async () => {
    server = await startAccountsServer({ env: { LOOPIN_SECRET_KEY: secret } });
    other = await startServer({ databaseUrl: server.databaseUrl, env: { LOOPIN_SECRET_KEY: secret } });
    client = api(server);
    otherClient = api(other);
    staff = await newAccount(server, client, nextPhone, { staff: true, name: 'Staff Member' });
    su = await newAccount(server, client, nextPhone, { name: 'Super Member' });
    await makeStaff(server, su.id, { superuser: true });
    plain = await newAccount(server, client, nextPhone, { name: `${tag} Plain` });
    waitlisted = await newAccount(server, client, nextPhone, { active: false, name: `${tag} Waiting` });
    // an account made straight in the database (as the CLI does): no profile row
    const T0 = '2026-01-01T00:00:00.000000Z', phone = nextPhone();
    await dbQuery(server, `INSERT INTO users (uuid, phone, date_joined, created_at, updated_at) VALUES ('${randomUUID()}', '${phone}', '${T0}', '${T0}', '${T0}')`);
    noProfile = { id: Number(await dbQuery(server, `SELECT id FROM users WHERE phone = '${phone}'`)), phone };
    // five more, with genders and places to filter on
    const specs = [['female', 'Pune'], ['male', 'Pune'], ['female', 'Mumbai'], ['other', 'pune'], ['male', 'Goa']];
    for (const [i, [gender, location]] of specs.entries()) {
        const { token, user_id } = await login(server, client, nextPhone());
        const res = await completeProfile(client, token, { name: `${tag} Person ${'ABCDE'[i]}`, gender, location });
        assert.equal(res.json?.success, true, summarize(res));
        await dbQuery(server, `UPDATE users SET is_active = TRUE WHERE id = ${user_id}`);
        await dbQuery(server, `UPDATE user_profiles SET is_active = TRUE, waitlist_started_at = NULL, waitlist_promote_at = NULL WHERE user_id = ${user_id}`);
        people.push({ id: Number(user_id), token, gender, location });
    }
});

after(async () => {
    await other?.stop();
    await server?.stop();
});

const as = (who) => ({ headers: bearer(who.token) });
const list = (query, who = staff) => client.get(`/api/admin/users?${query}`, as(who));
const audit = async (action, id) =>
    (await dbQuery(server, `SELECT actor_user_id || '|' || payload FROM audit_log WHERE action = '${action}' AND object_id = ${id} ORDER BY id`)).split('\n').filter(Boolean);

test('who may call it: staff and superusers; everyone else 401/403', async () => {
    const host = await newAccount(server, client, nextPhone, { name: 'Host Person' });
    for (const path of ['/api/admin/users', `/api/admin/users/${plain.id}`]) {
        assertErrorBody(await client.get(path), 403, 'NOT_AUTHENTICATED');
        for (const who of [plain, host])
            assertErrorBody(await client.get(path, as(who)), 403, 'ADMIN_REQUIRED');
        assertErrorBody(await client.get(path, as(waitlisted)), 403, 'ACCOUNT_WAITLISTED');
        for (const who of [staff, su]) assert.equal((await client.get(path, as(who))).status, 200);
    }
    for (const [m, verb, body] of [['post', 'promote'], ['post', 'activate', { reason: 'test' }], ['post', 'deactivate', { reason: 'test' }], ['post', 'verify', {}]])
        for (const who of [plain, host])
            assertErrorBody(await client[m](`/api/admin/users/${plain.id}/${verb}`, { ...as(who), json: body }), 403, 'ADMIN_REQUIRED');
    // roles are a superuser's
    assertErrorBody(await client.put(`/api/admin/users/${plain.id}/staff`, { ...as(staff), json: { is_staff: true } }), 403, 'ADMIN_REQUIRED');
});

test('list: search by name or phone, filters, sorts, pages', async () => {
    const all = await list(`search=${tag}&limit=200`);
    assert.equal(all.status, 200, summarize(all));
    assert.equal(all.json.total, 7);
    assert.deepEqual(Object.keys(all.json).sort(), ['data', 'limit', 'offset', 'order', 'sort', 'total']);
    assert.equal(all.json.sort, 'date_joined');
    assert.equal(all.json.order, 'desc');
    const row = all.json.data.find((u) => u.id === plain.id);
    assert.deepEqual(Object.keys(row).sort(), ['date_joined', 'gender', 'has_profile', 'id', 'is_active', 'is_staff', 'is_superuser', 'is_verified', 'last_login', 'location', 'name', 'phone', 'uuid', 'waitlist_promote_at', 'waitlisted'].sort());
    assert.equal(row.phone, plain.phone);
    // newest first by default
    const joined = all.json.data.map((u) => u.date_joined);
    assert.deepEqual(joined, [...joined].sort().reverse());
    // by phone
    const byPhone = await list(`search=${encodeURIComponent(plain.phone.slice(1))}`);
    assert.deepEqual(byPhone.json.data.map((u) => u.id), [plain.id]);
    // case-insensitive name search; LIKE's wildcards are literal text
    assert.equal((await list(`search=${tag.toLowerCase()}`)).json.total, 7);
    assert.equal((await list(`search=${tag}%25`)).json.total, 0);
    assert.equal((await list('search=_')).json.total, 0);
    const q = (s) => list(`search=${tag}&${s}`).then((r) => (assert.equal(r.status, 200, summarize(r)), r.json));
    assert.equal((await q('gender=female')).total, 4, 'two of the five, and the two made with the default form');
    assert.equal((await q('location=PUNE')).total, 3, 'location matches without case');
    assert.equal((await q('gender=male&location=pune')).total, 1);
    assert.deepEqual((await q('waitlisted=true')).data.map((u) => u.id), [waitlisted.id]);
    assert.equal((await q('waitlisted=false')).total, 6);
    assert.equal((await q('is_active=false')).total, 1);
    assert.equal((await q('is_verified=false')).total, 0, 'a phone verified by OTP verifies the profile');
    const staffOnly = await list('is_staff=true&limit=200');
    assert.ok(staffOnly.json.data.every((u) => u.is_staff || u.is_superuser));
    assert.ok(staffOnly.json.data.some((u) => u.id === su.id));
    assert.ok((await list('is_superuser=true&limit=200')).json.data.every((u) => u.is_superuser));
    const future = await q('joined_from=2099-01-01');
    assert.equal(future.total, 0);
    assert.equal((await q('joined_to=2099-01-01T00:00:00Z')).total, 7);
    // sorts and pages never overlap or skip
    const byName = await q('sort=name&limit=3');
    assert.equal(byName.order, 'asc');
    assert.deepEqual(byName.data.map((u) => u.name), [`${tag} Person A`, `${tag} Person B`, `${tag} Person C`]);
    const seen = [];
    for (let offset = 0; offset < 7; offset += 2) seen.push(...(await q(`sort=name&order=desc&limit=2&offset=${offset}`)).data.map((u) => u.id));
    assert.equal(new Set(seen).size, 7);
    assert.deepEqual((await q('sort=name&order=desc&limit=1')).data.map((u) => u.name), [`${tag} Waiting`]);
    // an account without a profile is listed too
    const bare = await list(`search=${encodeURIComponent(noProfile.phone.slice(1))}`);
    assert.equal(bare.json.data[0].has_profile, false);
    assert.equal(bare.json.data[0].name, '');
});

test('list: CSV export of the same rows, every match, safe for spreadsheets', async () => {
    await dbQuery(server, `UPDATE user_profiles SET name = '=HYPERLINK("x") ${tag}' WHERE user_id = ${people[4].id}`);
    const res = await list(`search=${tag}&format=csv&limit=1`);
    assert.equal(res.status, 200, summarize(res));
    assert.match(res.headers.get('content-type'), /^text\/csv/);
    assert.equal(res.headers.get('content-disposition'), 'attachment; filename="users.csv"');
    assert.equal(res.headers.get('x-total-count'), '7');
    const lines = res.text.trimEnd().split('\r\n');
    assert.equal(lines[0], 'id,uuid,phone,name,is_active,is_staff,is_superuser,is_verified,gender,location,waitlisted,waitlist_promote_at,date_joined,last_login');
    assert.equal(lines.length, 8, 'every match, not one page');
    const formula = lines.find((l) => l.includes('HYPERLINK'));
    assert.ok(formula.includes(`"'=HYPERLINK(""x"") ${tag}"`), formula);
    assert.ok(lines.some((l) => l.startsWith(`${plain.id},`) && l.includes(',true,false,false,true,female,Bengaluru,false,,')));
});

test('list: bad parameters are 422, never a 500', async () => {
    for (const [query, field] of [
        ['limit=0', 'limit'], ['limit=201', 'limit'], ['offset=-1', 'offset'], ['sort=password_hash', 'sort'],
        ['sort=name;DROP TABLE users', 'sort'], ['order=sideways', 'order'], ['format=xml', 'format'],
        ['is_active=maybe', 'is_active'], ['gender=robot', 'gender'], ['joined_from=yesterday', 'joined_from'],
        ['search=', 'search'], [`search=${'x'.repeat(101)}`, 'search'], [`location=${'x'.repeat(101)}`, 'location'],
    ])
        assertValidationError(await list(query), { loc: ['query', field] });
    const quote = await list(`search=${encodeURIComponent("' OR 1=1 --")}`);
    assert.equal(quote.status, 200);
    assert.equal(quote.json.total, 0);
});

test('detail: the account, its profile and what it hosts, asks, holds, pays, and its audit rows', async () => {
    const res = await client.get(`/api/admin/users/${people[0].id}`, as(staff));
    assert.equal(res.status, 200, summarize(res));
    for (const k of ['profile', 'hosted_events', 'requests', 'tickets', 'orders', 'devices', 'audit'])
        assert.ok(k in res.json, k);
    assert.equal(res.json.id, people[0].id);
    assert.equal(res.json.profile.bio, 'Loves live music');
    assert.ok(Array.isArray(res.json.profile.profile_pictures));
    assert.ok(res.json.audit.some((a) => a.action === 'profile.complete'), JSON.stringify(res.json.audit.map((a) => a.action)));
    assert.equal((await client.get(`/api/admin/users/${noProfile.id}`, as(staff))).json.profile, null);
    assertErrorBody(await client.get('/api/admin/users/99999999', as(staff)), 404, 'USER_NOT_FOUND');
    assertValidationError(await client.get('/api/admin/users/abc', as(staff)), { loc: ['path', 'user_id'] });
});

test('promote from the waitlist now: active at once, welcomed, audited with the staff member', async () => {
    assertErrorBody(await client.post(`/api/admin/users/${plain.id}/promote`, as(staff)), 409, 'NOT_WAITLISTED');
    assertErrorBody(await client.post('/api/admin/users/99999999/promote', as(staff)), 404, 'USER_NOT_FOUND');
    const res = await client.post(`/api/admin/users/${waitlisted.id}/promote`, as(staff));
    assert.equal(res.status, 200, summarize(res));
    assert.equal(res.json.is_active, true);
    assert.equal(res.json.waitlisted, false);
    for (const c of [client, otherClient])
        assert.equal((await c.get('/api/notifications/unread-count', as(waitlisted))).status, 200);
    const welcome = Number(await dbQuery(server, `SELECT count(*) FROM notifications WHERE recipient_id = ${waitlisted.id} AND title = 'Welcome to Loopin!'`));
    assert.equal(welcome, 1);
    const rows = await audit('account.waitlist.promoted', waitlisted.id);
    assert.equal(rows.length, 1);
    assert.ok(rows[0].startsWith(`${staff.id}|`) && rows[0].includes('staff'), rows[0]);
    assertErrorBody(await client.post(`/api/admin/users/${waitlisted.id}/promote`, as(staff)), 409, 'NOT_WAITLISTED');
});

test('deactivate and activate with a reason: refused everywhere within a second, audited, and back', async () => {
    const who = people[1];
    assertValidationError(await client.post(`/api/admin/users/${who.id}/deactivate`, { ...as(staff), json: {} }), { loc: ['body', 'reason'] });
    assertValidationError(await client.post(`/api/admin/users/${who.id}/deactivate`, { ...as(staff), json: { reason: ' ' } }), { loc: ['body', 'reason'] });
    const off = await client.post(`/api/admin/users/${who.id}/deactivate`, { ...as(staff), json: { reason: 'Reported for spam' } });
    assert.equal(off.status, 200, summarize(off));
    assert.equal(off.json.is_active, false);
    assert.equal(off.json.waitlisted, false);
    for (const c of [client, otherClient]) {
        const t0 = Date.now();
        for (;;) {
            const r = await c.get('/api/notifications/unread-count', as(who));
            if (r.status === 403) break;
            assert.ok(Date.now() - t0 < 1000, 'refused within a second');
        }
    }
    assertErrorBody(await client.post(`/api/admin/users/${who.id}/deactivate`, { ...as(staff), json: { reason: 'again' } }), 409, 'ALREADY_INACTIVE');
    const rows = await audit('user.deactivated', who.id);
    assert.equal(rows.length, 1);
    assert.ok(rows[0].includes('Reported for spam') && rows[0].startsWith(`${staff.id}|`), rows[0]);
    const on = await client.post(`/api/admin/users/${who.id}/activate`, { ...as(staff), json: { reason: 'Appeal accepted' } });
    assert.equal(on.status, 200, summarize(on));
    assert.equal(on.json.is_active, true);
    const t1 = Date.now();
    while ((await otherClient.get('/api/notifications/unread-count', as(who))).status !== 200)
        assert.ok(Date.now() - t1 < 1000, 'back within a second on the other process');
    assert.equal((await audit('user.activated', who.id)).length, 1);
    assertErrorBody(await client.post(`/api/admin/users/${who.id}/activate`, { ...as(staff), json: { reason: 'again' } }), 409, 'ALREADY_ACTIVE');
    // staff accounts are a superuser's to deactivate, and nobody deactivates themselves
    assertErrorBody(await client.post(`/api/admin/users/${su.id}/deactivate`, { ...as(staff), json: { reason: 'nope' } }), 403, 'SUPERUSER_REQUIRED');
    assertErrorBody(await client.post(`/api/admin/users/${su.id}/deactivate`, { ...as(su), json: { reason: 'nope' } }), 409, 'CANNOT_CHANGE_SELF');
});

test('verify a profile (and take it back); an account without a profile cannot be', async () => {
    const who = people[2];
    const undo = await client.post(`/api/admin/users/${who.id}/verify`, { ...as(staff), json: { is_verified: false } });
    assert.equal(undo.status, 200, summarize(undo));
    assert.equal(undo.json.is_verified, false);
    assert.deepEqual((await list(`search=${tag}&is_verified=false`)).json.data.map((u) => u.id), [who.id]);
    const res = await client.post(`/api/admin/users/${who.id}/verify`, { ...as(staff), json: {} });
    assert.equal(res.status, 200, summarize(res));
    assert.equal(res.json.is_verified, true);
    assert.equal((await audit('user.profile.verified', who.id)).length, 1);
    assert.equal((await audit('user.profile.unverified', who.id)).length, 1);
    assertErrorBody(await client.post(`/api/admin/users/${noProfile.id}/verify`, { ...as(staff), json: {} }), 409, 'PROFILE_NOT_FOUND');
    assertValidationError(await client.post(`/api/admin/users/${who.id}/verify`, { ...as(staff), json: { is_verified: 'perhaps' } }), { loc: ['body', 'is_verified'] });
});

test('make and remove staff: superusers only, never themselves; taking staff away ends their console sessions', async () => {
    const who = people[3];
    const res = await client.put(`/api/admin/users/${who.id}/staff`, { ...as(su), json: { is_staff: true } });
    assert.equal(res.status, 200, summarize(res));
    assert.equal(res.json.is_staff, true);
    assert.equal(res.json.is_superuser, false);
    assert.equal((await otherClient.get('/api/admin/users', as(who))).status, 200);
    await dbQuery(server, `UPDATE users SET password_hash = '$argon2id$v=19$m=65536,t=3,p=1$fx4aP+y1E5KVZB0AMtQy0g$/V4d73OeSttlNy6dHymtJCSG7LmmsGv7MfQr++D4qow' WHERE id = ${who.id}`);
    const phone = (await dbQuery(server, `SELECT phone FROM users WHERE id = ${who.id}`)).trim();
    const signedIn = await client.post('/api/admin/session', { json: { phone_number: phone, password: 'correct horse battery staple' } });
    assert.equal(signedIn.status, 200, summarize(signedIn));
    const off = await client.put(`/api/admin/users/${who.id}/staff`, { ...as(su), json: { is_staff: false } });
    assert.equal(off.json.is_staff, false);
    const live = Number(await dbQuery(server, `SELECT count(*) FROM staff_sessions WHERE user_id = ${who.id} AND revoked_at IS NULL`));
    assert.equal(live, 0);
    assertErrorBody(await otherClient.get('/api/admin/users', as(who)), 403, 'ADMIN_REQUIRED');
    const rows = await audit('user.staff.changed', who.id);
    assert.equal(rows.length, 2);
    // superuser implies staff
    const up = await client.put(`/api/admin/users/${who.id}/staff`, { ...as(su), json: { is_staff: false, is_superuser: true } });
    assert.equal(up.json.is_staff, true);
    assert.equal(up.json.is_superuser, true);
    assertErrorBody(await client.put(`/api/admin/users/${su.id}/staff`, { ...as(su), json: { is_staff: false } }), 409, 'CANNOT_CHANGE_SELF');
    assertValidationError(await client.put(`/api/admin/users/${who.id}/staff`, { ...as(su), json: {} }), { loc: ['body', 'is_staff'] });
    assertErrorBody(await client.put('/api/admin/users/99999999/staff', { ...as(su), json: { is_staff: true } }), 404, 'USER_NOT_FOUND');
});
