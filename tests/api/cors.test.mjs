// cors.test.mjs: CORS for the configured origins only (LOOPIN_CORS_ORIGINS).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, api, summarize } from './lib/server.mjs';
import { header } from './lib/expect.mjs';

const ALLOWED = 'https://app.example.com';
const EVIL = 'https://evil.example';

let server;
let client;

before(async () => {
    server = await startServer({ env: { LOOPIN_CORS_ORIGINS: ALLOWED } });
    client = api(server);
});

after(async () => {
    await server?.stop();
});

const preflight = (origin) =>
    client.options('/api/health', { headers: { origin, 'access-control-request-method': 'GET' } });

test('a preflight from an allowed origin is 204 and names the origin', async () => {
    const res = await preflight(ALLOWED);
    assert.equal(res.status, 204, summarize(res));
    assert.equal(header(res, 'access-control-allow-origin'), ALLOWED);
});

test('a GET from an allowed origin carries Access-Control-Allow-Origin', async () => {
    const res = await client.get('/api/health', { headers: { origin: ALLOWED } });
    assert.equal(res.status, 200, summarize(res));
    assert.equal(header(res, 'access-control-allow-origin'), ALLOWED);
});

test('a GET from another origin gets no Access-Control-Allow-Origin', async () => {
    const res = await client.get('/api/health', { headers: { origin: EVIL } });
    assert.equal(res.status, 200, summarize(res));
    assert.equal(header(res, 'access-control-allow-origin'), null);
});

test('a preflight from another origin is not granted', async () => {
    const res = await preflight(EVIL);
    assert.ok(res.status < 500, summarize(res));
    assert.equal(header(res, 'access-control-allow-origin'), null);
});

test('a GET without Origin gets no CORS headers', async () => {
    const res = await client.get('/api/health');
    assert.equal(header(res, 'access-control-allow-origin'), null);
});
