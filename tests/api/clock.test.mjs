// clock.test.mjs: the test-mode clock (POST /_test/clock) that lets tests
// expire OTPs, reservations and orders without sleeping.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, api, summarize } from './lib/server.mjs';
import { assertValidationError, okJson } from './lib/expect.mjs';

const ISO_Z = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

let server;
let client;

before(async () => {
    server = await startServer();
    client = api(server);
});

after(async () => {
    await server?.stop();
});

const clock = (json) => client.post('/_test/clock', { json });

test('advance_seconds moves the clock forward', async () => {
    const sentAt = Date.now();
    const res = await clock({ advance_seconds: 3600 });
    const body = okJson(res);
    assert.match(body.now, ISO_Z, summarize(res));
    assert.equal(body.offset_seconds, 3600, summarize(res));
    const skew = Date.parse(body.now) - (sentAt + 3600 * 1000);
    assert.ok(Math.abs(skew) < 60 * 1000, `now is ${body.now}, expected about an hour from now`);
});

test('set moves the clock to an absolute time', async () => {
    const res = await clock({ set: '2030-01-01T00:00:00Z' });
    const body = okJson(res);
    assert.match(body.now, ISO_Z, summarize(res));
    assert.ok(body.now.startsWith('2030-01-01T00:00:0'), `now is ${body.now}`);
    assert.equal(typeof body.offset_seconds, 'number');
});

for (const [name, json] of [
    ['a non-numeric advance_seconds', { advance_seconds: 'x' }],
    ['an empty object', {}],
    ['a set that is not a date', { set: 'not a date' }],
    ['a set on an impossible date', { set: '2030-02-30T00:00:00Z' }],
]) {
    test(`${name} is 422 VALIDATION_ERROR`, async () => {
        assertValidationError(await clock(json));
    });
}

test('rejected inputs left the clock where it was', async () => {
    const body = okJson(await clock({ advance_seconds: 0 }));
    assert.ok(body.now.startsWith('2030-01-01T00:0'), `now is ${body.now}`);
});

test('the server is still healthy', async () => {
    const res = await client.get('/health');
    assert.equal(res.status, 200, summarize(res));
});
