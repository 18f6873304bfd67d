// jobs.test.mjs: the durable job queue, seen from outside. The periodic
// purge job is scheduled by the server itself; moving the test clock past its
// run time must make the scheduler run it once, and it must delete expired
// OTPs while keeping live ones.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, api, dbQuery, sleep, dbKind } from './lib/server.mjs';
import { okJson } from './lib/expect.mjs';

let server;
let client;

before(async () => {
    server = await startServer({ env: { LOOPIN_JOBS_POLL_MS: '100' } });
    client = api(server);
});

after(async () => {
    await server?.stop();
});

const ts = (d) => d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
const otpInsert = (phone, expires, now) =>
    `INSERT INTO user_phone_otps (phone, otp_type, code_hash, status, attempts, expires_at, created_at, updated_at)
     VALUES ('${phone}', 'signup', '${'ab'.repeat(32)}', 'pending', 0, '${expires}', '${now}', '${now}')`;

async function metric(name) {
    const res = await client.get('/metrics');
    const line = res.text.split('\n').find((l) => l.startsWith(name));
    return line ? Number(line.split(' ').pop()) : 0;
}

test('the periodic purge job is scheduled once at start', async () => {
    // The scheduler thread inserts it right after start; give it a moment.
    let rows;
    for (let i = 0; i < 50; i++) {
        rows = await dbQuery(server, "SELECT count(*) FROM jobs WHERE kind = 'purge_expired' AND status = 'pending'");
        if (rows.trim() === '1') break;
        await sleep(100);
    }
    assert.equal(rows.trim(), '1');
});

test('advancing the clock runs the purge job, which deletes only expired OTPs', async () => {
    const now = new Date();
    const old = new Date(now.getTime() - 3 * 86400e3);
    await dbQuery(server, otpInsert('+919800000001', ts(old), ts(old)));
    const live = new Date(now.getTime() + 30 * 86400e3);
    await dbQuery(server, otpInsert('+919800000002', ts(live), ts(now)));

    okJson(await client.post('/_test/clock', { json: { advance_seconds: 700 } }));
    const okLine = 'loopin_jobs_processed_total{kind="purge_expired",outcome="ok"}';
    let done = 0;
    for (let i = 0; i < 100 && done < 1; i++) {
        done = await metric(okLine);
        if (done < 1) await sleep(100);
    }
    assert.equal(done, 1, 'purge_expired ran exactly once');
    const phones = (await dbQuery(server, 'SELECT phone FROM user_phone_otps ORDER BY phone')).trim();
    assert.equal(phones, '+919800000002', `${dbKind()}: the expired OTP is gone, the live one stays`);
    const next = await dbQuery(server, "SELECT count(*) FROM jobs WHERE kind = 'purge_expired' AND status = 'pending'");
    assert.equal(next.trim(), '1', 'the next run is scheduled');
});
