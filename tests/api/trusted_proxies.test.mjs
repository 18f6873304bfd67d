// trusted_proxies.test.mjs: who the client is (LOOPIN_TRUSTED_PROXIES).
// Without trusted proxies, or from a peer that is not one, X-Forwarded-For
// and X-Real-IP are ignored: a client cannot dodge the per-IP OTP limit or
// put another address in the log by sending them. Behind a trusted proxy
// the rightmost untrusted hop is the client, for the limit, the access log
// and /metrics (loopback-only unless LOOPIN_METRICS_TOKEN is set).

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, sleep } from './lib/server.mjs';
import { startAccountsServer, phoneFactory } from './lib/accounts.mjs';
import { assertErrorBody } from './lib/expect.mjs';

const nextPhone = phoneFactory();
const servers = [];
after(async () => {
    for (const s of servers) await s.stop();
});

async function start(env) {
    const s = await startAccountsServer({ env: { LOOPIN_OTP_PER_IP_HOUR: '2', ...env } });
    servers.push(s);
    return s;
}

const signup = (client, headers) =>
    client.post('/api/auth/signup', { json: { phone_number: nextPhone() }, headers });

// The "ip" of the access log lines for path so far.
const loggedIps = (server, path) =>
    server
        .stderr()
        .split('\n')
        .filter((l) => l.includes('"msg":"request"') && l.includes(`"path":"${path}"`))
        .map((l) => JSON.parse(l).ip);

test('no trusted proxies: forwarding headers are ignored, one client is one client', async () => {
    for (const env of [{}, { LOOPIN_TRUSTED_PROXIES: '10.0.0.0/8, 2001:db8::/32' }]) {
        const s = await start(env);
        const c = api(s);
        assert.equal((await signup(c, { 'x-forwarded-for': '198.51.100.1' })).status, 200);
        assert.equal((await signup(c, { 'x-forwarded-for': '198.51.100.2', 'x-real-ip': '198.51.100.3' })).status, 200);
        const third = await signup(c, { 'x-forwarded-for': '198.51.100.4' });
        assert.equal(third.status, 429, 'the spoofed addresses did not reset the per-IP limit');
        assert.equal(third.json.error_code, 'OTP_RATE_LIMITED');
        for (let i = 0; i < 50 && loggedIps(s, '/api/auth/signup').length < 3; i++) await sleep(20);
        assert.deepEqual([...new Set(loggedIps(s, '/api/auth/signup'))], ['127.0.0.1']);
    }
});

test('behind a trusted proxy the client it names is the client', async () => {
    const s = await start({ LOOPIN_TRUSTED_PROXIES: '127.0.0.1/32, ::1' });
    const c = api(s);
    const via = (xff) => ({ 'x-forwarded-for': xff });
    assert.equal((await signup(c, via('203.0.113.10'))).status, 200);
    // A client-supplied hop left of the proxy's is not believed: still .10
    assert.equal((await signup(c, via('198.51.100.99, 203.0.113.10'))).status, 200);
    assert.equal((await signup(c, via('203.0.113.10'))).status, 429, 'two codes for 203.0.113.10 already');
    assert.equal((await signup(c, via('203.0.113.11'))).status, 200, 'another client has its own budget');
    assert.equal((await signup(c, { 'x-real-ip': '203.0.113.12' })).status, 200, 'X-Real-IP without XFF');
    assert.equal((await signup(c, via('garbage'))).status, 200, 'a malformed hop: the proxy itself');
    // The access line is written just after the answer: wait for the last.
    for (let i = 0; i < 50 && loggedIps(s, '/api/auth/signup').length < 6; i++) await sleep(20);
    const ips = loggedIps(s, '/api/auth/signup');
    assert.deepEqual(ips, ['203.0.113.10', '203.0.113.10', '203.0.113.10', '203.0.113.11', '203.0.113.12', '127.0.0.1']);
});

test('/metrics: loopback only by default, a proxied outsider refused; with a token, the token', async () => {
    const open = await start({ LOOPIN_TRUSTED_PROXIES: '127.0.0.1/32' });
    assert.equal((await api(open).get('/metrics')).status, 200, 'a loopback scraper');
    const outsider = await api(open).get('/metrics', { headers: { 'x-forwarded-for': '203.0.113.5' } });
    assertErrorBody(outsider, 403, 'FORBIDDEN');

    const token = 'metrics-token-0123456789abcdef';
    const locked = await start({ LOOPIN_METRICS_TOKEN: token });
    const c = api(locked);
    for (const auth of [undefined, 'Bearer wrong', `Bearer ${token}x`, `Basic ${token}`, `Bearer ${token.slice(1)}`]) {
        const res = await c.get('/metrics', { headers: auth ? { authorization: auth } : {} });
        assertErrorBody(res, 401, 'UNAUTHORIZED');
        assert.match(res.headers.get('www-authenticate'), /^Bearer/);
    }
    const ok = await c.get('/metrics', { headers: { authorization: `Bearer ${token}` } });
    assert.equal(ok.status, 200);
    assert.match(ok.text, /loopin_http_requests_total/);
    assert.ok(!locked.stderr().includes(token), 'the token is never logged');
});
