// auth_limits.test.mjs: the limits on one-time codes (docs/accounts.md,
// "OTP"): the 30 s resend cooldown per phone, 5 codes per phone per hour,
// the per-client-IP hourly limit, the lockout after three wrong codes in a
// 10-minute window that a new code does not reset, the auth.otp.locked audit
// row, and (PostgreSQL) limits that hold across two server processes sharing
// one database.
//
// All limits answer 429 with the AuthResponse failure envelope, `detail`,
// `error_code` and Retry-After. Time moves through POST /_test/clock.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startServer, api, dbQuery, dbKind, createDatabase, dropDatabase, summarize } from './lib/server.mjs';
import { okJson } from './lib/expect.mjs';
import {
    makeOutbox,
    messagesTo,
    lastCode,
    otherCode,
    phoneFactory,
    advance,
    requestCode,
    signupAndVerify,
    assertAuthFailure,
    assertLimited,
    assertNo5xx,
} from './lib/otp.mjs';

const MSG_RATE = 'Too many verification codes requested. Please try again later.';
const MSG_LOCKED_10 = 'Too many attempts. Please try again in 10 minutes.';
const LOCKED_RE = /^Too many attempts\. Please try again in (\d+) minutes\.$/;
const COOLDOWN_RE = /^Please wait (\d+) seconds before requesting a new code\.$/;

let server;
let client;
let outbox;
const clients = [];
const nextPhone = phoneFactory();

before(async () => {
    outbox = await makeOutbox();
    server = await startServer({ env: outbox.env }); // default limits: 30 s, 5/phone/h, 30/IP/h
    client = api(server);
    clients.push(client);
});

after(async () => {
    await server?.stop();
    await outbox?.remove();
});

const signup = (c, phone_number) => c.post('/api/auth/signup', { json: { phone_number } });
const login = (c, phone_number) => c.post('/api/auth/login', { json: { phone_number } });
const verifyOtp = (c, phone_number, otp_code) => c.post('/api/auth/verify-otp', { json: { phone_number, otp_code } });

function assertSent(res) {
    const body = okJson(res);
    assert.equal(body.success, true, summarize(res));
    return body;
}

function assertVerifiedOk(res) {
    const body = okJson(res);
    assert.equal(body.success, true, summarize(res));
    assert.equal(typeof body.token, 'string', summarize(res));
    return body;
}

// A 429 OTP_COOLDOWN whose message names the Retry-After seconds.
function assertCooldown(res, { min = 1, max = 30 } = {}) {
    const ra = assertLimited(res, 'OTP_COOLDOWN', undefined, { min, max });
    const m = COOLDOWN_RE.exec(res.json.message);
    assert.ok(m, `cooldown message: ${summarize(res)}`);
    assert.equal(Number(m[1]), ra, `the message names Retry-After: ${summarize(res)}`);
    return ra;
}

// A 429 OTP_LOCKED whose message names the minutes left (Retry-After
// rounded up).
function assertLocked(res, { maxSeconds = 600 } = {}) {
    const ra = assertLimited(res, 'OTP_LOCKED', undefined, { min: 1, max: maxSeconds });
    const m = LOCKED_RE.exec(res.json.message);
    assert.ok(m, `locked message: ${summarize(res)}`);
    assert.equal(Number(m[1]), Math.ceil(ra / 60), `minutes = Retry-After rounded up: ${summarize(res)}`);
    return ra;
}

/* ------------------------------------------------------------------------
 * cooldown
 */

test('a second code within 30 s is 429 OTP_COOLDOWN with Retry-After 1-30; after 31 s it is sent', async () => {
    const phone = nextPhone();
    assertSent(await signup(client, phone));
    const res = await signup(client, phone);
    const ra = assertCooldown(res);
    assert.ok(ra >= 25, `Retry-After right after a code is close to 30, got ${ra}`);
    assert.equal((await messagesTo(outbox, phone)).length, 1, 'no SMS for a refused request');

    await advance(client, 20);
    const ra2 = assertCooldown(await signup(client, phone), { max: 10 });
    assert.ok(ra2 < ra, 'Retry-After counts down');

    await advance(client, 11);
    assertSent(await signup(client, phone));
    assert.equal((await messagesTo(outbox, phone)).length, 2);
});

test('a request refused by the cooldown leaves the pending code valid', async () => {
    const phone = nextPhone();
    const { code } = await requestCode(client, outbox, phone);
    assertCooldown(await signup(client, phone));
    assertVerifiedOk(await verifyOtp(client, phone, code));
});

test('login shares the cooldown with signup (one code per phone)', async () => {
    const phone = nextPhone();
    await signupAndVerify(client, outbox, phone);
    assertCooldown(await login(client, phone));
    await advance(client, 31);
    assertSent(await login(client, phone));
    assertCooldown(await signup(client, phone));
});

test('concurrent signups for one phone: exactly one code is sent, the others are 429 OTP_COOLDOWN', async () => {
    // Several rounds: a race between the limit check and the insert shows
    // up in some rounds only.
    const problems = [];
    for (let round = 0; round < 10; round++) {
        const phone = nextPhone();
        const answers = await Promise.all(Array.from({ length: 8 }, () => signup(client, phone)));
        const sent = answers.filter((r) => r.status === 200);
        const sms = (await messagesTo(outbox, phone)).length;
        if (sent.length !== 1 || sms !== 1)
            problems.push(`${phone}: ${sent.length} answers 200, ${sms} SMS (statuses ${answers.map((r) => r.status).join(',')})`);
        for (const r of answers.filter((x) => x.status !== 200)) assertCooldown(r);
        assertVerifiedOk(await verifyOtp(client, phone, await lastCode(outbox, phone)));
    }
    assert.deepEqual(problems, [], 'one code per phone within the cooldown, whatever the concurrency');
});

/* ------------------------------------------------------------------------
 * per-phone hourly limit
 */

test('the 6th code for a phone within an hour is 429 OTP_RATE_LIMITED; once the hour has passed it is sent', async () => {
    const phone = nextPhone();
    for (let i = 1; i <= 5; i++) {
        assertSent(await signup(client, phone));
        await advance(client, 31);
    }
    const res = await signup(client, phone);
    const ra = assertLimited(res, 'OTP_RATE_LIMITED', MSG_RATE, { min: 3600 - 5 * 31 - 60, max: 3600 });
    assert.equal((await messagesTo(outbox, phone)).length, 5, 'no SMS for a refused request');

    await advance(client, 600);
    assertLimited(await signup(client, phone), 'OTP_RATE_LIMITED', MSG_RATE, { max: ra - 600 + 5 });

    await advance(client, ra - 600 + 1);
    const { code } = await requestCode(client, outbox, phone);
    assert.equal((await messagesTo(outbox, phone)).length, 6);
    assertVerifiedOk(await verifyOtp(client, phone, code));
});

/* ------------------------------------------------------------------------
 * per-IP hourly limit
 */

test('the per-IP hourly limit (LOOPIN_OTP_PER_IP_HOUR=3): the 4th code from one client is 429 OTP_RATE_LIMITED', async () => {
    const box = await makeOutbox();
    const ipServer = await startServer({ env: { ...box.env, LOOPIN_OTP_PER_IP_HOUR: '3' } });
    const c = api(ipServer);
    clients.push(c);
    try {
        // Five minutes into an hour, so the requests below share one hour.
        okJson(await c.post('/_test/clock', { json: { set: '2030-01-01T00:05:00Z' } }));
        const phones = [nextPhone(), nextPhone(), nextPhone(), nextPhone()];
        for (const p of phones.slice(0, 3)) assertSent(await signup(c, p));
        // verifying spends no code: it does not count
        assertVerifiedOk(await verifyOtp(c, phones[0], await lastCode(box, phones[0])));
        const res = await signup(c, phones[3]);
        const ra = assertLimited(res, 'OTP_RATE_LIMITED', MSG_RATE, { max: 3600 });
        assert.equal((await messagesTo(box, phones[3])).length, 0, 'no SMS for a refused request');

        // login (phones[0] now has an account) meets the same client limit
        await advance(c, 31);
        assertLimited(await login(c, phones[0]), 'OTP_RATE_LIMITED', MSG_RATE, { max: 3600 });

        await advance(c, ra + 1);
        const { code } = await requestCode(c, box, phones[3]);
        assertVerifiedOk(await verifyOtp(c, phones[3], code));
    } finally {
        await ipServer.stop();
        await box.remove();
    }
});

/* ------------------------------------------------------------------------
 * lockout
 */

test('three wrong codes lock the phone: the third is 429 OTP_LOCKED; then even the right code, and a new code, are refused', async () => {
    const phone = nextPhone();
    const { code } = await requestCode(client, outbox, phone);
    assertAuthFailure(await verifyOtp(client, phone, otherCode(code, 1)), 200, 'OTP_INVALID', 'Invalid OTP. 2 attempts remaining');
    assertAuthFailure(await verifyOtp(client, phone, otherCode(code, 2)), 200, 'OTP_INVALID', 'Invalid OTP. 1 attempts remaining');
    let res = await verifyOtp(client, phone, otherCode(code, 3));
    assertLimited(res, 'OTP_LOCKED', MSG_LOCKED_10, { min: 540, max: 600 });

    res = await verifyOtp(client, phone, code);
    assertLocked(res);

    // Past the resend cooldown, so only the lock can refuse.
    await advance(client, 31);
    assertLocked(await signup(client, phone));
    assertLocked(await verifyOtp(client, phone, code));
    assert.equal((await messagesTo(outbox, phone)).length, 1, 'no SMS while locked');
    assert.equal(
        Number(await dbQuery(server, `SELECT count(*) FROM users WHERE phone = '${phone}'`)),
        0,
        'no account from a locked phone',
    );

    const rows = await dbQuery(
        server,
        `SELECT severity, CASE WHEN is_successful THEN 1 ELSE 0 END FROM audit_log
         WHERE action = 'auth.otp.locked' AND CAST(payload AS TEXT) LIKE '%${phone.slice(1)}%'`,
    );
    assert.equal(rows, 'high|0', 'one auth.otp.locked row, severity high, not successful');
});

test('asking for a new code while locked does not reset the window; 601 s after locking a new code is sent and verifies', async () => {
    const phone = nextPhone();
    const { code } = await requestCode(client, outbox, phone);
    for (let i = 1; i <= 3; i++) await verifyOtp(client, phone, otherCode(code, i));
    const ra = assertLocked(await verifyOtp(client, phone, code));

    await advance(client, 300);
    const ra2 = assertLocked(await signup(client, phone));
    assert.ok(ra2 <= ra - 300 + 2, `the window was not restarted: Retry-After ${ra2} after ${ra}`);
    await advance(client, 200);
    assertLocked(await signup(client, phone), { maxSeconds: 101 + 2 });

    await advance(client, 101);
    const { code: fresh } = await requestCode(client, outbox, phone);
    assertAuthFailure(
        await verifyOtp(client, phone, otherCode(fresh)),
        200,
        'OTP_INVALID',
        'Invalid OTP. 2 attempts remaining',
        // a new window: the count starts again
    );
    assertVerifiedOk(await verifyOtp(client, phone, fresh));
});

test('wrong attempts count per phone across codes: two wrong, a new code, one wrong locks', async () => {
    const phone = nextPhone();
    const { code: first } = await requestCode(client, outbox, phone);
    assertAuthFailure(await verifyOtp(client, phone, otherCode(first, 1)), 200, 'OTP_INVALID', 'Invalid OTP. 2 attempts remaining');
    assertAuthFailure(await verifyOtp(client, phone, otherCode(first, 2)), 200, 'OTP_INVALID', 'Invalid OTP. 1 attempts remaining');
    await advance(client, 31);
    const { code: second } = await requestCode(client, outbox, phone);
    assertLocked(await verifyOtp(client, phone, otherCode(second)));
    assertLocked(await verifyOtp(client, phone, second));
});

test('a locked phone also refuses login (existing account)', async () => {
    const phone = nextPhone();
    await signupAndVerify(client, outbox, phone);
    await advance(client, 31);
    const { code } = await requestCode(client, outbox, phone, '/api/auth/login');
    const verifyLogin = (otp_code) => client.post('/api/auth/verify-login', { json: { phone_number: phone, otp_code } });
    await verifyLogin(otherCode(code, 1));
    await verifyLogin(otherCode(code, 2));
    assertLocked(await verifyLogin(otherCode(code, 3)));
    assertLocked(await verifyLogin(code));
    await advance(client, 31);
    assertLocked(await login(client, phone));
});

/* ------------------------------------------------------------------------
 * two processes, one database
 */

const pgOnly = dbKind() !== 'postgres' && 'PostgreSQL only (LOOPIN_TEST_DB=postgres)';

test('limits hold across two server processes sharing one PostgreSQL database', { skip: pgOnly }, async () => {
    const databaseUrl = await createDatabase();
    const box = await makeOutbox();
    // One deployment: the same secret key, so a code from A verifies on B.
    const env = { ...box.env, LOOPIN_SECRET_KEY: randomBytes(32).toString('hex') };
    const servers = [];
    try {
        servers.push(await startServer({ env, databaseUrl }));
        servers.push(await startServer({ env, databaseUrl }));
        const [a, b] = servers.map((s) => api(s));
        clients.push(a, b);

        // cooldown: a code requested on A puts B's signup in cooldown
        const phone = nextPhone();
        assertSent(await signup(a, phone));
        assertCooldown(await signup(b, phone));
        assert.equal((await messagesTo(box, phone)).length, 1);
        // and the code A sent verifies on B
        assertVerifiedOk(await verifyOtp(b, phone, await lastCode(box, phone)));

        // lockout: two wrong answers on A and one on B lock the phone on both
        const p2 = nextPhone();
        const { code } = await requestCode(b, box, p2);
        assertAuthFailure(await verifyOtp(a, p2, otherCode(code, 1)), 200, 'OTP_INVALID', 'Invalid OTP. 2 attempts remaining');
        assertAuthFailure(await verifyOtp(a, p2, otherCode(code, 2)), 200, 'OTP_INVALID', 'Invalid OTP. 1 attempts remaining');
        assertLimited(await verifyOtp(b, p2, otherCode(code, 3)), 'OTP_LOCKED', MSG_LOCKED_10);
        assertLocked(await verifyOtp(a, p2, code));
    } finally {
        const results = await Promise.allSettled(servers.map((s) => s.stop()));
        if (process.env.LOOPIN_TEST_KEEP !== '1') await dropDatabase(databaseUrl);
        await box.remove();
        const failed = results.find((r) => r.status === 'rejected');
        if (failed) throw failed.reason;
    }
});

test('no request answered 5xx', () => {
    for (const c of clients) assertNo5xx(c);
});
