// campaign_scale.test.mjs: a campaign to 5,000 generated people across three
// `loopin serve` processes sends exactly one push per recipient (counted in
// the shared push outbox), even when one process is killed with SIGKILL
// mid-campaign and started again (issue 13 acceptance). Then the kill
// switch stops a second campaign between batches. On both databases.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { api, summarize, dbQuery, dbKind, startServer } from './lib/server.mjs';
import { startAccountsServer, phoneFactory, bearer } from './lib/accounts.mjs';
import { newAccount } from './lib/events.mjs';
import { makePushOutbox, readPushes, waitFor } from './lib/push.mjs';

const PEOPLE = 5000;
const CITY = 'Scaleville';
const nextPhone = phoneFactory();
const secret = randomBytes(32).toString('hex');
let outbox, first, others = [], client, staff;

const env = () => ({ ...outbox.env, LOOPIN_SECRET_KEY: secret, LOOPIN_JOBS_POLL_MS: '20' });

// 5,000 active people in one city, each with one active device.
async function generatePeople(server) {
    const now = '2026-01-01T00:00:00.000000Z';
    const pg = dbKind() === 'postgres';
    const series = pg
        ? `SELECT i FROM generate_series(1, ${PEOPLE}) AS i`
        : `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${PEOPLE}) SELECT i FROM n`;
    const hex = (w) => (pg ? `lpad(to_hex(i), ${w}, '0')` : `printf('%0${w}x', i)`);
    const dec = pg ? `lpad(i::text, 8, '0')` : `printf('%08d', i)`;
    const asUuid = pg ? '::uuid' : '';
    await dbQuery(server, `INSERT INTO users (uuid, phone, first_name, is_active, is_staff, is_superuser, date_joined, created_at, updated_at)
        SELECT (${hex(8)} || '-5ca1-4000-8000-' || ${hex(12)})${asUuid}, '+9170' || ${dec}, 'Scale', TRUE, FALSE, FALSE, '${now}', '${now}', '${now}' FROM (${series}) s`);
    await dbQuery(server, `INSERT INTO user_profiles (user_id, uuid, name, location, is_active, created_at, updated_at)
        SELECT id, replace(uuid${pg ? '::text' : ''}, '-5ca1-', '-5ca2-')${asUuid}, 'Scale ' || substr(phone, 6), '${CITY}', TRUE, '${now}', '${now}' FROM users WHERE phone LIKE '+9170%'`);
    await dbQuery(server, `INSERT INTO user_devices (uuid, user_id, onesignal_player_id, platform, is_active, created_at, updated_at)
        SELECT replace(uuid${pg ? '::text' : ''}, '-5ca1-', '-5ca3-')${asUuid}, id, 'scale-' || substr(phone, 6), 'android', TRUE, '${now}', '${now}' FROM users WHERE phone LIKE '+9170%'`);
    assert.equal(await dbQuery(server, "SELECT count(*) FROM user_devices WHERE onesignal_player_id LIKE 'scale-%'"), String(PEOPLE));
}

before(async () => {
    outbox = await makePushOutbox();
    first = await startAccountsServer({ env: env() });
    client = api(first);
    staff = await newAccount(first, client, nextPhone, { staff: true });
    await generatePeople(first);
    for (let i = 0; i < 2; i++) others.push(await startServer({ databaseUrl: first.databaseUrl, env: env() }));
});

after(async () => {
    for (const s of others) await s.stop().catch(() => {});
    await first?.stop();
    await outbox?.remove();
});

const staffCall = (method, path, json) => client[method](path, { headers: bearer(staff.token), ...(json ? { json } : {}) });
const sentCount = async (id) => Number(await dbQuery(first, `SELECT count(*) FROM campaign_executions WHERE campaign_id = ${id} AND status = 'sent'`));
const queueEmpty = async () => (await dbQuery(first, "SELECT count(*) FROM jobs WHERE kind IN ('push_deliver', 'campaign_batch', 'campaign_start') AND status IN ('pending', 'running')")) === '0';

async function campaign(name) {
    const t = await staffCall('post', '/api/admin/campaign-templates', { name, title: 'Hello {{name}}', body: 'News from {{city}}.' });
    assert.equal(t.status, 201, summarize(t));
    const c = await staffCall('post', '/api/admin/campaigns', {
        name, template_id: t.json.id, variables: { city: CITY }, notification_type: 'system',
        audience: { all: [{ field: 'location', op: '=', value: CITY }, { field: 'has_active_devices', op: '=', value: true }] },
    });
    assert.equal(c.status, 201, summarize(c));
    const p = await staffCall('post', `/api/admin/campaigns/${c.json.id}/preview`);
    assert.equal(p.json.preview_count, PEOPLE);
    return c.json.id;
}

test('5,000 recipients, three processes, one killed mid-campaign: exactly one push each', { timeout: 600000 }, async () => {
    const id = await campaign('Scale');
    const t0 = Date.now();
    const s = await staffCall('post', `/api/admin/campaigns/${id}/send`);
    assert.equal(s.status, 200, summarize(s));
    await waitFor(async () => (await sentCount(id)) >= 1000, 'a fifth of the campaign', 60000);
    const victim = others[0];
    victim.proc.kill('SIGKILL');
    await victim.exited;
    others[0] = await startServer({ databaseUrl: first.databaseUrl, env: env() });
    await waitFor(async () => (await staffCall('get', `/api/admin/campaigns/${id}`)).json.state === 'sent', 'the campaign to finish', 90000);
    const sentAt = Date.now();
    await waitFor(queueEmpty, 'every push job to finish (a killed lease expires in 30 s)', 90000);
    const drained = Date.now();

    const pushes = (await readPushes(outbox)).filter((p) => p.data.campaign_id === id);
    const players = new Set(pushes.flatMap((p) => p.player_ids));
    assert.equal(pushes.length, PEOPLE, 'one line per recipient in the outbox');
    assert.equal(new Set(pushes.map((p) => p.key)).size, PEOPLE, 'no notification pushed twice');
    assert.equal(players.size, PEOPLE, 'every recipient reached');
    assert.equal(await sentCount(id), PEOPLE);
    assert.equal(await dbQuery(first, `SELECT count(*) FROM notifications WHERE reference_type = 'campaign' AND reference_id = ${id}`), String(PEOPLE));
    assert.equal(await dbQuery(first, "SELECT count(*) FROM jobs WHERE status = 'dead'"), '0');
    const c = (await staffCall('get', `/api/admin/campaigns/${id}`)).json;
    assert.deepEqual(c.progress, { sent: PEOPLE, pending: 0, skipped: 0 });
    console.log(`# campaign of ${PEOPLE}: in-app rows in ${(sentAt - t0) / 1000} s, pushes drained at ${(drained - t0) / 1000} s (${dbKind()}, one process killed)`);
});

test('the kill switch stops a sending campaign between batches', { timeout: 600000 }, async () => {
    const id = await campaign('Stopped midway');
    // Batches are too fast to catch in flight: hold them back first (each
    // batch's writes fail and it is retried after a backoff of 5 s or more),
    // so the campaign is sending with every batch still to run.
    const fault = (enabled) => client.post('/_test/db-fault', { json: { table: 'campaign_executions', action: 'update', enabled } });
    assert.equal((await fault(true)).status, 200);
    const s = await staffCall('post', `/api/admin/campaigns/${id}/send`);
    assert.equal(s.status, 200, summarize(s));
    await waitFor(async () => (await staffCall('get', `/api/admin/campaigns/${id}`)).json.state === 'sending', 'the campaign to start', 60000);
    const sw = await staffCall('put', '/api/admin/campaigns/kill-switch', { stopped: true });
    assert.equal(sw.json.stopped, true);
    assert.equal((await fault(false)).status, 200);
    const c = await waitFor(async () => {
        const r = (await staffCall('get', `/api/admin/campaigns/${id}`)).json;
        return r.state === 'failed' && r;
    }, 'the campaign to stop at its next batch', 60000);
    assert.match(c.failure_reason, /kill switch/);
    assert.equal(c.recipients, PEOPLE);
    assert.deepEqual(c.progress, { sent: 0, pending: 0, skipped: PEOPLE });
    await waitFor(queueEmpty, 'the queue to drain', 60000);
    assert.equal((await readPushes(outbox)).filter((p) => p.data.campaign_id === id).length, 0, 'nobody reached after the switch');
    await staffCall('put', '/api/admin/campaigns/kill-switch', { stopped: false });
});
