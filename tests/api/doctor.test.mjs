// doctor.test.mjs: `loopin doctor` as an operator meets it: a healthy
// install reads ok (exit 0), pending migrations are named, an unreachable
// database, credentials a provider refuses (Twilio, OneSignal, S3) and a
// bad setting are each a FAIL (exit 1), and no secret is ever printed.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startServer, createDatabase, dropDatabase, dbKind, sanitizerReport } from './lib/server.mjs';
import { startFakeS3 } from './lib/s3.mjs';

const execFileP = promisify(execFile);
const SECRETS = { twilio: 'twilio-token-0123456789', onesignal: 'onesignal-key-0123456789', key: 'k'.repeat(40) };

let server, s3, fake, fakeUrl, dir;
const dropLater = [];

before(async () => {
    server = await startServer();
    s3 = await startFakeS3();
    dir = await mkdtemp(join(tmpdir(), 'loopin-doctor-'));
    // Twilio's account resource and OneSignal's notification list, each
    // answering 200 for the right credentials and 401 otherwise.
    fake = http.createServer((req, res) => {
        const auth = req.headers.authorization ?? '';
        let ok = false;
        if (req.url === '/2010-04-01/Accounts/AC123.json')
            ok = auth === `Basic ${Buffer.from(`AC123:${SECRETS.twilio}`).toString('base64')}`;
        else if (req.url.startsWith('/api/v1/notifications?app_id=app-1&limit=1'))
            ok = auth === `Basic ${SECRETS.onesignal}`;
        res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
        res.end('{}');
    });
    await new Promise((r) => fake.listen(0, '127.0.0.1', r));
    fakeUrl = `http://127.0.0.1:${fake.address().port}`;
});

after(async () => {
    await server?.stop();
    await s3?.stop();
    fake?.close();
    for (const u of dropLater) await dropDatabase(u).catch(() => {});
    if (dir) await rm(dir, { recursive: true, force: true });
});

async function doctor(env = {}, args = []) {
    const base = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('LOOPIN_')) base[k] = v;
    const r = await execFileP(process.env.LOOPIN_BIN, ['doctor', ...args], {
        cwd: dir,
        env: { ...base, LOOPIN_ENV: 'test', LOOPIN_SECRET_KEY: SECRETS.key, LOOPIN_DATABASE_URL: server.databaseUrl,
            LOOPIN_MEDIA_DIR: join(dir, 'media'), ...env },
    }).then((x) => ({ code: 0, ...x }), (e) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }));
    assert.equal(sanitizerReport(r.stderr), null, r.stderr);
    for (const s of Object.values(SECRETS)) assert.ok(!r.stdout.includes(s) && !r.stderr.includes(s), 'a secret was printed');
    return r;
}

const line = (out, name) => out.split('\n').find((l) => new RegExp(`^  (ok|warn|FAIL) +${name} `).test(l)) ?? '';

test('a healthy install: every check ok, exit 0', async () => {
    const r = await doctor();
    assert.equal(r.code, 0, r.stdout);
    assert.match(line(r.stdout, 'database'), /^  ok .*(PostgreSQL|SQLite) answered in/);
    assert.match(line(r.stdout, 'migrations'), /^  ok .*all \d+ applied/);
    assert.match(line(r.stdout, 'clock'), dbKind() === 'postgres' ? /^  ok .* s from the database's clock/ : /^  ok .*SQLite/);
    assert.match(line(r.stdout, 'media'), /^  ok .*local, .* is writable/);
    assert.match(r.stdout, /0 problems/);
});

test('an empty database: the pending migrations are named; an unreachable one is a FAIL', async () => {
    let url;
    if (dbKind() === 'postgres') {
        url = await createDatabase();
        dropLater.push(url);
    } else {
        url = `sqlite://${join(dir, 'empty.db')}`;
    }
    const missing = await doctor({ LOOPIN_DATABASE_URL: url });
    assert.equal(missing.code, 1);
    if (dbKind() === 'postgres') assert.match(line(missing.stdout, 'migrations'), /^  FAIL .*\d+ of \d+ pending: 0001_accounts, 0002_events/);
    else assert.match(line(missing.stdout, 'database'), /^  FAIL .*no SQLite database at .*empty\.db \(run loopin migrate\)/);
    // migrate --status names what an upgrade would apply; after migrate, nothing
    const status = async () => (await execFileP(process.env.LOOPIN_BIN, ['migrate', '--status'], {
        cwd: dir, env: { ...process.env, LOOPIN_ENV: 'test', LOOPIN_DATABASE_URL: url } })).stdout;
    assert.match(await status(), /^(\d+) migrations known, \1 pending:\n  0001_accounts\n  0002_events\n/);
    await execFileP(process.env.LOOPIN_BIN, ['migrate'], { cwd: dir, env: { ...process.env, LOOPIN_ENV: 'test', LOOPIN_DATABASE_URL: url } });
    assert.match(await status(), /^\d+ migrations known, 0 pending\n$/);
    assert.match(line((await doctor({ LOOPIN_DATABASE_URL: url })).stdout, 'migrations'), /^  ok .*all \d+ applied/);
    const gone = await doctor({ LOOPIN_DATABASE_URL: 'postgresql://nobody:pw@127.0.0.1:9/none' });
    assert.equal(gone.code, 1);
    assert.match(line(gone.stdout, 'database'), /^  FAIL .*cannot open/);
    assert.ok(!gone.stdout.includes(':pw@'), 'the database password is masked');
});

test('providers are asked whether the credentials work', async () => {
    const providers = {
        LOOPIN_SMS_BACKEND: 'twilio', LOOPIN_TWILIO_ACCOUNT_SID: 'AC123', LOOPIN_TWILIO_FROM: '+15550001111',
        LOOPIN_TWILIO_API_BASE: fakeUrl, LOOPIN_PUSH_BACKEND: 'onesignal', LOOPIN_ONESIGNAL_APP_ID: 'app-1',
        LOOPIN_ONESIGNAL_API_BASE: fakeUrl, ...s3.env,
    };
    const good = await doctor({ ...providers, LOOPIN_TWILIO_AUTH_TOKEN: SECRETS.twilio, LOOPIN_ONESIGNAL_API_KEY: SECRETS.onesignal });
    assert.equal(good.code, 0, good.stdout);
    assert.match(line(good.stdout, 'sms'), /^  ok .*Twilio accepts the credentials/);
    assert.match(line(good.stdout, 'push'), /^  ok .*OneSignal accepts the credentials/);
    assert.match(line(good.stdout, 'media'), /^  ok .*s3 bucket loopin-media answers/);

    const bad = await doctor({ ...providers, LOOPIN_TWILIO_AUTH_TOKEN: `${SECRETS.twilio}x`,
        LOOPIN_ONESIGNAL_API_KEY: `${SECRETS.onesignal}x`, LOOPIN_S3_SECRET_KEY: 'wrong-secret' });
    assert.equal(bad.code, 1);
    assert.match(line(bad.stdout, 'sms'), /^  FAIL .*Twilio refuses the credentials \(401\)/);
    assert.match(line(bad.stdout, 'push'), /^  FAIL .*OneSignal refuses the credentials \(401\)/);
    assert.match(line(bad.stdout, 'media'), /^  FAIL .*s3: .*access denied/);
    assert.match(bad.stdout, /3 problems/);

    const offline = await doctor({ ...providers, LOOPIN_TWILIO_AUTH_TOKEN: 'x', LOOPIN_ONESIGNAL_API_KEY: 'y' }, ['--offline']);
    assert.equal(offline.code, 0, offline.stdout);
    assert.match(line(offline.stdout, 'sms'), /not tried: --offline/);

    const incomplete = await doctor({ LOOPIN_PUSH_BACKEND: 'onesignal' });
    assert.equal(incomplete.code, 1);
    assert.match(line(incomplete.stdout, 'push'), /^  FAIL .*needs LOOPIN_ONESIGNAL_APP_ID/);
    assert.equal((await doctor({}, ['--bogus'])).code, 2);
});

test('production warns about what a production install should not run with', async () => {
    const r = await doctor({ LOOPIN_ENV: 'production', LOOPIN_PAYU_KEY: 'key', LOOPIN_PAYU_SALT: 'salt',
        LOOPIN_SMS_BACKEND: 'file', LOOPIN_PUBLIC_URL: 'http://loopin.example' });
    assert.equal(r.code, 1, 'an SMS backend that reaches no phone fails production');
    assert.match(line(r.stdout, 'sms'), /^  FAIL .*file backend: no code reaches a phone/);
    assert.match(line(r.stdout, 'public URL'), /^  warn .*https/);
    assert.match(line(r.stdout, 'proxies'), /^  warn .*LOOPIN_TRUSTED_PROXIES/);
    assert.match(line(r.stdout, 'payments'), /^  ok .*PayU key and salt set/);
});
