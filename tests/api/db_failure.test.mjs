// db_failure.test.mjs: a database failure is answered one documented way on
// every module's write route: 500 {"detail": "Internal server error",
// "error_code": "INTERNAL_SERVER_ERROR", "request_id": <the X-Request-Id>},
// and exactly one error log line naming that request id. The failure is
// real: a trigger that raises (POST /_test/db-fault, test mode only) on the
// table the route writes.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, summarize } from './lib/server.mjs';
import { startAccountsServer, phoneFactory, bearer } from './lib/accounts.mjs';
import { newAccount, postEvent } from './lib/events.mjs';

const nextPhone = phoneFactory();
let server, client, host;

before(async () => {
    server = await startAccountsServer();
    client = api(server);
    host = await newAccount(server, client, nextPhone);
});

after(async () => {
    await server?.stop();
});

async function fault(table, action, enabled = true) {
    const res = await client.post('/_test/db-fault', { json: { table, action, enabled } });
    assert.equal(res.status, 200, summarize(res));
}

// The error lines of the server's log that name the request id.
function errorLines(requestId) {
    return server
        .stderr()
        .split('\n')
        .filter((l) => l.includes(requestId))
        .map((l) => JSON.parse(l))
        .filter((l) => l.level === 'error');
}

async function assertDatabaseFailure(res, what) {
    assert.equal(res.status, 500, `${what}: ${summarize(res)}`);
    const id = res.headers.get('x-request-id');
    assert.ok(id, `${what}: no X-Request-Id`);
    assert.deepEqual(
        res.json,
        { detail: 'Internal server error', error_code: 'INTERNAL_SERVER_ERROR', request_id: id },
        `${what}: ${summarize(res)}`,
    );
    await new Promise((r) => setTimeout(r, 100)); // let the log line reach us
    const lines = errorLines(id);
    assert.equal(lines.length, 1, `${what}: ${lines.length} error lines for ${id}`);
    assert.equal(lines[0].msg, 'request failed');
    assert.match(lines[0].cause ?? '', /injected fault/, `${what}: cause ${lines[0].cause}`);
}

const cases = [
    ['auth: POST /api/auth/signup', 'user_phone_otps', 'insert',
        () => client.post('/api/auth/signup', { json: { phone_number: nextPhone() } })],
    ['profile: PUT /api/auth/profile', 'user_profiles', 'update',
        () => client.put('/api/auth/profile', { headers: bearer(host.token), json: { bio: 'new bio' } })],
    ['hosts: POST /api/hosts/become-a-host', 'host_leads', 'insert',
        () => client.post('/api/hosts/become-a-host', {
            json: { first_name: 'Asha', last_name: 'Rao', phone_number: nextPhone() },
        })],
    ['events: POST /api/events', 'events', 'insert',
        () => postEvent(client, host.token)],
    ['venues: POST /api/events/venues', 'venues', 'insert',
        () => client.post('/api/events/venues', {
            headers: bearer(host.token),
            json: { name: 'Hall', address: '1 Road', city: 'Pune' },
        })],
];

for (const [what, table, action, call] of cases) {
    test(`${what}: a failing ${action} on ${table} is the one 500 with one log line`, async () => {
        await fault(table, action);
        try {
            await assertDatabaseFailure(await call(), what);
        } finally {
            await fault(table, action, false);
        }
        const again = await call();
        assert.ok(again.status < 500, `${what} after the fault: ${summarize(again)}`);
    });
}
