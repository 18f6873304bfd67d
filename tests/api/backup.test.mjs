// backup.test.mjs: `loopin backup --to FILE` and `loopin restore --from FILE`
// on SQLite (issue 14 part 4, docs/backup.md). Real data through the API
// (accounts, an event, a signed ticket), a backup taken while a steady write
// load runs, its consistency (every write acknowledged before it started is
// in it, nothing sent after it ended is, and each writer's rows form a prefix
// of what it wrote), the refusals (an existing file without --force, a live
// database, a file that is no database, a truncated one), then a server on
// the restored copy: every table's row count equals the backup's, and the
// ticket still verifies (same code, same public key, `loopin ticket verify`,
// a check-in). PostgreSQL installs use pg_dump / pg_restore: skipped there,
// except for the pointer both commands print.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile, readFile, stat, copyFile, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, dbKind, sanitizerReport, sleep, sqlite, summarize } from './lib/server.mjs';
import { startAccountsServer, phoneFactory, bearer } from './lib/accounts.mjs';
import { newAccount, createEvent, tag } from './lib/events.mjs';

const sqliteOnly = dbKind() !== 'sqlite' && 'SQLite only (PostgreSQL: pg_dump / pg_restore)';
const nextPhone = phoneFactory();
let server, client, host, guest, event, ticket, publicKey, dir;
let restored; // the server on the restored database
const snapshot = {}; // table -> row count in the backup file
let backupMarkers; // the load's rows in the backup file

// The key the harness would set is left out: the server generates
// <db>.secret_key, which is what backup and restore must carry.
const OWN_KEY = { LOOPIN_SECRET_KEY: undefined, LOOPIN_JOBS_IN_SERVE: '0' };
const FILLER_ROWS = 60000;

before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'loopin-backup-'));
    if (sqliteOnly) return;
    server = await startAccountsServer({ env: OWN_KEY });
    client = api(server);
    // Old leads (about 20 MB), so the copy takes many steps with the load's
    // commits landing between them.
    await sqlite(
        server.dbPath,
        `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${FILLER_ROWS})
         INSERT INTO host_leads (uuid, first_name, last_name, phone_number, message, created_at, updated_at)
         SELECT printf('%08x-0000-4000-8000-%012x', i, i), 'Old', 'Lead', printf('+1555%07d', i), printf('%.200c', 'x'),
                '2025-01-01T00:00:00.000000Z', '2025-01-01T00:00:00.000000Z' FROM n`,
    );
    host = await newAccount(server, client, nextPhone, { name: 'Backup Host' });
    guest = await newAccount(server, client, nextPhone, { name: 'Backup Guest' });
    event = await createEvent(client, host.token, { title: `Backed up ${tag()}`, status: 'published' });
    const r = await client.post(`/api/events/${event.id}/requests`, { headers: bearer(guest.token), json: { seats_requested: 1 } });
    assert.equal(r.status, 201, summarize(r));
    const a = await client.put(`/api/events/${event.id}/requests/${r.json.id}/accept`, { headers: bearer(host.token), json: {} });
    assert.equal(a.status, 200, summarize(a));
    const c = await client.post(`/api/events/${event.id}/confirm-attendance`, { headers: bearer(guest.token), json: {} });
    assert.equal(c.status, 200, summarize(c));
    ticket = c.json;
    const sd = await client.get(`/api/events/${event.id}/scan-data`, { headers: bearer(host.token) });
    assert.equal(sd.status, 200, summarize(sd));
    publicKey = sd.json.public_key;
});

after(async () => {
    await restored?.stop();
    await server?.stop();
    if (dir && process.env.LOOPIN_TEST_KEEP !== '1') await rm(dir, { recursive: true, force: true });
});

/* ------------------------------------------------------------------------
 * Helpers
 */

// Runs the loopin CLI against a SQLite database (and so its key file); no
// LOOPIN_SECRET_KEY, like the server. Resolves to {code, out, err}.
async function loopin(args, { databaseUrl, env = {} } = {}) {
    const base = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('LOOPIN_')) base[k] = v;
    if (databaseUrl) Object.assign(base, { LOOPIN_ENV: 'test', LOOPIN_DATABASE_URL: databaseUrl });
    const proc = spawn(process.env.LOOPIN_BIN, args, {
        cwd: dir,
        env: { ...base, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    proc.stdout.on('data', (d) => (out += d));
    proc.stderr.on('data', (d) => (err += d));
    const code = await new Promise((resolve) => proc.on('close', resolve));
    assert.equal(sanitizerReport(err), null, `sanitizer report:\n${err}`);
    return { code, out, err };
}

// Every table of a SQLite file with its row count.
async function rowCounts(file) {
    const names = (await sqlite(file, "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"))
        .split('\n')
        .filter(Boolean);
    const sql = names.map((n) => `SELECT '${n}', count(*) FROM "${n}"`).join(' UNION ALL ');
    const counts = {};
    for (const line of (await sqlite(file, sql)).split('\n').filter(Boolean)) {
        const [name, n] = line.split('|');
        counts[name] = Number(n);
    }
    return counts;
}

// Writers that each create one row per request, in sequence, recording when
// each was sent and acknowledged. Two kinds: venues (signed in) and host leads.
function writeLoad(count = 3) {
    const writers = Array.from({ length: count }, (_, w) => ({ w, writes: [] }));
    let running = true;
    const one = async (writer, i) => {
        const lead = (writer.w + i) % 2 === 1;
        const marker = lead ? nextPhone() : `bk-${tag()}-${writer.w}-${i}`;
        const rec = { marker, lead, sent: Date.now() };
        const res = lead
            ? await client.post('/api/hosts/become-a-host', { json: { first_name: 'Back', last_name: 'Up', phone_number: marker } })
            : await client.post('/api/events/venues', { headers: bearer(host.token), json: { name: marker, address: '1 Road', city: 'Pune' } });
        rec.status = res.status;
        rec.acked = Date.now();
        writer.writes.push(rec);
    };
    const done = Promise.all(
        writers.map(async (writer) => {
            for (let i = 0; running; i++) await one(writer, i);
        }),
    );
    return {
        writers,
        async stop() {
            running = false;
            await done;
        },
    };
}

async function markersIn(file) {
    const venues = await sqlite(file, "SELECT name FROM venues WHERE name LIKE 'bk-%'");
    const leads = await sqlite(file, "SELECT phone_number FROM host_leads WHERE first_name = 'Back'");
    return new Set([...venues.split('\n'), ...leads.split('\n')].filter(Boolean));
}

/* ------------------------------------------------------------------------
 * Tests
 */

test('on PostgreSQL both commands point to pg_dump / pg_restore and exit 2', async () => {
    const url = 'postgresql://loopin@127.0.0.1:1/loopin';
    const b = await loopin(['backup', '--to', join(dir, 'pg.dump')], { databaseUrl: url });
    assert.equal(b.code, 2, b.err);
    assert.match(b.err, /pg_dump -Fc/);
    const r = await loopin(['restore', '--from', join(dir, 'pg.dump')], { databaseUrl: url });
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /pg_restore/);
});

test('backup under a steady write load: a consistent snapshot with the secret key beside it', { skip: sqliteOnly }, async () => {
    const file = join(dir, 'loopin-backup.db');
    const load = writeLoad();
    let started, ended, b;
    try {
        await sleep(800);
        started = Date.now();
        b = await loopin(['backup', '--to', file], { databaseUrl: server.databaseUrl });
        ended = Date.now();
        await sleep(500);
    } finally {
        await load.stop();
    }
    assert.equal(b.code, 0, b.err);
    assert.match(b.out, /^backup: .*loopin-backup\.db/m);
    assert.match(b.out, /^secret key: .*loopin-backup\.db\.secret_key \(mode 0600/m);

    // Nothing left half-written beside it; both files private.
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal((await stat(`${file}.secret_key`)).mode & 0o777, 0o600);
    assert.equal(await readFile(`${file}.secret_key`, 'utf8'), await readFile(`${server.dbPath}.secret_key`, 'utf8'));
    assert.equal(await sqlite(file, 'PRAGMA integrity_check'), 'ok');
    assert.equal(await sqlite(file, 'PRAGMA journal_mode'), 'delete', 'the file stands alone (no -wal)');

    const writes = load.writers.flatMap((w) => w.writes);
    assert.ok(writes.every((w) => w.status === 200 || w.status === 201), 'every write succeeded during the backup');
    const before = writes.filter((w) => w.acked < started);
    const after = writes.filter((w) => w.sent > ended);
    assert.ok(before.length > 10 && after.length > 3, `the load ran around the backup (${before.length} before, ${after.length} after)`);
    const inBackup = await markersIn(file);
    backupMarkers = inBackup;
    const sizeMb = ((await stat(file)).size / 1048576).toFixed(1);
    console.log(`backup: ${sizeMb} MB in ${ended - started} ms under load; writes acknowledged before: ${before.length}, ` +
        `sent during: ${writes.length - before.length - after.length} (${writes.filter((w) => w.sent >= started && w.acked <= ended).length} acknowledged within), ` +
        `sent after: ${after.length}; in the backup: ${inBackup.size}`);
    assert.deepEqual(before.filter((w) => !inBackup.has(w.marker)).map((w) => w.marker), [], 'writes acknowledged before the backup started are in it');
    assert.deepEqual(after.filter((w) => inBackup.has(w.marker)).map((w) => w.marker), [], 'writes sent after it ended are not');
    for (const writer of load.writers) {
        const present = writer.writes.map((w) => inBackup.has(w.marker));
        const firstMissing = present.indexOf(false);
        assert.ok(firstMissing < 0 || present.slice(firstMissing).every((p) => !p), `writer ${writer.w}: its rows in the backup are a prefix of its writes`);
    }
    Object.assign(snapshot, await rowCounts(file));
    assert.ok(snapshot.users >= 2 && snapshot.events >= 1 && snapshot.attendance_records >= 1, JSON.stringify(snapshot));

    // A second backup to the same name is refused without --force, then replaces it with.
    const again = await loopin(['backup', '--to', file], { databaseUrl: server.databaseUrl });
    assert.equal(again.code, 1);
    assert.match(again.err, /exists; --force replaces it/);
    assert.deepEqual(await rowCounts(file), snapshot, 'the refused backup left the file alone');
});

test('restore refuses a live database, an existing one without --force, a non-database and a truncated file', { skip: sqliteOnly }, async () => {
    const file = join(dir, 'loopin-backup.db');
    const live = await loopin(['restore', '--from', file, '--force'], { databaseUrl: server.databaseUrl });
    assert.equal(live.code, 1, live.out);
    assert.match(live.err, /is open in a running process.*stop it first/);
    assert.equal((await client.get('/health')).status, 200, 'the live server was not touched');

    const target = join(dir, 'elsewhere', 'loopin.db');
    await rm(join(dir, 'elsewhere'), { recursive: true, force: true });
    await mkdir(join(dir, 'elsewhere'));
    const url = `sqlite://${target}`;
    const notDb = join(dir, 'notes.txt');
    await writeFile(notDb, 'these are not the pages you are looking for\n'.repeat(200));
    const r1 = await loopin(['restore', '--from', notDb], { databaseUrl: url });
    assert.equal(r1.code, 1);
    assert.match(r1.err, /is not a Loopin SQLite database/);
    const cut = join(dir, 'truncated.db');
    await copyFile(file, cut);
    await truncate(cut, Math.floor((await stat(file)).size / 2));
    const r2 = await loopin(['restore', '--from', cut], { databaseUrl: url });
    assert.equal(r2.code, 1);
    assert.match(r2.err, /is not a Loopin SQLite database/);
    const missing = await loopin(['restore', '--from', join(dir, 'nope.db')], { databaseUrl: url });
    assert.equal(missing.code, 1);
    await assert.rejects(stat(target), 'nothing was written by a refused restore');

    const ok = await loopin(['restore', '--from', file], { databaseUrl: url });
    assert.equal(ok.code, 0, ok.err);
    const twice = await loopin(['restore', '--from', file], { databaseUrl: url });
    assert.equal(twice.code, 1);
    assert.match(twice.err, /exists; --force replaces it/);
    const forced = await loopin(['restore', '--from', file, '--force'], { databaseUrl: url });
    assert.equal(forced.code, 0, forced.err);
    assert.deepEqual(await rowCounts(target), snapshot);
});

test('a server on the restored database: every row count as in the backup, the ticket verifies', { skip: sqliteOnly }, async () => {
    await server.stop();
    server = null;
    const target = join(dir, 'restored', 'loopin.db');
    await mkdir(join(dir, 'restored'));
    const r = await loopin(['restore', '--from', join(dir, 'loopin-backup.db')], { databaseUrl: `sqlite://${target}` });
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^restored: /m);
    assert.match(r.out, /^secret key: .*restored\/loopin\.db\.secret_key/m);
    assert.equal((await stat(`${target}.secret_key`)).mode & 0o777, 0o600);

    restored = await startAccountsServer({ databaseUrl: `sqlite://${target}`, env: OWN_KEY });
    assert.doesNotMatch(restored.stderr(), /generated a development secret key/, 'the restored key was used');
    const rc = api(restored);
    assert.deepEqual(await rowCounts(target), snapshot, 'every table as in the backup');
    assert.deepEqual(await markersIn(target), backupMarkers, 'the same rows of the load, the acknowledged ones included');

    // The tokens issued before the backup still work (same key), the code is
    // re-derived identically from the sealed event key, and it verifies.
    const mine = await rc.get(`/api/events/${event.id}/my-ticket`, { headers: bearer(guest.token) });
    assert.equal(mine.status, 200, summarize(mine));
    assert.equal(mine.json.ticket_secret, ticket.ticket_secret);
    const sd = await rc.get(`/api/events/${event.id}/scan-data`, { headers: bearer(host.token) });
    assert.equal(sd.json.public_key, publicKey);
    const v = await loopin(['ticket', 'verify', '--public-key', sd.json.public_key, ticket.qr_code_data]);
    assert.equal(v.code, 0, v.err);
    assert.equal(v.out, `valid ticket_id=${ticket.ticket_id} event_id=${event.id}\n`);
    const scan = await rc.post(`/api/events/${event.id}/check-in`, { headers: bearer(host.token), json: { code: ticket.ticket_secret, nonce: `n-${tag()}` } });
    assert.equal(scan.status, 200, summarize(scan));
    assert.equal(scan.json.status, 'ok', summarize(scan));
});
