// auth_tokens.test.mjs: the tokens that verify-otp and verify-login issue
// and the one verifier every protected route uses (src/auth/guard.h,
// docs/accounts.md "Tokens", "POST /api/auth/logout"): the JWT's header and
// claims, the Authorization header cases, forged tokens (tampered, alg none,
// HS512, another key), expiry, and logout revoking exactly one token.
//
// The protected route used as a probe is GET /api/auth/profile; when this
// build does not serve it yet (404), the next route of the contract that
// answers is used, and when none does, the verifier tests are skipped with
// a message (the token and logout tests that need no protected route still
// run).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, api, dbQuery, summarize } from './lib/server.mjs';
import { assertErrorBody, okJson } from './lib/expect.mjs';
import {
    makeOutbox,
    phoneFactory,
    advance,
    signupAndVerify,
    loginAndVerify,
    decodeJwt,
    signHs256,
    b64url,
    assertNo5xx,
} from './lib/otp.mjs';

const TTL = 30 * 86400; // 2592000 s

// Protected GET routes of the contract, in order of preference.
const PROBES = ['/api/auth/profile', '/api/auth/event-interests', '/api/events/my-requests'];

let server;
let client;
let outbox;
let probe = null; // the protected route in use, or null
const nextPhone = phoneFactory();

before(async () => {
    outbox = await makeOutbox();
    server = await startServer({ env: { ...outbox.env, LOOPIN_OTP_PER_IP_HOUR: '100000' } });
    client = api(server);
    for (const path of PROBES) {
        const res = await fetch(server.url + path);
        await res.arrayBuffer();
        if (res.status !== 404 && res.status !== 405) {
            probe = path;
            break;
        }
    }
});

after(async () => {
    await server?.stop();
    await outbox?.remove();
});

const NO_PROBE = `no protected route is served yet (GET ${PROBES.join(', GET ')} all answer 404)`;

// Skips the calling test when there is no protected route; else true.
function needProbe(t) {
    if (probe) return true;
    t.skip(NO_PROBE);
    return false;
}

const get = (authorization) => client.get(probe, { headers: authorization === undefined ? {} : { authorization } });
const bearer = (token) => get(`Bearer ${token}`);
const logout = (headers = {}) => client.post('/api/auth/logout', { headers });

function assert401(res, errorCode, detail) {
    assertErrorBody(res, 401, errorCode, { detail });
    assert.equal(res.headers.get('www-authenticate'), 'Bearer', `WWW-Authenticate: ${summarize(res)}`);
}

const assertInvalid = (res) => assert401(res, 'INVALID_TOKEN', 'Invalid token');

function assertAccepted(res) {
    assert.equal(res.status, 200, `a valid token is accepted: ${summarize(res)}`);
}

function assertLoggedOut(res) {
    assert.deepEqual(okJson(res), { success: true, message: 'Logged out successfully', data: null, token: null }, summarize(res));
}

async function revokedJtis() {
    const out = await dbQuery(server, 'SELECT jti FROM revoked_tokens');
    return new Set(out ? out.split('\n') : []);
}

// jtis revoked since `prior` (a purge job may drop expired ones meanwhile).
async function newlyRevoked(prior) {
    return [...(await revokedJtis())].filter((j) => !prior.has(j));
}

async function logoutAudits(userId) {
    return Number(await dbQuery(server, `SELECT count(*) FROM audit_log WHERE action = 'auth.logout' AND actor_user_id = ${userId}`));
}

// A fresh account and its token.
async function account() {
    const phone = nextPhone();
    const { token, userId } = await signupAndVerify(client, outbox, phone);
    return { phone, token, userId };
}

// Forged variants of a real token.
function forgeries(token) {
    const { header, payload, parts } = decodeJwt(token);
    const [h, p, s] = parts;
    const flippedSig = (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    return {
        'a tampered payload (user_id changed, signature kept)': `${h}.${b64url(JSON.stringify({ ...payload, user_id: payload.user_id + 1 }))}.${s}`,
        'a tampered payload (exp pushed a year, signature kept)': `${h}.${b64url(JSON.stringify({ ...payload, exp: payload.exp + 365 * 86400 }))}.${s}`,
        'a changed signature': `${h}.${p}.${flippedSig}`,
        'alg none with an empty signature': `${b64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${p}.`,
        'alg none with the original signature': `${b64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${p}.${s}`,
        'alg HS512 with the original signature': `${b64url(JSON.stringify({ ...header, alg: 'HS512' }))}.${p}.${s}`,
        'a token signed with another key': signHs256({ alg: 'HS256', typ: 'JWT' }, payload, 'other'),
        'the signature alone': s,
        'two parts only': `${h}.${p}`,
    };
}

/* ------------------------------------------------------------------------
 * the JWT itself (no protected route needed)
 */

test('the JWT: header alg HS256, exactly the claims user_id, phone_number, iat, exp = iat + 30 days, jti', async () => {
    const phone = nextPhone();
    const startedAt = Math.floor(Date.now() / 1000);
    const { token, userId, res } = await signupAndVerify(client, outbox, phone);
    const { header, payload } = decodeJwt(token);
    assert.equal(header.alg, 'HS256');
    assert.deepEqual(Object.keys(header).sort(), ['alg', 'typ']);
    assert.equal(header.typ, 'JWT');
    assert.deepEqual(Object.keys(payload).sort(), ['exp', 'iat', 'jti', 'phone_number', 'user_id'], JSON.stringify(payload));
    assert.equal(payload.user_id, userId);
    assert.equal(payload.user_id, res.json.data.user_id);
    assert.equal(payload.phone_number, phone);
    assert.ok(Number.isInteger(payload.iat) && Number.isInteger(payload.exp));
    assert.equal(payload.exp - payload.iat, TTL, 'exp = iat + 2592000');
    // the server's (test) clock may be ahead of this process's, never behind
    assert.ok(payload.iat >= startedAt - 5, `iat ${payload.iat} is about now (${startedAt})`);
    assert.equal(typeof payload.jti, 'string');
    assert.ok(payload.jti.length >= 16, `jti has some entropy: ${payload.jti}`);

    // verify-login issues the same kind of token, with its own jti
    await advance(client, 31);
    const again = await loginAndVerify(client, outbox, phone);
    const second = decodeJwt(again.token);
    assert.deepEqual(Object.keys(second.payload).sort(), ['exp', 'iat', 'jti', 'phone_number', 'user_id']);
    assert.equal(second.header.alg, 'HS256');
    assert.equal(second.payload.user_id, userId);
    assert.equal(second.payload.exp - second.payload.iat, TTL);
    assert.notEqual(second.payload.jti, payload.jti, 'every token has its own jti');
});

/* ------------------------------------------------------------------------
 * the Authorization header
 */

test('a valid token is accepted by the protected route', async (t) => {
    if (!needProbe(t)) return;
    const { token } = await account();
    assertAccepted(await bearer(token));
});

test('no Authorization header: 403 {"detail":"Not authenticated","error_code":"NOT_AUTHENTICATED"}', async (t) => {
    if (!needProbe(t)) return;
    const res = await get(undefined);
    assert.equal(res.status, 403, summarize(res));
    assert.deepEqual(res.json, { detail: 'Not authenticated', error_code: 'NOT_AUTHENTICATED' }, summarize(res));
});

test('an empty Authorization header: 403 NOT_AUTHENTICATED', async (t) => {
    if (!needProbe(t)) return;
    assertErrorBody(await get(''), 403, 'NOT_AUTHENTICATED', { detail: 'Not authenticated' });
});

test('"Bearer" without credentials: 403 NOT_AUTHENTICATED', async (t) => {
    if (!needProbe(t)) return;
    assertErrorBody(await get('Bearer'), 403, 'NOT_AUTHENTICATED', { detail: 'Not authenticated' });
});

test('"Basic abc": 403 INVALID_AUTH_SCHEME "Invalid authentication credentials"', async (t) => {
    if (!needProbe(t)) return;
    assertErrorBody(await get('Basic abc'), 403, 'INVALID_AUTH_SCHEME', { detail: 'Invalid authentication credentials' });
});

test('a scheme other than Bearer with a real token: 403 INVALID_AUTH_SCHEME', async (t) => {
    if (!needProbe(t)) return;
    const { token } = await account();
    assertErrorBody(await get(`Token ${token}`), 403, 'INVALID_AUTH_SCHEME');
});

test('a garbage token: 401 INVALID_TOKEN "Invalid token" with WWW-Authenticate: Bearer', async (t) => {
    if (!needProbe(t)) return;
    for (const garbage of ['garbage', 'a.b.c', 'eyJhbGciOiJIUzI1NiJ9.e30.' + 'x'.repeat(43), '....', 'x'.repeat(5000)])
        assertInvalid(await bearer(garbage));
});

test('forged tokens are 401 INVALID_TOKEN: tampered payload, alg none, HS512, another key, ...', async (t) => {
    if (!needProbe(t)) return;
    const { token } = await account();
    await account(); // so that user_id + 1 exists too
    for (const [name, forged] of Object.entries(forgeries(token))) {
        const res = await bearer(forged);
        assert.equal(res.status, 401, `${name}: ${summarize(res)}`);
        assertInvalid(res);
    }
    assertAccepted(await bearer(token));
});

/* ------------------------------------------------------------------------
 * logout
 */

test('logout without a token: 200 {success:true, message:"Logged out successfully", data:null, token:null}', async () => {
    assertLoggedOut(await logout());
});

test('logout with a garbage token or another scheme: 200, nothing revoked', async () => {
    const prior = await revokedJtis();
    for (const authorization of ['Bearer garbage', 'Bearer', 'Basic abc', 'Bearer a.b.c'])
        assertLoggedOut(await logout({ authorization }));
    assert.deepEqual(await newlyRevoked(prior), []);
});

test('logout with a forged token is 200 but revokes nothing and writes no auth.logout row', async () => {
    const { token, userId } = await account();
    const prior = await revokedJtis();
    for (const forged of Object.values(forgeries(token))) assertLoggedOut(await logout({ authorization: `Bearer ${forged}` }));
    assert.deepEqual(await newlyRevoked(prior), [], 'no forged token revoked anything');
    assert.equal(await logoutAudits(userId), 0);
});

// Set by the logout test, used by the TOKEN_REVOKED test after it.
let loggedOut = null; // {first, second}: two tokens of one user, the first logged out

test('logout with a token revokes that token only (its jti, one auth.logout row); again is still 200', async () => {
    const phone = nextPhone();
    const first = await signupAndVerify(client, outbox, phone);
    await advance(client, 31);
    const second = await loginAndVerify(client, outbox, phone);
    assert.equal(second.userId, first.userId);

    assertLoggedOut(await logout({ authorization: `Bearer ${first.token}` }));
    // (the revocation list is internal; it is where "revoked" can be seen
    // without a protected route)
    const revoked = await revokedJtis();
    assert.ok(revoked.has(decodeJwt(first.token).payload.jti), 'the jti is in revoked_tokens');
    assert.ok(!revoked.has(decodeJwt(second.token).payload.jti), 'the other token is not revoked');
    assert.equal(await logoutAudits(first.userId), 1, 'one auth.logout audit row');
    assertLoggedOut(await logout({ authorization: `Bearer ${first.token}` }));
    loggedOut = { first, second };
});

test('after logout the token gets 401 TOKEN_REVOKED "Token has been revoked"; a second token of the same user still works', async (t) => {
    if (!needProbe(t)) return;
    assert.ok(loggedOut, 'the logout test ran');
    assert401(await bearer(loggedOut.first.token), 'TOKEN_REVOKED', 'Token has been revoked');
    assertAccepted(await bearer(loggedOut.second.token));
});

test('a token for a deleted user gives 401 USER_NOT_FOUND', { skip: 'users cannot be deleted through the API, so such a token cannot be produced' }, () => {});

/* ------------------------------------------------------------------------
 * expiry (last: it moves the clock 30 days)
 */

let expired = null; // a token whose exp the clock has passed

test('a token is accepted until exp; past exp, logout ignores it (200, nothing revoked)', async () => {
    const { token, userId } = await account();
    const { exp } = decodeJwt(token).payload;
    const now = async () => Math.floor(Date.parse((await advance(client, 0)).now) / 1000);

    await advance(client, exp - (await now()) - 60);
    if (probe) assertAccepted(await bearer(token));

    await advance(client, exp - (await now()) + 1);
    assert.ok((await now()) > exp, 'the server clock is past exp');
    const prior = await revokedJtis();
    assertLoggedOut(await logout({ authorization: `Bearer ${token}` }));
    assert.deepEqual(await newlyRevoked(prior), [], 'an expired token is not revoked');
    assert.equal(await logoutAudits(userId), 0);
    expired = token;
});

test('30 days after issue the token is 401 TOKEN_EXPIRED "Token has expired" with WWW-Authenticate: Bearer', async (t) => {
    if (!needProbe(t)) return;
    assert.ok(expired, 'the previous test ran');
    assert401(await bearer(expired), 'TOKEN_EXPIRED', 'Token has expired');
});

test('no request answered 5xx', () => {
    assertNo5xx(client);
});
