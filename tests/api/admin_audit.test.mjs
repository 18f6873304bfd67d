// admin_audit.test.mjs: the audit trail in the admin API and its daily
// summary (issue 12 point 4; src/admin/audit_api.c, docs/admin.md): the list's
// filters and CSV, one row with its payload, who may read it, and the
// summary job, run by advancing the test clock, counting per date, user and
// action, idempotently.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, dbQuery, summarize } from './lib/server.mjs';
import { assertErrorBody, assertValidationError } from './lib/expect.mjs';
import { startAccountsServer, phoneFactory, bearer } from './lib/accounts.mjs';
import { newAccount } from './lib/events.mjs';

const nextPhone = phoneFactory();
let server, client, staff, plain;

before(async () => {
    server = await startAccountsServer({ env: { LOOPIN_JOBS_POLL_MS: '100' } });
    client = api(server);
    staff = await newAccount(server, client, nextPhone, { staff: true, name: 'Audit Staff' });
    plain = await newAccount(server, client, nextPhone, { name: 'Audit Person' });
    // three actions by staff on plain: two that succeed, and a refused one
    const as = { headers: bearer(staff.token) };
    assert.equal((await client.post(`/api/admin/users/${plain.id}/deactivate`, { ...as, json: { reason: 'Audit test' } })).status, 200);
    assert.equal((await client.post(`/api/admin/users/${plain.id}/activate`, { ...as, json: { reason: 'Audit test' } })).status, 200);
    for (let i = 0; i < 2; i++) // wrong passwords: failed sign-ins
        assert.equal((await client.post('/api/admin/session', { json: { phone_number: staff.phone, password: 'nope' } })).status, 401);
});

after(async () => {
    await server?.stop();
});

const as = (who) => ({ headers: bearer(who.token) });
const list = (query, who = staff) => client.get(`/api/admin/audit?${query}`, as(who));

test('who may read it: staff only', async () => {
    assertErrorBody(await client.get('/api/admin/audit'), 403, 'NOT_AUTHENTICATED');
    assertErrorBody(await list('', plain), 403, 'ADMIN_REQUIRED');
    assertErrorBody(await client.get('/api/admin/audit/summary', as(plain)), 403, 'ADMIN_REQUIRED');
    assertErrorBody(await client.get('/api/admin/audit/1', as(plain)), 403, 'ADMIN_REQUIRED');
});

test('the list: filters by actor, action, object, severity, outcome and dates; one row with its payload', async () => {
    const all = await list('limit=200');
    assert.equal(all.status, 200, summarize(all));
    assert.ok(all.json.total >= 4);
    const times = all.json.data.map((r) => r.created_at);
    assert.deepEqual(times, [...times].sort().reverse(), 'newest first');
    const byStaff = await list(`actor_id=${staff.id}&object_type=user&object_id=${plain.id}`);
    assert.deepEqual(byStaff.json.data.map((r) => r.action), ['user.activated', 'user.deactivated']);
    const row = byStaff.json.data[1];
    assert.equal(row.actor_phone, staff.phone);
    assert.equal(row.severity, 'high');
    assert.deepEqual(row.payload, { reason: 'Audit test', before: { is_active: true }, after: { is_active: false } });
    assert.equal((await list('action=user.deactivated&severity=high')).json.total >= 1, true);
    assert.equal((await list('action=user.deactivated&severity=low')).json.total, 0);
    const failed = await list('action_prefix=admin.signin&is_successful=false');
    assert.equal(failed.json.total, 2);
    assert.ok(failed.json.data.every((r) => r.action === 'admin.signin.failed' && r.error_message === 'no password set'));
    assert.equal((await list('from=2099-01-01')).json.total, 0);
    assert.equal((await list('to=2000-01-01')).json.total, 0);
    const one = await client.get(`/api/admin/audit/${row.id}`, as(staff));
    assert.equal(one.status, 200, summarize(one));
    assert.deepEqual(one.json, row);
    assertErrorBody(await client.get('/api/admin/audit/99999999', as(staff)), 404, 'AUDIT_ROW_NOT_FOUND');
    const csv = await list(`format=csv&actor_id=${staff.id}&object_id=${plain.id}`);
    assert.match(csv.headers.get('content-type'), /^text\/csv/);
    const lines = csv.text.trimEnd().split('\r\n');
    assert.equal(lines[0], 'id,created_at,actor_id,actor_phone,action,object_type,object_id,severity,is_successful,error_message,ip_address,request_id');
    assert.equal(lines.length, 3);
});

test('the list: bad filters are 422', async () => {
    for (const [query, field] of [['severity=urgent', 'severity'], ['action=DROP TABLE', 'action'], ['actor_id=0', 'actor_id'],
        ['is_successful=sometimes', 'is_successful'], ['from=tomorrow', 'from'], ['sort=actor', 'sort'], ['action_prefix=%25', 'action_prefix']])
        assertValidationError(await list(query), { loc: ['query', field] });
});

test('the daily summary: counts per date, user and action, filled by the hourly job, the same when it runs again', async () => {
    const summary = (q = '') => client.get(`/api/admin/audit/summary?limit=200${q}`, as(staff));
    const ranOk = async () => {
        const res = await client.get('/metrics');
        const line = res.text.split('\n').find((l) => l.startsWith('loopin_jobs_processed_total{kind="audit_summary",outcome="ok"}'));
        return line ? Number(line.split(' ').pop()) : 0;
    };
    const before = await ranOk();
    assert.equal((await client.post('/_test/clock', { json: { advance_seconds: 3601 } })).status, 200);
    const t0 = Date.now();
    while ((await ranOk()) === before) {
        assert.ok(Date.now() - t0 < 10000, 'the summary job ran');
        await new Promise((r) => setTimeout(r, 50));
    }
    const res = await summary();
    assert.equal(res.status, 200, summarize(res));
    const find = (rows, action, userId) => rows.find((r) => r.action === action && r.user_id === userId);
    const deact = find(res.json.data, 'user.deactivated', staff.id);
    assert.ok(deact, JSON.stringify(res.json.data));
    assert.deepEqual([deact.count, deact.successful_count, deact.failed_count], [1, 1, 0]);
    assert.equal(deact.user_phone, staff.phone);
    const fails = find(res.json.data, 'admin.signin.failed', staff.id);
    assert.deepEqual([fails.count, fails.successful_count, fails.failed_count], [2, 0, 2]);
    // its totals are the audit log's own
    const logged = Number(await dbQuery(server, 'SELECT count(*) FROM audit_log'));
    const counted = Number(await dbQuery(server, 'SELECT COALESCE(SUM(count), 0) FROM audit_log_summary'));
    assert.equal(counted, logged);
    const rows = await dbQuery(server, 'SELECT count(*) FROM audit_log_summary');
    // again, a day later: the same rows for that date, nothing doubled
    assert.equal((await client.post('/_test/clock', { json: { advance_seconds: 86400 } })).status, 200);
    const again = await ranOk();
    const t1 = Date.now();
    while ((await ranOk()) === again) {
        assert.ok(Date.now() - t1 < 10000, 'the summary job ran again');
        await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(await dbQuery(server, 'SELECT count(*) FROM audit_log_summary'), rows);
    const date = deact.date;
    const day = await summary(`&date_from=${date}&date_to=${date}&action=user.deactivated`);
    assert.deepEqual(day.json.data.map((r) => [r.date, r.count]), [[date, 1]]);
    assertValidationError(await summary('&date_from=yesterday'), { loc: ['query', 'date_from'] });
});
