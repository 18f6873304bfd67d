// shutdown.test.mjs: SIGTERM is a graceful stop. A request already in
// flight completes, new work is turned away, and the process exits 0 with
// nothing for the sanitizers to report.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, rawRequest, parseResponse, buildRequest, sleep } from './lib/server.mjs';

let server;
let slow; // the in-flight request: {status, json} or {error}
let late; // what a new connection got after SIGTERM

before(async () => {
    server = await startServer();
});

after(async () => {
    await server?.stop(); // no-op when the last test already stopped it
});

test('a request in flight when SIGTERM arrives completes with 200', async () => {
    const started = Date.now();
    const inFlight = fetch(`${server.url}/_test/sleep?ms=1500`, { signal: AbortSignal.timeout(15000) })
        .then(async (res) => ({ status: res.status, json: await res.json().catch(() => null) }))
        .catch((e) => ({ error: e.cause?.code ?? e.message }));

    await sleep(300);
    server.terminate();

    // Meanwhile, a brand-new connection (checked in the next test).
    await sleep(100);
    late = await rawRequest(server.port, buildRequest('GET', '/api/health', { port: server.port }), {
        timeoutMs: 5000,
    });

    slow = await inFlight;
    assert.ok(!slow.error, `the in-flight request failed: ${slow.error}`);
    assert.equal(slow.status, 200);
    assert.deepEqual(slow.json, { slept_ms: 1500 });
    assert.ok(Date.now() - started >= 1400, 'the request returned before its sleep ended');
});

test('a new connection after SIGTERM is refused or closed', () => {
    assert.ok(late, 'no attempt was made');
    if (late.error || late.data.length === 0) return; // refused, reset or closed: fine
    const res = parseResponse(late.data, { untilClose: true });
    assert.ok(res, `unparsable answer: ${late.text.slice(0, 200)}`);
    assert.match(res.headers.connection ?? '', /close/i, `a response after SIGTERM must close the connection (got ${res.status})`);
});

test('the process exits 0 with a clean sanitizer report', async () => {
    const { code } = await server.stop();
    assert.equal(code, 0);
});
