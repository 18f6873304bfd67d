// admin_session.test.mjs: signing in to the admin console (issue 12 point 1;
// src/admin/session_api.c, src/auth/staff_session.c, docs/admin.md). Phone +
// password give a session cookie (HttpOnly, SameSite=Strict, Path=/api/admin)
// and a CSRF token; the cookie works on staff routes only with the token for
// state changes; sign-out and "sign out everywhere" end sessions on every
// process (two processes on one database); failures are audited, answered
// alike whatever the cause, and locked out after five.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { api, dbQuery, startServer, summarize } from './lib/server.mjs';
import { assertErrorBody, assertValidationError } from './lib/expect.mjs';
import { startAccountsServer, phoneFactory, bearer, makeStaff } from './lib/accounts.mjs';
import { newAccount } from './lib/events.mjs';

// argon2id of "correct horse battery staple" (made by `loopin createsuperuser`)
const HASH = '$argon2id$v=19$m=65536,t=3,p=1$fx4aP+y1E5KVZB0AMtQy0g$/V4d73OeSttlNy6dHymtJCSG7LmmsGv7MfQr++D4qow';
const PASSWORD = 'correct horse battery staple';
const nextPhone = phoneFactory();
const secret = randomBytes(32).toString('hex');
let server, other, client, otherClient, staff, su, user;

before(async () => {
    server = await startAccountsServer({ env: { LOOPIN_SECRET_KEY: secret } });
    other = await startServer({ databaseUrl: server.databaseUrl, env: { LOOPIN_SECRET_KEY: secret } });
    client = api(server);
    otherClient = api(other);
    staff = await newAccount(server, client, nextPhone, { staff: true, name: 'Staff Person' });
    su = await newAccount(server, client, nextPhone, { name: 'Super Person' });
    await makeStaff(server, su.id, { superuser: true });
    user = await newAccount(server, client, nextPhone, { name: 'Plain Person' });
    for (const u of [staff, su, user])
        await dbQuery(server, `UPDATE users SET password_hash = '${HASH}' WHERE id = ${u.id}`);
});

after(async () => {
    await other?.stop();
    await server?.stop();
});

const signIn = (phone, password = PASSWORD, c = client) =>
    c.post('/api/admin/session', { json: { phone_number: phone, password } });

// The cookie pair "loopin_staff=..." of a sign-in answer, and its attributes.
function cookieOf(res) {
    const raw = res.headers.get('set-cookie');
    assert.ok(raw, `a Set-Cookie header: ${summarize(res)}`);
    const [pair, ...attrs] = raw.split(';').map((s) => s.trim());
    return { pair, attrs: attrs.map((a) => a.toLowerCase()), raw };
}

const withCookie = (pair, csrf) => ({ cookie: pair, ...(csrf ? { 'x-csrf-token': csrf } : {}) });
const auditCount = async (action, userId) =>
    Number(await dbQuery(server, `SELECT count(*) FROM audit_log WHERE action = '${action}' AND object_id = ${userId}`));

test('sign in: a cookie the browser keeps to itself, a CSRF token, and who is signed in', async () => {
    const res = await signIn(staff.phone);
    assert.equal(res.status, 200, summarize(res));
    const { pair, attrs } = cookieOf(res);
    assert.match(pair, /^loopin_staff=[A-Za-z0-9_-]{43}$/);
    for (const a of ['httponly', 'samesite=strict', 'path=/api/admin', 'secure', 'max-age=43200'])
        assert.ok(attrs.includes(a), `cookie attribute ${a}: ${attrs}`);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.deepEqual(res.json.user, {
        id: staff.id, uuid: res.json.user.uuid, phone: staff.phone, name: 'Staff Person', is_staff: true, is_superuser: false,
    });
    assert.match(res.json.csrf_token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(res.json.signed_in_with, 'session');
    assert.equal(res.json.idle_timeout_seconds, 7200);
    assert.ok(Date.parse(res.json.expires_at) > Date.now() + 11 * 3600e3);
    // the secret is stored only as its hash
    const stored = await dbQuery(server, `SELECT secret_hash FROM staff_sessions WHERE user_id = ${staff.id}`);
    assert.ok(!stored.includes(pair.split('=')[1]));
    assert.equal(await auditCount('admin.signin', staff.id), 1);
    // the same session on the other process; GET gives the CSRF token back
    const me = await otherClient.get('/api/admin/session', { headers: withCookie(pair) });
    assert.equal(me.status, 200, summarize(me));
    assert.equal(me.json.csrf_token, res.json.csrf_token);
    assert.equal(me.json.user.id, staff.id);
    // neither the password nor the session secret nor the CSRF token reaches a log
    for (const s of [server, other])
        for (const secretText of [PASSWORD, pair.split('=')[1], res.json.csrf_token])
            assert.ok(!s.stderr().includes(secretText), 'a secret in the log');
});

test('the cookie opens staff routes; a state change needs the CSRF token', async () => {
    const res = await signIn(staff.phone);
    const { pair } = cookieOf(res);
    const csrf = res.json.csrf_token;
    const list = await client.get('/api/admin/payouts', { headers: withCookie(pair) });
    assert.equal(list.status, 200, summarize(list));
    // not on routes for everyone: the app's routes still want a bearer token
    assertErrorBody(await client.get('/api/auth/profile', { headers: withCookie(pair) }), 403, 'NOT_AUTHENTICATED');
    // a state change without the token, or with another session's, is refused
    const end = (headers) => client.del('/api/admin/session', { headers });
    assertErrorBody(await end(withCookie(pair)), 403, 'CSRF_FAILED');
    assertErrorBody(await end(withCookie(pair, 'x'.repeat(43))), 403, 'CSRF_FAILED');
    const other = await signIn(staff.phone);
    assertErrorBody(await end(withCookie(pair, other.json.csrf_token)), 403, 'CSRF_FAILED');
    // a superuser-only route stays closed to staff by cookie too
    assertErrorBody(await client.put('/api/admin/platform-fee', {
        headers: withCookie(pair, csrf), json: { fee_percentage: '10.00', password: PASSWORD },
    }), 403, 'ADMIN_REQUIRED');
    const out = await end(withCookie(pair, csrf));
    assert.equal(out.status, 200, summarize(out));
    assert.deepEqual(out.json, { signed_out: true });
    const cleared = cookieOf(out);
    assert.equal(cleared.pair, 'loopin_staff=');
    assert.ok(cleared.attrs.includes('max-age=0'));
    // ended on every process
    for (const c of [client, otherClient])
        assertErrorBody(await c.get('/api/admin/session', { headers: withCookie(pair) }), 401, 'SESSION_EXPIRED');
    const signouts = Number(await dbQuery(server, `SELECT count(*) FROM audit_log WHERE action = 'admin.signout' AND actor_user_id = ${staff.id}`));
    assert.equal(signouts, 1);
});

test('sign out everywhere ends every session of the caller, on every process', async () => {
    const a = await signIn(su.phone), b = await signIn(su.phone, PASSWORD, otherClient);
    const mine = await signIn(staff.phone);
    const pa = cookieOf(a).pair, pb = cookieOf(b).pair;
    const res = await otherClient.del('/api/admin/sessions', { headers: withCookie(pb, b.json.csrf_token) });
    assert.equal(res.status, 200, summarize(res));
    assert.ok(res.json.sessions_ended >= 2, summarize(res));
    for (const p of [pa, pb])
        assertErrorBody(await client.get('/api/admin/session', { headers: withCookie(p) }), 401, 'SESSION_EXPIRED');
    // another person's session is untouched
    const still = await client.get('/api/admin/session', { headers: withCookie(cookieOf(mine).pair) });
    assert.equal(still.status, 200, summarize(still));
    // with a bearer token too (no cookie to clear, no CSRF needed)
    const c = await signIn(su.phone);
    const res2 = await client.del('/api/admin/sessions', { headers: bearer(su.token) });
    assert.equal(res2.status, 200, summarize(res2));
    assert.equal(res2.headers.get('set-cookie'), null);
    assertErrorBody(await client.get('/api/admin/session', { headers: withCookie(cookieOf(c).pair) }), 401, 'SESSION_EXPIRED');
    // and a bearer token cannot "sign out" of a session it is not
    assertErrorBody(await client.del('/api/admin/session', { headers: bearer(su.token) }), 400, 'NO_SESSION');
});

test('GET /api/admin/session with a staff bearer token: the account, no CSRF token', async () => {
    const res = await client.get('/api/admin/session', { headers: bearer(su.token) });
    assert.equal(res.status, 200, summarize(res));
    assert.equal(res.json.user.is_superuser, true);
    assert.equal(res.json.csrf_token, null);
    assert.equal(res.json.signed_in_with, 'token');
});

test('who may sign in: one answer for every wrong case, and no cookie', async () => {
    const waitlisted = await newAccount(server, client, nextPhone, { active: false, staff: true });
    await dbQuery(server, `UPDATE users SET password_hash = '${HASH}' WHERE id = ${waitlisted.id}`);
    const noPassword = await newAccount(server, client, nextPhone, { staff: true });
    const cases = [
        [staff.phone, 'wrong password'],
        [user.phone, PASSWORD], // not staff
        [waitlisted.phone, PASSWORD], // not active
        [noPassword.phone, PASSWORD], // no password set
        [nextPhone(), PASSWORD], // no such account
    ];
    for (const [phone, password] of cases) {
        const res = await signIn(phone, password);
        assertErrorBody(res, 401, 'INVALID_CREDENTIALS');
        assert.equal(res.headers.get('set-cookie'), null);
    }
    const failed = Number(await dbQuery(server, "SELECT count(*) FROM audit_log WHERE action = 'admin.signin.failed' AND is_successful = FALSE"));
    assert.ok(failed >= cases.length);
    const reasons = await dbQuery(server, "SELECT DISTINCT error_message FROM audit_log WHERE action = 'admin.signin.failed' ORDER BY 1");
    assert.deepEqual(reasons.split('\n'), ['no password set', 'no such account', 'not active staff', 'wrong password']);
    // a staff account that lost staff: its session ends at the next request
    const gone = await newAccount(server, client, nextPhone, { staff: true });
    await dbQuery(server, `UPDATE users SET password_hash = '${HASH}' WHERE id = ${gone.id}`);
    const s = await signIn(gone.phone);
    assert.equal(s.status, 200, summarize(s));
    await makeStaff(server, gone.id, { staff: false });
    assertErrorBody(await client.get('/api/admin/payouts', { headers: withCookie(cookieOf(s).pair) }), 403, 'ADMIN_REQUIRED');
});

test('five failures lock the phone for 15 minutes (429 with Retry-After), even for the right password', async () => {
    const victim = await newAccount(server, client, nextPhone, { staff: true });
    await dbQuery(server, `UPDATE users SET password_hash = '${HASH}' WHERE id = ${victim.id}`);
    for (let i = 0; i < 5; i++) assertErrorBody(await signIn(victim.phone, `guess ${i}`), 401, 'INVALID_CREDENTIALS');
    for (const c of [client, otherClient]) {
        const res = await signIn(victim.phone, PASSWORD, c);
        assertErrorBody(res, 429, 'TOO_MANY_ATTEMPTS');
        const retry = Number(res.headers.get('retry-after'));
        assert.ok(retry > 800 && retry <= 900, `Retry-After ${retry}`);
    }
    assert.equal(await auditCount('admin.signin.locked', victim.id), 1);
    // past the window (the test clock on both processes), the right password works again
    for (const c of [client, otherClient]) {
        const res = await c.post('/_test/clock', { json: { advance_seconds: 901 } });
        assert.equal(res.status, 200, summarize(res));
    }
    const ok = await signIn(victim.phone);
    assert.equal(ok.status, 200, summarize(ok));
});

test('bad input: 422 for a malformed phone or missing password; bad cookies are refused, never 5xx', async () => {
    assertValidationError(await client.post('/api/admin/session', { json: { phone_number: '12ab', password: 'x' } }), { loc: ['body', 'phone_number'] });
    assertValidationError(await client.post('/api/admin/session', { json: { phone_number: staff.phone } }), { loc: ['body', 'password'] });
    assertValidationError(await client.post('/api/admin/session', { json: { phone_number: staff.phone, password: '' } }), { loc: ['body', 'password'] });
    assertValidationError(await client.post('/api/admin/session', { json: { phone_number: staff.phone, password: 'x'.repeat(1025) } }), { loc: ['body', 'password'] });
    for (const cookie of ['loopin_staff=', 'loopin_staff=abc', `loopin_staff=${'A'.repeat(43)}`, `loopin_staff=${'%'.repeat(43)}`, `loopin_staff=${'A'.repeat(5000)}`])
        assertErrorBody(await client.get('/api/admin/session', { headers: { cookie } }), 401, 'SESSION_EXPIRED');
    // no cookie and no token: as any staff route
    assertErrorBody(await client.get('/api/admin/session'), 403, 'NOT_AUTHENTICATED');
    // a plain user's token
    assertErrorBody(await client.get('/api/admin/session', { headers: bearer(user.token) }), 403, 'ADMIN_REQUIRED');
});
