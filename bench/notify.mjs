// bench/notify.mjs <bin> <database_url> <secret> <label>: notifications
// delivered per second through the jobs table, and queue latency (issue 13).
//
// On a migrated, seeded database (bench/run.sh's), BENCH_NOTIFY_USERS seeded
// accounts (default 10,000, the campaign limit) get one push device each;
// one more becomes staff. A `loopin serve` (the release build, push backend
// `file`, default job poll of 1 s) then:
//   1. sends a campaign to all of them: in-app rows/s (send -> state sent:
//      the batch jobs), pushes/s (send -> every push_deliver job done: the
//      delivery jobs, one per notification, written to the outbox file), and
//      each notification's wait from its in-app row to its push (created_at
//      -> notification_deliveries.sent_at) under that backlog;
//   2. sends BENCH_NOTIFY_SINGLES one-recipient campaigns one after another
//      (no backlog): from the send call to the push in the outbox, which is
//      three queue hops (start, batch, delivery) and at most one poll wait.
// Prints one markdown table row per measure (label, measure, value) and the
// checks: every recipient pushed exactly once.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtemp, open, readFile, rm, stat } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dbQuery } from '../tests/api/lib/server.mjs';

const [bin, dbUrl, secret, label] = process.argv.slice(2);
if (!bin || !dbUrl || !secret || !label) {
    console.error('usage: node bench/notify.mjs <bin> <database_url> <secret> <label>');
    process.exit(2);
}
const USERS = Number(process.env.BENCH_NOTIFY_USERS ?? 10000);
const SINGLES = Number(process.env.BENCH_NOTIFY_SINGLES ?? 20);
const pg = !dbUrl.startsWith('sqlite://');
const q = (sql) => dbQuery(dbUrl, sql);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function token(userId) {
    const key = createHmac('sha256', secret).update('loopin:jwt').digest();
    const b64 = (s) => Buffer.from(s).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const signed = `${b64('{"alg":"HS256","typ":"JWT"}')}.${b64(JSON.stringify({ user_id: userId, iat: now, exp: now + 3600, jti: randomBytes(16).toString('hex') }))}`;
    return `${signed}.${createHmac('sha256', key).update(signed).digest('base64url')}`;
}

async function tail(path, from) {
    const f = await open(path, 'r');
    try {
        const { size } = await f.stat();
        const buf = Buffer.alloc(Math.max(0, size - from));
        await f.read(buf, 0, buf.length, from);
        return buf.toString('utf8');
    } finally {
        await f.close();
    }
}

const freePort = () =>
    new Promise((resolve) => {
        const s = net.createServer();
        s.listen(0, '127.0.0.1', () => {
            const { port } = s.address();
            s.close(() => resolve(port));
        });
    });

async function seed() {
    const ids = (await q(`SELECT u.id FROM users u JOIN user_profiles p ON p.user_id = u.id WHERE u.is_active = TRUE AND u.is_staff = FALSE AND u.is_superuser = FALSE ORDER BY u.id LIMIT ${USERS + 1}`))
        .split('\n').map(Number);
    assert.equal(ids.length, USERS + 1, 'enough seeded accounts');
    const staff = ids.pop();
    await q(`UPDATE users SET is_staff = TRUE WHERE id = ${staff}`);
    await q("DELETE FROM user_devices WHERE onesignal_player_id LIKE 'bench-%'");
    const uuid = pg
        ? "(lpad(to_hex(id), 8, '0') || '-be4c-4000-8000-' || lpad(to_hex(id), 12, '0'))::uuid"
        : "printf('%08x-be4c-4000-8000-%012x', id, id)";
    const now = '2026-01-01T00:00:00.000000Z';
    await q(`INSERT INTO user_devices (uuid, user_id, onesignal_player_id, platform, is_active, created_at, updated_at)
        SELECT ${uuid}, id, 'bench-' || id, 'android', TRUE, '${now}', '${now}' FROM users WHERE id >= ${ids[0]} AND id <= ${ids[ids.length - 1]} AND id <> ${staff}
        AND id IN (SELECT user_id FROM user_profiles) AND is_active = TRUE AND is_staff = FALSE`);
    return { staff, first: ids[0] };
}

async function main() {
    const { staff, first } = await seed();
    const dir = await mkdtemp(join(tmpdir(), 'loopin-bench-notify-'));
    const outbox = join(dir, 'push.jsonl');
    const port = await freePort();
    const env = {
        ...process.env, LOOPIN_DATABASE_URL: dbUrl, LOOPIN_SECRET_KEY: secret, LOOPIN_LOG_LEVEL: 'warn', LOOPIN_ENV: 'production',
        LOOPIN_SMS_BACKEND: 'file', LOOPIN_SMS_OUTBOX: join(dir, 'sms.jsonl'), LOOPIN_MEDIA_DIR: join(dir, 'media'),
        LOOPIN_PAYU_KEY: 'bench', LOOPIN_PAYU_SALT: 'bench', LOOPIN_PUSH_BACKEND: 'file', LOOPIN_PUSH_OUTBOX: outbox,
    };
    const proc = spawn(bin, ['serve', '--port', String(port)], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    const url = `http://127.0.0.1:${port}`;
    try {
        for (let i = 0; ; i++) {
            try {
                if ((await fetch(`${url}/health`)).ok) break;
            } catch { /* not yet */ }
            assert.ok(i < 200, 'the server started');
            await sleep(50);
        }
        const auth = { authorization: `Bearer ${token(staff)}`, 'content-type': 'application/json' };
        const call = async (method, path, body) => {
            const res = await fetch(url + path, { method, headers: auth, body: body ? JSON.stringify(body) : undefined });
            const json = await res.json();
            assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
            return json;
        };
        const tpl = await call('POST', '/api/admin/campaign-templates', { name: `Bench ${randomBytes(4).toString('hex')}`, title: 'Hello {{name}}', body: 'Something is happening near you.' });
        const campaign = async (audience) => {
            const c = await call('POST', '/api/admin/campaigns', { name: 'bench', template_id: tpl.id, notification_type: 'system', audience });
            await call('POST', `/api/admin/campaigns/${c.id}/preview`);
            return c.id;
        };
        const state = async (id) => (await call('GET', `/api/admin/campaigns/${id}`)).state;
        const drained = async () => (await q("SELECT count(*) FROM jobs WHERE kind IN ('campaign_start', 'campaign_batch', 'push_deliver') AND status IN ('pending', 'running')")) === '0';
        const pushes = async () => (await readFile(outbox, 'utf8').catch(() => '')).split('\n').filter(Boolean).map((l) => JSON.parse(l));

        // 1. the big campaign
        const id = await campaign({ all: [{ field: 'has_active_devices', op: '=', value: true }] });
        await call('POST', `/api/admin/campaigns/${id}/send`);
        // Looking costs the database (counts over the whole campaign): once a
        // second, and the rates come from the server's own timestamps.
        while (!((await state(id)) === 'sent' && (await drained()))) await sleep(1000);
        const ms = (a, b) => (pg ? `EXTRACT(EPOCH FROM (${b} - ${a})) * 1000` : `(julianday(${b}) - julianday(${a})) * 86400000`);
        const [inApp, pushed] = (await q(`SELECT ${ms('c.scheduled_at', 'c.finished_at')}, ${ms('c.scheduled_at', '(SELECT max(d.sent_at) FROM notifications n JOIN notification_deliveries d ON d.notification_uuid = n.uuid WHERE n.reference_type = \'campaign\' AND n.reference_id = c.id)')} FROM campaigns c WHERE c.id = ${id}`))
            .split('|').map(Number);
        const lines = (await pushes()).filter((p) => p.data.campaign_id === id);
        const n = Number(await q(`SELECT count(*) FROM campaign_executions WHERE campaign_id = ${id} AND status = 'sent'`));
        const keys = new Set(lines.map((p) => p.key));
        const waits = (await q(`SELECT ${pg ? 'EXTRACT(EPOCH FROM (d.sent_at - n.created_at)) * 1000' : "(julianday(d.sent_at) - julianday(n.created_at)) * 86400000"} FROM notifications n JOIN notification_deliveries d ON d.notification_uuid = n.uuid WHERE n.reference_type = 'campaign' AND n.reference_id = ${id} ORDER BY 1`))
            .split('\n').map(Number);
        const pct = (a, p) => a[Math.min(a.length - 1, Math.floor((p / 100) * a.length))];
        const row = (what, value) => console.log(`| ${label} | ${what} | ${value} |`);
        row(`campaign to ${n.toLocaleString('en')} people: in-app rows/s (batch jobs)`, Math.round(n / (inApp / 1000)).toLocaleString('en'));
        row('pushes/s through the jobs table (one push_deliver job each, file adapter)', Math.round(lines.length / (pushed / 1000)).toLocaleString('en'));
        row('wait from in-app row to push under that backlog, p50 / p99 / max', `${Math.round(pct(waits, 50))} / ${Math.round(pct(waits, 99))} / ${Math.round(waits[waits.length - 1])} ms`);
        row('check: one push per recipient', lines.length === n && keys.size === n && n === USERS ? `yes (${lines.length} lines, ${keys.size} keys)` : `**no** (${lines.length} lines, ${keys.size} keys, ${n} sent)`);

        // 2. one recipient at a time, no backlog: send -> the line in the outbox
        const lat = [];
        for (let i = 0; i < SINGLES; i++) {
            await q(`UPDATE user_profiles SET location = 'bench-one-${i}' WHERE user_id = ${first + i}`);
            const one = await campaign({ all: [{ field: 'location', op: '=', value: `bench-one-${i}` }] });
            const from = (await stat(outbox)).size; // read only what is new: parsing it all would take longer than the send
            const s0 = performance.now();
            await call('POST', `/api/admin/campaigns/${one}/send`);
            while (!(await tail(outbox, from)).includes(`"campaign_id":${one}`)) await sleep(1);
            lat.push(performance.now() - s0);
        }
        lat.sort((a, b) => a - b);
        row(`one-recipient campaign, send -> push in the outbox (3 queue hops, job poll 1 s), p50 / max of ${SINGLES}`,
            `${Math.round(pct(lat, 50))} / ${Math.round(lat[lat.length - 1])} ms`);
    } finally {
        proc.kill('SIGTERM');
        await new Promise((r) => proc.on('close', r));
        await rm(dir, { recursive: true, force: true });
    }
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
