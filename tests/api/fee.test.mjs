// fee.test.mjs: the platform fee (issue 10 part 1; API.md 14.6, docs/money.md):
// the public rate and convenience fare, a superuser's change with their
// password re-entered (audited, refused otherwise), and a change made on one
// process seen by another within a second (both processes on one database).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { api, dbQuery, startServer, summarize, sleep } from './lib/server.mjs';
import { assertValidationError, assertErrorBody } from './lib/expect.mjs';
import { assertNo5xx } from './lib/otp.mjs';
import { startAccountsServer, phoneFactory, bearer, makeStaff } from './lib/accounts.mjs';
import { newAccount } from './lib/events.mjs';

// argon2id of "correct horse battery staple" (made by `loopin createsuperuser`)
const HASH = '$argon2id$v=19$m=65536,t=3,p=1$fx4aP+y1E5KVZB0AMtQy0g$/V4d73OeSttlNy6dHymtJCSG7LmmsGv7MfQr++D4qow';
const PASSWORD = 'correct horse battery staple';
const nextPhone = phoneFactory();
const secret = randomBytes(32).toString('hex');
let server, other, client, otherClient, su, staff, user;

before(async () => {
    server = await startAccountsServer({ env: { LOOPIN_SECRET_KEY: secret } });
    other = await startServer({ databaseUrl: server.databaseUrl, env: { LOOPIN_SECRET_KEY: secret } });
    client = api(server);
    otherClient = api(other);
    su = await newAccount(server, client, nextPhone, { name: 'Super User' });
    await makeStaff(server, su.id, { superuser: true });
    await dbQuery(server, `UPDATE users SET password_hash = '${HASH}' WHERE id = ${su.id}`);
    staff = await newAccount(server, client, nextPhone, { staff: true });
    user = await newAccount(server, client, nextPhone);
});

after(async () => {
    await other?.stop();
    await server?.stop();
});

const setFee = (token, json, c = client) => c.put('/api/admin/platform-fee', { headers: bearer(token), json });

test('GET /api/platform-fee: the default 10.00%, and the fare of a base', async () => {
    const res = await client.get('/api/platform-fee');
    assert.equal(res.status, 200, summarize(res));
    assert.deepEqual(res.json, { fee_percentage: '10.00', fee_basis_points: 1000, currency: 'INR' });
    const fare = await client.get('/api/platform-fee?base=100');
    assert.deepEqual(fare.json, { fee_percentage: '10.00', fee_basis_points: 1000, currency: 'INR', base: '100.00', platform_fee: '10.00', final_price: '110.00' });
    const odd = await client.get('/api/platform-fee?base=0.05');
    assert.equal(odd.json.final_price, '0.06', 'round half up');
    assertValidationError(await client.get('/api/platform-fee?base=-1'));
    assertValidationError(await client.get('/api/platform-fee?base=1.005'));
    assertValidationError(await client.get('/api/platform-fee?base=abc'));
});

test('PUT /api/admin/platform-fee: superuser with password; audited; seen by the other process within a second', async () => {
    assertErrorBody(await setFee(staff.token, { fee_percentage: '12.50', password: PASSWORD }), 403, 'ADMIN_REQUIRED');
    assertErrorBody(await setFee(user.token, { fee_percentage: '12.50', password: PASSWORD }), 403, 'ADMIN_REQUIRED');
    assertErrorBody(await setFee(su.token, { fee_percentage: '12.50', password: 'wrong' }), 403, 'INVALID_PASSWORD');
    assertValidationError(await setFee(su.token, { fee_percentage: '100.01', password: PASSWORD }), { loc: ['body', 'fee_percentage'] });
    assertValidationError(await setFee(su.token, { fee_percentage: -1, password: PASSWORD }), { loc: ['body', 'fee_percentage'] });
    assertValidationError(await setFee(su.token, { fee_percentage: '12.345', password: PASSWORD }), { loc: ['body', 'fee_percentage'] });
    assertValidationError(await setFee(su.token, { fee_percentage: '12.5' }), { loc: ['body', 'password'] });
    // the other process has the rate cached
    assert.equal((await otherClient.get('/api/platform-fee')).json.fee_percentage, '10.00');
    const res = await setFee(su.token, { fee_percentage: 12.5, password: PASSWORD });
    assert.equal(res.status, 200, summarize(res));
    assert.equal(res.json.fee_percentage, '12.50');
    assert.equal(res.json.previous_fee_percentage, '10.00');
    assert.equal((await client.get('/api/platform-fee')).json.fee_percentage, '12.50', 'this process at once');
    const t0 = Date.now();
    let seen = false;
    while (Date.now() - t0 < 1000) {
        if ((await otherClient.get('/api/platform-fee')).json.fee_percentage === '12.50') {
            seen = true;
            break;
        }
        await sleep(50);
    }
    assert.ok(seen, 'the other process within one second');
    const audit = await dbQuery(server, `SELECT payload FROM audit_log WHERE action = 'platform.fee.changed' ORDER BY id DESC LIMIT 1`);
    assert.deepEqual(JSON.parse(audit), { old_basis_points: 1000, new_basis_points: 1250 });
    const back = await setFee(su.token, { fee_percentage: '10', password: PASSWORD }, otherClient);
    assert.equal(back.json.fee_percentage, '10.00');
});

test('no request answered 5xx', () => {
    assertNo5xx(client);
    assertNo5xx(otherClient);
});
