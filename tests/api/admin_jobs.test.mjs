// admin_jobs.test.mjs: the job queue in the admin API (issue 12 point 2;
// src/admin/jobs_api.c, docs/admin.md): the list, the per-kind summary with
// the oldest due job's wait, and retrying a dead job, which then runs.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, dbQuery, summarize } from './lib/server.mjs';
import { assertErrorBody, assertValidationError } from './lib/expect.mjs';
import { startAccountsServer, phoneFactory, bearer } from './lib/accounts.mjs';
import { newAccount } from './lib/events.mjs';

const nextPhone = phoneFactory();
let server, client, staff, plain, deadId;
const T0 = '2026-01-01T00:00:00.000000Z';

before(async () => {
    server = await startAccountsServer({ env: { LOOPIN_JOBS_POLL_MS: '100' } });
    client = api(server);
    staff = await newAccount(server, client, nextPhone, { staff: true });
    plain = await newAccount(server, client, nextPhone);
    await dbQuery(server, `INSERT INTO jobs (kind, payload, status, attempts, max_attempts, run_at, last_error, created_at, updated_at)
        VALUES ('audit_summary', '{}', 'dead', 5, 5, '${T0}', 'database was down', '${T0}', '${T0}')`);
    deadId = Number(await dbQuery(server, "SELECT id FROM jobs WHERE status = 'dead' AND kind = 'audit_summary'"));
});

after(async () => {
    await server?.stop();
});

const as = (who) => ({ headers: bearer(who.token) });

test('who may call it: staff only', async () => {
    assertErrorBody(await client.get('/api/admin/jobs', as(plain)), 403, 'ADMIN_REQUIRED');
    assertErrorBody(await client.get('/api/admin/jobs/summary', as(plain)), 403, 'ADMIN_REQUIRED');
    assertErrorBody(await client.post(`/api/admin/jobs/${deadId}/retry`, as(plain)), 403, 'ADMIN_REQUIRED');
});

test('the list and the summary show the dead job and its last error', async () => {
    const dead = await client.get('/api/admin/jobs?status=dead', as(staff));
    assert.equal(dead.status, 200, summarize(dead));
    assert.deepEqual(dead.json.data.map((j) => [j.id, j.last_error, j.attempts]), [[deadId, 'database was down', 5]]);
    const sum = await client.get('/api/admin/jobs/summary', as(staff));
    assert.equal(sum.status, 200, summarize(sum));
    const k = sum.json.kinds.find((x) => x.kind === 'audit_summary');
    assert.equal(k.dead, 1);
    assert.ok(sum.json.kinds.some((x) => x.kind === 'purge_expired' && x.pending === 1), JSON.stringify(sum.json.kinds));
    assertValidationError(await client.get('/api/admin/jobs?status=stuck', as(staff)), { loc: ['query', 'status'] });
});

test('retry: a dead job is due again, runs, and the retry is audited; other states are refused', async () => {
    const res = await client.post(`/api/admin/jobs/${deadId}/retry`, as(staff));
    assert.equal(res.status, 200, summarize(res));
    assert.equal(res.json.status, 'pending');
    assert.equal(res.json.attempts, 0);
    const t0 = Date.now();
    while ((await dbQuery(server, `SELECT status FROM jobs WHERE id = ${deadId}`)) !== 'done') {
        assert.ok(Date.now() - t0 < 10000, 'the retried job ran');
        await new Promise((r) => setTimeout(r, 50));
    }
    assertErrorBody(await client.post(`/api/admin/jobs/${deadId}/retry`, as(staff)), 409, 'JOB_NOT_DEAD');
    assertErrorBody(await client.post('/api/admin/jobs/99999999/retry', as(staff)), 404, 'JOB_NOT_FOUND');
    assert.equal(await dbQuery(server, `SELECT count(*) FROM audit_log WHERE action = 'job.retried' AND object_id = ${deadId} AND actor_user_id = ${staff.id}`), '1');
});
