// auth_cache.test.mjs: the guard's per-process cache of accounts and tokens
// (issue 11, item 1; src/auth/auth_cache.c, src/db/db_notify*.c). It must be
// exact, not eventually right: with THREE `loopin serve` processes on one
// database (same secret, as a deployment; on SQLite three processes on one
// file), a token revoked on one process is refused by the others within a
// second, a deactivated or re-flagged account changes on every process
// within a second, a due waitlist promotion happens exactly once, and a lost
// bus (PostgreSQL: the LISTEN connection killed; SQLite: the log table
// unreadable) is noticed and never leaves stale answers behind. The measured
// window is printed as a test diagnostic.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { api, dbKind, dbQuery, psql, sleep, startServer, summarize } from './lib/server.mjs';
import { startAccountsServer, phoneFactory, login, completeProfile, bearer, makeStaff } from './lib/accounts.mjs';
import { newAccount } from './lib/events.mjs';
import { signHs256 } from './lib/otp.mjs';

const pg = dbKind() === 'postgres';
const pgOnly = !pg && 'PostgreSQL only (the LISTEN connection)';
const sqliteOnly = pg && 'SQLite only (the log table)';
const nextPhone = phoneFactory();
const secret = randomBytes(32).toString('hex');
const WINDOW_MS = 1000;

const ACTIVE_ROUTE = '/api/notifications/unread-count'; // AUTH_ACTIVE
const SIGNED_IN_ROUTE = '/api/auth/profile'; // AUTH_SIGNED_IN (waitlisted accounts too)
const STAFF_ROUTE = '/api/admin/payouts'; // AUTH_STAFF

let servers = [];
let clients = [];

before(async () => {
    servers.push(await startAccountsServer({ env: { LOOPIN_SECRET_KEY: secret } }));
    for (let i = 0; i < 2; i++)
            servers.push(await startServer({ databaseUrl: servers[0].databaseUrl, env: { LOOPIN_SECRET_KEY: secret } }));
    clients = servers.map((s) => api(s));
});

after(async () => {
    for (const s of servers.slice(1).reverse()) await s?.stop();
    await servers[0]?.stop();
});

// GET /metrics of a server as {"name{labels}": number}.
async function metrics(server) {
    const res = await fetch(`${server.url}/metrics`);
    assert.equal(res.status, 200);
    const out = {};
    for (const line of (await res.text()).split('\n'))
        if (line && !line.startsWith('#')) {
            const i = line.lastIndexOf(' ');
            out[line.slice(0, i)] = Number(line.slice(i + 1));
        }
    return out;
}
const HITS = 'loopin_auth_cache_lookups_total{result="hit"}';
const MISSES = 'loopin_auth_cache_lookups_total{result="miss"}';
const ACCOUNTS = 'loopin_auth_cache_entries{kind="account"}';

const get = (c, path, token) => c.get(path, { headers: bearer(token) });

// Repeats probe (resolving to true when done) until it is, or fails after
// limitMs; resolves to the milliseconds it took.
async function within(limitMs, what, probe) {
    const t0 = performance.now();
    for (;;) {
        if (await probe()) return performance.now() - t0;
        if (performance.now() - t0 > limitMs) assert.fail(`${what}: not within ${limitMs} ms`);
    }
}

// A token of a fresh active account with no profile: {token, id}.
async function freshToken(phone = nextPhone()) {
    const { token, user_id } = await login(servers[0], clients[0], phone);
    return { token, id: Number(user_id), phone };
}

// Uses the token twice on every server, so each has it cached.
async function warm(token, path = ACTIVE_ROUTE) {
    for (const c of clients)
        for (let i = 0; i < 2; i++) {
            const res = await get(c, path, token);
            assert.equal(res.status, 200, summarize(res));
        }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

test('a verified token is answered from the cache: the repeats are hits', async () => {
    const { token } = await freshToken();
    const last = servers.at(-1), c = clients.at(-1);
    assert.equal((await get(c, ACTIVE_ROUTE, token)).status, 200);
    const m0 = await metrics(last);
    for (let i = 0; i < 5; i++) assert.equal((await get(c, ACTIVE_ROUTE, token)).status, 200);
    const m1 = await metrics(last);
    assert.equal(m1.loopin_auth_cache_enabled, 1);
    assert.equal(m1.loopin_invalidation_bus_live, 1);
    assert.equal(m1[HITS] - m0[HITS], 5, 'the five repeats were hits');
    assert.equal(m1[MISSES] - m0[MISSES], 0);
    assert.ok(m1[ACCOUNTS] >= 1);
});

test('a token revoked on one process is refused by every process within one second (the security window)', async (t) => {
    const rounds = 20;
    const phone = nextPhone();
    const windows = [];
    let staleAccepted = 0, staleLatest = 0;
    for (let r = 0; r < rounds; r++) {
        const { token } = await freshToken(phone); // a new jti each round
        await warm(token);
        const sent = performance.now();
        const out = await clients[0].post('/api/auth/logout', { headers: bearer(token) });
        assert.equal(out.json?.success, true, summarize(out));
        const answered = performance.now();
        // every process, polled at once; a 200 sent after the logout was
        // answered is a stale acceptance (inside the window)
        await Promise.all(clients.map(async (c, i) => {
            const ms = await within(WINDOW_MS, `revocation seen by process ${i}`, async () => {
                const at = performance.now();
                const res = await get(c, ACTIVE_ROUTE, token);
                if (res.status === 200) {
                    staleAccepted++;
                    staleLatest = Math.max(staleLatest, at - answered); // a lower bound
                    return false;
                }
                assert.equal(res.status, 401, summarize(res));
                assert.equal(res.json.error_code, 'TOKEN_REVOKED', summarize(res));
                windows.push(at - sent); // an upper bound: the commit was after `sent`
                return true;
            });
            assert.ok(ms < WINDOW_MS);
        }));
        assert.ok(answered >= sent);
    }
    const max = Math.max(...windows);
    t.diagnostic(`security window over ${rounds} revocations x ${clients.length} processes: ` +
        `median ${median(windows).toFixed(1)} ms, max ${max.toFixed(1)} ms (logout sent -> refused request sent); ` +
        `stale acceptances after the logout answered: ${staleAccepted}, the latest sent ${staleLatest.toFixed(1)} ms after it`);
    assert.ok(max < WINDOW_MS);
});

test('an account deactivated in the database loses access on every process within one second, and comes back', async () => {
    const u = await newAccount(servers[0], clients[0], nextPhone, { name: 'Cache Person' });
    await warm(u.token);
    await dbQuery(servers[0], `UPDATE users SET is_active = FALSE WHERE id = ${u.id}`);
    await Promise.all(clients.map((c, i) => within(WINDOW_MS, `deactivation seen by process ${i}`, async () => {
        const res = await get(c, ACTIVE_ROUTE, u.token);
        if (res.status === 200) return false;
        assert.equal(res.status, 403, summarize(res));
        assert.equal(res.json.error_code, 'ACCOUNT_WAITLISTED', summarize(res));
        return true;
    })));
    await dbQuery(servers[0], `UPDATE users SET is_active = TRUE WHERE id = ${u.id}`);
    await Promise.all(clients.map((c, i) => within(WINDOW_MS, `reactivation seen by process ${i}`, async () =>
        (await get(c, ACTIVE_ROUTE, u.token)).status === 200)));
});

test('staff flags granted and taken away reach every process within one second', async () => {
    const u = await newAccount(servers[0], clients[0], nextPhone, { name: 'Staff Person' });
    await warm(u.token);
    for (const c of clients) assert.equal((await get(c, STAFF_ROUTE, u.token)).json?.error_code, 'ADMIN_REQUIRED');
    await makeStaff(servers[0], u.id);
    await Promise.all(clients.map((c, i) => within(WINDOW_MS, `staff seen by process ${i}`, async () =>
        (await get(c, STAFF_ROUTE, u.token)).status === 200)));
    await makeStaff(servers[0], u.id, { staff: false });
    await Promise.all(clients.map((c, i) => within(WINDOW_MS, `staff removed on process ${i}`, async () => {
        const res = await get(c, STAFF_ROUTE, u.token);
        if (res.status === 200) return false;
        assert.equal(res.json?.error_code, 'ADMIN_REQUIRED', summarize(res));
        return true;
    })));
});

// A token the servers accept for userId (src/auth/jwt.c: HS256 under
// HMAC(secret, "loopin:jwt")), for accounts made straight in the database.
function signToken(userId) {
    const now = Math.floor(Date.now() / 1000);
    const claims = { user_id: userId, iat: now, exp: now + 3600, jti: randomBytes(16).toString('hex') };
    return signHs256({ alg: 'HS256', typ: 'JWT' }, claims, createHmac('sha256', secret).update('loopin:jwt').digest());
}

test('a deleted account is refused on every process within one second', async () => {
    // made in the database, so no audit row holds on to it
    const T0 = '2026-01-01T00:00:00.000000Z';
    const phone = nextPhone();
    await dbQuery(servers[0], `INSERT INTO users (uuid, phone, date_joined, created_at, updated_at) VALUES ('${randomUUID()}', '${phone}', '${T0}', '${T0}', '${T0}')`);
    const id = Number(await dbQuery(servers[0], `SELECT id FROM users WHERE phone = '${phone}'`));
    const token = signToken(id);
    await warm(token);
    await dbQuery(servers[0], `DELETE FROM users WHERE id = ${id}`);
    await Promise.all(clients.map((c, i) => within(WINDOW_MS, `deletion seen by process ${i}`, async () => {
        const res = await get(c, ACTIVE_ROUTE, token);
        if (res.status === 200) return false;
        assert.equal(res.json?.error_code, 'USER_NOT_FOUND', summarize(res));
        return true;
    })));
});

test('a dropped LISTEN connection is noticed, the cache is bypassed while it is down and starts empty after', { skip: pgOnly }, async () => {
    const b = servers[1], cb = clients[1];
    const { token } = await freshToken();
    await warm(token);
    const m0 = await metrics(b);
    assert.ok(m0[ACCOUNTS] >= 1 && m0.loopin_auth_cache_enabled === 1);
    const admin = process.env.LOOPIN_TEST_PG_ADMIN_URL;
    const name = new URL(b.databaseUrl).pathname.slice(1);
    // keep it down: no new connection to the database until allowed again
    await psql(admin, `ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS false`);
    try {
        const killed = await psql(admin, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}' AND application_name = 'loopin-notify-${b.proc.pid}'`);
        assert.equal(killed, 't', 'process B had one listener connection');
        const noticed = await within(WINDOW_MS, 'the lost connection noticed', async () => (await metrics(b)).loopin_invalidation_bus_live === 0);
        const m1 = await metrics(b);
        assert.equal(m1.loopin_auth_cache_enabled, 0);
        assert.equal(m1[ACCOUNTS], 0, 'everything forgotten');
        assert.equal(m1.loopin_invalidation_bus_losses_total - m0.loopin_invalidation_bus_losses_total, 1);
        assert.ok(m1.loopin_auth_cache_resets_total > m0.loopin_auth_cache_resets_total);
        // revoked elsewhere while B hears nothing: B reads the database
        const out = await clients[0].post('/api/auth/logout', { headers: bearer(token) });
        assert.equal(out.json?.success, true, summarize(out));
        const res = await get(cb, ACTIVE_ROUTE, token);
        assert.equal(res.status, 401, summarize(res));
        assert.equal(res.json.error_code, 'TOKEN_REVOKED');
        // and caches nothing meanwhile
        const other = await freshToken();
        for (let i = 0; i < 3; i++) assert.equal((await get(cb, ACTIVE_ROUTE, other.token)).status, 200);
        const m2 = await metrics(b);
        assert.equal(m2[HITS], m1[HITS], 'no hits while the bus is down');
        assert.equal(m2[ACCOUNTS], 0);
        assert.ok(noticed < WINDOW_MS);
    } finally {
        await psql(admin, `ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS true`);
    }
    await within(10000, 'the bus reconnected', async () => (await metrics(b)).loopin_invalidation_bus_live === 1 || (await sleep(50), false));
    const m3 = await metrics(b);
    assert.equal(m3.loopin_invalidation_bus_connects_total - m0.loopin_invalidation_bus_connects_total, 1);
    assert.equal(m3.loopin_auth_cache_enabled, 1);
    assert.match(b.stderr(), /invalidation bus lost/);
    assert.match(b.stderr(), /invalidation bus reconnected/);
    // in use again, and exact again
    const again = await freshToken();
    await warm(again.token);
    const m4 = await metrics(b);
    assert.ok(m4[HITS] > m3[HITS], 'hits again after the reconnect');
    const out = await clients[0].post('/api/auth/logout', { headers: bearer(again.token) });
    assert.equal(out.json?.success, true);
    await within(WINDOW_MS, 'revocation after the reconnect', async () => (await get(cb, ACTIVE_ROUTE, again.token)).status === 401);
});

test('an unreadable SQLite log table is a lost bus: noticed, the cache bypassed while it lasts, empty after', { skip: sqliteOnly }, async () => {
    const b = servers[1], cb = clients[1];
    const { token } = await freshToken();
    await warm(token);
    const m0 = await metrics(b);
    assert.ok(m0[ACCOUNTS] >= 1 && m0.loopin_auth_cache_enabled === 1);
    await dbQuery(servers[0], 'ALTER TABLE cache_invalidations RENAME TO cache_invalidations_away');
    try {
        const noticed = await within(WINDOW_MS, 'the lost bus noticed', async () => (await metrics(b)).loopin_invalidation_bus_live === 0);
        const m1 = await metrics(b);
        assert.equal(m1.loopin_auth_cache_enabled, 0);
        assert.equal(m1[ACCOUNTS], 0, 'everything forgotten');
        assert.ok(m1.loopin_invalidation_bus_losses_total > m0.loopin_invalidation_bus_losses_total);
        // revoked straight in the file while B hears nothing: B reads the database
        const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url'));
        await dbQuery(servers[0], `INSERT INTO revoked_tokens (jti, user_id, expires_at, created_at) VALUES
            ('${claims.jti}', ${claims.user_id}, '2099-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')`);
        const res = await get(cb, ACTIVE_ROUTE, token);
        assert.equal(res.status, 401, summarize(res));
        assert.equal(res.json.error_code, 'TOKEN_REVOKED');
        const other = await freshToken();
        for (let i = 0; i < 3; i++) assert.equal((await get(cb, ACTIVE_ROUTE, other.token)).status, 200);
        const m2 = await metrics(b);
        assert.equal(m2[HITS], m1[HITS], 'no hits while the bus is down');
        assert.equal(m2[ACCOUNTS], 0);
        assert.ok(noticed < WINDOW_MS);
    } finally {
        await dbQuery(servers[0], 'ALTER TABLE cache_invalidations_away RENAME TO cache_invalidations');
    }
    await within(10000, 'the bus reconnected', async () => (await metrics(b)).loopin_invalidation_bus_live === 1 || (await sleep(50), false));
    const m3 = await metrics(b);
    assert.equal(m3.loopin_auth_cache_enabled, 1);
    assert.match(b.stderr(), /invalidation bus lost/);
    assert.match(b.stderr(), /invalidation bus reconnected/);
    const again = await freshToken();
    await warm(again.token);
    assert.ok((await metrics(b))[HITS] > m3[HITS], 'hits again after the reconnect');
    const out = await clients[0].post('/api/auth/logout', { headers: bearer(again.token) });
    assert.equal(out.json?.success, true);
    await within(WINDOW_MS, 'revocation after the reconnect', async () => (await get(cb, ACTIVE_ROUTE, again.token)).status === 401);
});

test('the cache is bounded: LOOPIN_AUTH_CACHE_SIZE caps the entries, and evicted tokens still work', async () => {
    const small = await startServer({ databaseUrl: servers[0].databaseUrl, env: { LOOPIN_SECRET_KEY: secret, LOOPIN_AUTH_CACHE_SIZE: '3' } });
    try {
        const c = api(small);
        const tokens = [];
        for (let i = 0; i < 5; i++) tokens.push((await freshToken()).token);
        for (let round = 0; round < 2; round++)
            for (const tk of tokens) assert.equal((await get(c, ACTIVE_ROUTE, tk)).status, 200);
        const m = await metrics(small);
        assert.equal(m.loopin_auth_cache_capacity, 3);
        assert.equal(m[ACCOUNTS], 3);
        assert.equal(m['loopin_auth_cache_entries{kind="token"}'], 3);
    } finally {
        await small.stop();
    }
});

test('a due waitlist promotion happens exactly once across the processes, cached or not', async () => {
    const { token, user_id } = await login(servers[0], clients[0], nextPhone());
    const done = await completeProfile(clients[0], token);
    assert.equal(done.json?.success, true, summarize(done));
    await warm(token, SIGNED_IN_ROUTE); // every process has the waitlisted state and its time
    for (const c of clients) {
        const res = await get(c, SIGNED_IN_ROUTE, token);
        assert.equal(res.json?.is_active, false, summarize(res));
        assert.equal((await get(c, ACTIVE_ROUTE, token)).json?.error_code, 'ACCOUNT_WAITLISTED');
    }
    // past the window on every process's clock
    for (const c of clients) {
        const res = await c.post('/_test/clock', { json: { advance_seconds: 241 * 60 } });
        assert.equal(res.status, 200, summarize(res));
    }
    const results = await Promise.all(clients.flatMap((c) => Array.from({ length: 8 }, () => get(c, SIGNED_IN_ROUTE, token))));
    for (const res of results) {
        assert.equal(res.status, 200, summarize(res));
        assert.equal(res.json.is_active, true, summarize(res));
    }
    const count = async (sql) => Number(await dbQuery(servers[0], sql));
    assert.equal(await count(`SELECT count(*) FROM audit_log WHERE action = 'account.waitlist.promoted' AND object_id = ${user_id}`), 1);
    assert.equal(await count(`SELECT count(*) FROM notifications WHERE recipient_id = ${user_id} AND title = 'Welcome to Loopin!'`), 1);
    for (const c of clients) assert.equal((await get(c, ACTIVE_ROUTE, token)).status, 200);
});
