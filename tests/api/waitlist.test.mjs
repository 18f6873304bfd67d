// waitlist.test.mjs: the account waitlist (API.md 2.5 and 14.2, docs/accounts.md).
// The first profile completion makes the account inactive until a random
// moment 210-240 minutes later (configurable); the first authenticated
// request after that moment promotes it, once, with a welcome notification.
// The test clock (POST /_test/clock) stands in for waiting.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, dbQuery, summarize } from './lib/server.mjs';
import { startAccountsServer, phoneFactory, login, completeProfile, bearer, makeStaff } from './lib/accounts.mjs';

const nextPhone = phoneFactory();
let server;
let client;
const statuses = [];

before(async () => {
    server = await startAccountsServer();
    client = api(server);
});

after(async () => {
    await server?.stop();
});

const advanceMinutes = async (c, m) => {
    const res = await c.post('/_test/clock', { json: { advance_seconds: Math.round(m * 60) } });
    assert.equal(res.status, 200, summarize(res));
};

async function waitlisted(srv, c) {
    const phone = nextPhone();
    const { token, user_id } = await login(srv, c, phone);
    const res = await completeProfile(c, token);
    assert.equal(res.json?.success, true, summarize(res));
    return { token, user_id, phone };
}

async function profile(c, token) {
    const res = await c.get('/api/auth/profile', { headers: bearer(token) });
    statuses.push(res.status);
    assert.equal(res.status, 200, summarize(res));
    return res.json;
}

const minutesBetween = async (srv, userId) => {
    const row = await dbQuery(
        srv,
        `SELECT waitlist_started_at, waitlist_promote_at FROM user_profiles WHERE user_id = ${userId}`,
    );
    const [a, b] = row.split('|').map((t) => Date.parse(t.replace(' ', 'T').replace(/\+00$/, 'Z')));
    return (b - a) / 60000;
};

test('first completion waitlists the account with a promotion 210-240 minutes later', async () => {
    const { token, user_id } = await waitlisted(server, client);
    assert.equal((await profile(client, token)).is_active, false);
    const m = await minutesBetween(server, user_id);
    assert.ok(m >= 210 && m <= 240, `promotion ${m} minutes after entry`);
});

test('promotion times are spread over the window, not fixed', async () => {
    const seen = new Set();
    for (let i = 0; i < 6; i++) {
        const { user_id } = await waitlisted(server, client);
        seen.add(Math.round(await minutesBetween(server, user_id)));
    }
    assert.ok(seen.size >= 2, `six accounts, promotion offsets ${[...seen]}`);
});

test('waitlisted accounts may use their profile, sign in again and become hosts, nothing else', async () => {
    const { token, user_id, phone } = await waitlisted(server, client);
    assert.equal((await profile(client, token)).is_active, false);
    const put = await client.put('/api/auth/profile', { headers: bearer(token), json: { bio: 'waiting' } });
    assert.equal(put.status, 200, summarize(put));
    const interests = await client.get('/api/auth/event-interests', { headers: bearer(token) });
    assert.equal(interests.status, 403);
    assert.equal(interests.json.detail, 'Inactive user');
    const again = await login(server, client, phone); // a waitlisted account still gets a token
    assert.equal(again.user_id, user_id);
    const lead = await client.post('/api/hosts/become-a-host', {
        json: { first_name: 'Wait', last_name: 'Listed', phone_number: phone },
    });
    assert.equal(lead.status, 200, summarize(lead));
    // An active-only route refuses with the waitlist message (hours from the window).
    await makeStaff(server, user_id, { superuser: true });
    const leads = await client.get('/api/hosts/host-leads', { headers: bearer(token) });
    assert.equal(leads.status, 403, summarize(leads));
    assert.equal(leads.json.error_code, 'ACCOUNT_WAITLISTED');
    assert.equal(
        leads.json.detail,
        'Your account is on the waitlist. You can only access your profile. Please wait 3.50-4.00 hours for activation.',
    );
});

test('not promoted before its time; promoted by the first request after it, once', async () => {
    const c = api(server);
    const { token, user_id } = await waitlisted(server, c);
    await advanceMinutes(c, 209);
    assert.equal((await profile(c, token)).is_active, false, 'still waiting at 209 minutes');
    await advanceMinutes(c, 32); // 241 minutes: past any promotion time
    // event-interests makes no promotion attempt (API.md 2.5)
    const early = await c.get('/api/auth/event-interests', { headers: bearer(token) });
    assert.equal(early.status, 403, summarize(early));
    // ten requests at once: all see the promoted account, one promotion happens
    const results = await Promise.all(Array.from({ length: 10 }, () => profile(c, token)));
    for (const p of results) assert.equal(p.is_active, true);
    const flags = await dbQuery(
        server,
        `SELECT u.is_active, p.is_active, p.waitlist_started_at IS NULL, p.waitlist_promote_at IS NULL
         FROM users u JOIN user_profiles p ON p.user_id = u.id WHERE u.id = ${user_id}`,
    );
    assert.match(flags, /^(t\|t\|t\|t|1\|1\|1\|1)$/, `flags after promotion: ${flags}`);
    const welcome = await dbQuery(
        server,
        `SELECT count(*) FROM notifications WHERE recipient_id = ${user_id} AND type = 'system' AND title = 'Welcome to Loopin!'`,
    );
    assert.equal(welcome, '1', 'exactly one welcome notification');
    const audit = await dbQuery(
        server,
        `SELECT count(*) FROM audit_log WHERE action = 'account.waitlist.promoted' AND object_id = ${user_id}`,
    );
    assert.equal(audit, '1');
    const interests = await c.get('/api/auth/event-interests', { headers: bearer(token) });
    assert.equal(interests.status, 200, summarize(interests));
    // completing the profile again never re-waitlists
    const again = await completeProfile(c, token);
    assert.equal(again.json?.success, true, summarize(again));
    assert.equal((await profile(c, token)).is_active, true);
});

test('an account deactivated by staff (no promotion time) stays inactive', async () => {
    const { token, user_id } = await waitlisted(server, client);
    await dbQuery(server, `UPDATE user_profiles SET waitlist_promote_at = NULL, waitlist_started_at = NULL WHERE user_id = ${user_id}`);
    await advanceMinutes(client, 300);
    assert.equal((await profile(client, token)).is_active, false);
});

test('the window and the message follow LOOPIN_WAITLIST_MIN/MAX_MINUTES', async () => {
    const other = await startAccountsServer({
        env: { LOOPIN_WAITLIST_MIN_MINUTES: '66', LOOPIN_WAITLIST_MAX_MINUTES: '81' },
    });
    try {
        const c = api(other);
        const { token, user_id } = await waitlisted(other, c);
        const m = await minutesBetween(other, user_id);
        assert.ok(m >= 66 && m <= 81, `promotion ${m} minutes after entry`);
        await makeStaff(other, user_id, { superuser: true });
        const res = await c.get('/api/hosts/host-leads', { headers: bearer(token) });
        assert.equal(res.status, 403);
        assert.match(res.json.detail, /Please wait 1\.10-1\.35 hours for activation\.$/);
        await advanceMinutes(c, 82);
        const after82 = await c.get('/api/hosts/host-leads', { headers: bearer(token) });
        assert.equal(after82.status, 200, summarize(after82));
    } finally {
        await other.stop();
    }
});

test('no request answered 5xx', () => {
    assert.ok(statuses.every((s) => s < 500), `statuses: ${statuses}`);
});
