// health.test.mjs: the infrastructure endpoints of API.md section 13, plus
// /metrics, the OpenAPI document and the docs page.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, api, summarize } from './lib/server.mjs';
import { assertStandardHeaders, header, okJson } from './lib/expect.mjs';

let server;
let client;

before(async () => {
    server = await startServer();
    client = api(server);
});

after(async () => {
    await server?.stop();
});

for (const path of ['/health', '/health/']) {
    test(`GET ${path} reports a healthy service and database`, async () => {
        const res = await client.get(path);
        const body = okJson(res);
        assert.equal(body.status, 'healthy', summarize(res));
        assert.equal(body.service, 'loopin-backend', summarize(res));
        assert.equal(typeof body.version, 'string', summarize(res));
        assert.equal(body.environment, 'test', summarize(res));
        assert.ok(body.checks && typeof body.checks === 'object', `checks missing: ${summarize(res)}`);
        assert.ok(body.checks.database !== undefined, `checks.database missing: ${summarize(res)}`);
        assert.match(JSON.stringify(body.checks.database), /\bhealthy\b/, `database not healthy: ${summarize(res)}`);
    });
}

for (const path of ['/api/health', '/api/health/']) {
    test(`GET ${path} is the static Docker health body`, async () => {
        const res = await client.get(path);
        const body = okJson(res);
        assert.equal(typeof body.version, 'string', summarize(res));
        assert.deepEqual(body, { status: 'healthy', service: 'loopin-backend', version: body.version });
    });
}

for (const path of ['/api', '/api/']) {
    test(`GET ${path} welcomes and points to the docs`, async () => {
        const res = await client.get(path);
        const body = okJson(res);
        assert.equal(typeof body.version, 'string', summarize(res));
        assert.deepEqual(body, {
            message: 'Welcome to Loopin Backend API',
            version: body.version,
            docs: '/api/docs',
        });
    });
}

test('GET / describes the service and where the API lives', async () => {
    const res = await client.get('/');
    const body = okJson(res);
    assert.equal(typeof body.message, 'string', summarize(res));
    assert.equal(typeof body.version, 'string', summarize(res));
    assert.equal(body.environment, 'test', summarize(res));
    assert.equal(body.services?.api, '/api/', summarize(res));
});

test('all health endpoints report the same version', async () => {
    const versions = new Set();
    for (const path of ['/health', '/api/health', '/api', '/']) versions.add((await client.get(path)).json?.version);
    assert.equal(versions.size, 1, `versions differ: ${[...versions]}`);
});

test('GET /metrics is Prometheus text with HTTP, pool and job metrics', async () => {
    await client.get('/api/health'); // at least one counted request
    const res = await client.get('/metrics');
    assert.equal(res.status, 200, summarize(res));
    assert.match(header(res, 'content-type') ?? '', /^text\/plain/, 'content-type');
    const text = res.text;
    assert.match(text, /^loopin_http_requests_total\{.*\} \d/m, 'loopin_http_requests_total{...} sample');
    assert.match(text, /^loopin_http_request_duration_seconds_bucket\{.*le="[^"]+".*\} \d/m, 'duration histogram buckets');
    assert.match(text, /^loopin_db_pool_in_use(\{.*\})? \d/m, 'loopin_db_pool_in_use sample');
    assert.match(text, /^loopin_jobs_\w+(\{.*\})? \d/m, 'a loopin_jobs_* sample');
    assert.match(text, /^# TYPE loopin_http_requests_total counter$/m, 'TYPE line for the request counter');
});

// The series docs/deploy's dashboard and alerts read (issue 14).
test('GET /metrics has the operations series: db up, pool wait, backlog by kind, caches, seats, webhooks', async () => {
    await client.get('/api/events?page=1&limit=5');
    await client.get('/api/events?page=1&limit=5'); // the second answers its total from the cache
    const text = (await client.get('/metrics')).text;
    const value = (series) => {
        const m = new RegExp(`^${series.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} ([0-9.e+-]+)$`, 'm').exec(text);
        assert.ok(m, `no ${series} in /metrics`);
        return Number(m[1]);
    };
    assert.equal(value('loopin_db_up'), 1);
    assert.ok(value('loopin_db_pool_wait_seconds_count') > 0);
    assert.equal(value('loopin_db_pool_wait_seconds_bucket{le="+Inf"}'), value('loopin_db_pool_wait_seconds_count'));
    assert.equal(value('loopin_db_pool_timeouts_total'), 0);
    assert.ok(value('loopin_jobs_pending{kind="push_deliver"}') >= 0);
    assert.ok(value('loopin_jobs_oldest_age_seconds{kind="purge_expired"}') >= 0);
    assert.ok(value('loopin_capacity_reservations_live') >= 0);
    assert.ok(value('loopin_cache_hits_total{cache="listing_total"}') >= 1, 'the repeated listing hit the cache');
    assert.ok(value('loopin_cache_misses_total{cache="listing_total"}') >= 1);
    assert.match(text, /^# TYPE loopin_webhooks_total counter$/m);
    assert.match(text, /^# TYPE loopin_db_pool_wait_seconds histogram$/m);
});

test('GET /api/openapi.json is an OpenAPI 3.1 document that lists /health', async () => {
    const res = await client.get('/api/openapi.json');
    const body = okJson(res);
    assert.equal(typeof body.openapi, 'string');
    assert.ok(body.openapi.startsWith('3.1'), `openapi is ${body.openapi}`);
    assert.ok(body.paths && Object.hasOwn(body.paths, '/health'), 'paths has /health');
});

test('GET /api/docs is an HTML page', async () => {
    const res = await client.get('/api/docs');
    assert.equal(res.status, 200, summarize(res));
    assert.match(header(res, 'content-type') ?? '', /^text\/html/);
    assert.match(res.text, /<html|<!doctype html/i);
});

test('every response above carried the request id and security headers', () => {
    assert.ok(client.responses.length > 0);
    for (const res of client.responses) assertStandardHeaders(res);
});
