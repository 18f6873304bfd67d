// cli.test.mjs: the `loopin` binary's subcommands as an operator meets them:
// --help everywhere, bad configuration reported by variable name with exit
// code 2, secrets masked by `config`, production refusing weak setups, and
// `createsuperuser` storing an argon2id hash (on the database under test).

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase, dropDatabase, dbKind, dbQuery, sanitizerReport } from './lib/server.mjs';

const bin = process.env.LOOPIN_BIN;
const dirs = [];

after(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
});

// Runs the binary in a fresh temp dir with only the given LOOPIN_* variables.
async function loopin(args, { env = {}, stdin = '' } = {}) {
    const cwd = await mkdtemp(join(tmpdir(), 'loopin-cli-'));
    dirs.push(cwd);
    const base = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('LOOPIN_')) base[k] = v;
    const proc = spawn(bin, args, { cwd, env: { ...base, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stdout.on('data', (d) => (out += d));
    proc.stderr.on('data', (d) => (err += d));
    proc.stdin.end(stdin);
    const code = await new Promise((resolve) => proc.on('close', resolve));
    assert.equal(sanitizerReport(err), null, `sanitizer report:\n${err}`);
    return { code, out, err, cwd };
}

test('every subcommand answers --help with exit 0', async () => {
    for (const cmd of ['serve', 'migrate', 'worker', 'createsuperuser', 'createstaff', 'seed', 'config', 'version']) {
        const r = await loopin([cmd, '--help']);
        assert.equal(r.code, 0, `${cmd} --help: ${r.err}`);
        assert.match(r.out, new RegExp(`usage: loopin ${cmd}`));
    }
    const top = await loopin(['--help']);
    assert.equal(top.code, 0);
    assert.match(top.out, /serve/);
});

test('an unknown subcommand exits 2 with the usage', async () => {
    const r = await loopin(['frobnicate']);
    assert.equal(r.code, 2);
    assert.match(r.err, /unknown command 'frobnicate'/);
});

for (const [name, value] of [
    ['LOOPIN_PORT', 'eighty'],
    ['LOOPIN_PORT', '70000'],
    ['LOOPIN_ENV', 'staging'],
    ['LOOPIN_DATABASE_URL', 'mysql://x'],
    ['LOOPIN_WORKERS', '0'],
    ['LOOPIN_TEST_MODE', 'maybe'],
    ['LOOPIN_PUBLIC_URL', 'ftp://x'],
    ['LOOPIN_LOG_LEVEL', 'loud'],
]) {
    test(`bad ${name}=${value} is one line naming the variable, exit 2`, async () => {
        const r = await loopin(['config'], { env: { [name]: value } });
        assert.equal(r.code, 2, r.err);
        assert.equal(r.err.trim().split('\n').length, 1, r.err);
        assert.match(r.err, new RegExp(`^${name}:`));
    });
}

test('a config file fills in what the environment leaves unset', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'loopin-conf-'));
    dirs.push(cwd);
    const file = join(cwd, 'loopin.conf');
    await writeFile(file, '# comment\nLOOPIN_PORT=9123\nexport LOOPIN_HOST="0.0.0.0"\n');
    const r = await loopin(['config'], { env: { LOOPIN_CONFIG_FILE: file, LOOPIN_HOST: '127.0.0.2' } });
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^LOOPIN_PORT=9123$/m);
    assert.match(r.out, /^LOOPIN_HOST=127\.0\.0\.2$/m, 'the environment wins over the file');
});

test('config masks the secret key and the database password', async () => {
    const r = await loopin(['config'], {
        env: {
            LOOPIN_SECRET_KEY: 'k'.repeat(40),
            LOOPIN_DATABASE_URL: 'postgresql://app:hunter2secret@db.internal:5432/loopin',
        },
    });
    assert.equal(r.code, 0, r.err);
    assert.doesNotMatch(r.out, /hunter2secret/);
    assert.doesNotMatch(r.out, /kkkkkkkk/);
    assert.match(r.out, /LOOPIN_SECRET_KEY=\*\*\*\*/);
    assert.match(r.out, /LOOPIN_DATABASE_URL=postgresql:\/\/app:\*\*\*\*@db\.internal:5432\/loopin/);
});

test('production refuses to serve without a long secret key', async () => {
    for (const key of [undefined, 'short-key']) {
        const env = { LOOPIN_ENV: 'production', LOOPIN_DATABASE_URL: 'sqlite://p.db' };
        if (key) env.LOOPIN_SECRET_KEY = key;
        const r = await loopin(['serve', '--port', '0'], { env });
        assert.equal(r.code, 2, `key ${key}: ${r.err}`);
        assert.match(r.err, /LOOPIN_SECRET_KEY/);
    }
});

test('production refuses test mode', async () => {
    const r = await loopin(['config'], { env: { LOOPIN_ENV: 'production', LOOPIN_TEST_MODE: '1' } });
    assert.equal(r.code, 2);
    assert.match(r.err, /^LOOPIN_TEST_MODE:/);
});

test('version prints the version and the number of migrations', async () => {
    const r = await loopin(['version']);
    assert.equal(r.code, 0);
    assert.match(r.out, /^loopin \d+\.\d+\.\d+ \(API 2\.0\.0, \d+ migrations\)/);
});

test('createsuperuser stores a staff superuser with an argon2id hash, and is repeatable', async () => {
    let url;
    if (dbKind() === 'postgres') url = await createDatabase();
    else {
        const d = await mkdtemp(join(tmpdir(), 'loopin-su-'));
        dirs.push(d);
        url = `sqlite://${join(d, 'su.db')}`;
    }
    try {
        const env = { LOOPIN_DATABASE_URL: url, LOOPIN_SECRET_KEY: 's'.repeat(64) };
        const args = ['createsuperuser', '--phone', '+91 98765-43210', '--password-stdin'];
        const r = await loopin(args, { env, stdin: 'correct horse battery\n' });
        assert.equal(r.code, 0, r.err);
        assert.doesNotMatch(r.out + r.err, /correct horse/, 'the password is never printed');
        const again = await loopin(args, { env, stdin: 'another long password\n' });
        assert.equal(again.code, 0, again.err);
        const row = (await dbQuery(url, "SELECT count(*), min(phone), min(password_hash) FROM users")).trim();
        const [count, phone, hash] = row.split('|');
        assert.equal(count, '1', 'running it twice updates the same account');
        assert.equal(phone, '+919876543210');
        assert.match(hash, /^\$argon2id\$/);
        const flags = (await dbQuery(url, 'SELECT is_staff, is_superuser FROM users')).trim();
        assert.match(flags, /^(t\|t|1\|1)$/);

        const short = await loopin(args, { env, stdin: 'short\n' });
        assert.equal(short.code, 2, 'a password under 8 characters is refused');
        const badPhone = await loopin(['createsuperuser', '--phone', '12ab', '--password-stdin'], { env, stdin: 'long enough\n' });
        assert.equal(badPhone.code, 2);
        assert.match(badPhone.err, /--phone/);
    } finally {
        if (dbKind() === 'postgres') await dropDatabase(url);
    }
});

test('createstaff makes staff (not superuser), activates an existing account, and never demotes a superuser', async () => {
    let url;
    if (dbKind() === 'postgres') url = await createDatabase();
    else {
        const d = await mkdtemp(join(tmpdir(), 'loopin-staff-'));
        dirs.push(d);
        url = `sqlite://${join(d, 'staff.db')}`;
    }
    try {
        const env = { LOOPIN_DATABASE_URL: url, LOOPIN_SECRET_KEY: 's'.repeat(64) };
        const staff = (phone) => loopin(['createstaff', '--phone', phone, '--password-stdin'], { env, stdin: 'a long passphrase\n' });
        const r = await staff('+919811111111');
        assert.equal(r.code, 0, r.err);
        assert.match(r.out, /staff account \+919811111111 is ready/);
        const flags = async (phone) => (await dbQuery(url, `SELECT is_active, is_staff, is_superuser FROM users WHERE phone = '${phone}'`)).trim();
        assert.match(await flags('+919811111111'), /^(t\|t\|f|1\|1\|0)$/);
        // an existing, waitlisted account is activated and made staff
        await dbQuery(url, "UPDATE users SET is_active = FALSE, is_staff = FALSE WHERE phone = '+919811111111'");
        assert.equal((await staff('+919811111111')).code, 0);
        assert.match(await flags('+919811111111'), /^(t\|t\|f|1\|1\|0)$/);
        // a superuser stays one
        const su = await loopin(['createsuperuser', '--phone', '+919822222222', '--password-stdin'], { env, stdin: 'a long passphrase\n' });
        assert.equal(su.code, 0, su.err);
        assert.equal((await staff('+919822222222')).code, 0);
        assert.match(await flags('+919822222222'), /^(t\|t\|t|1\|1\|1)$/);
        const usage = await loopin(['createstaff', '--phone', '+919811111111'], { env });
        assert.equal(usage.code, 2);
    } finally {
        if (dbKind() === 'postgres') await dropDatabase(url);
    }
});

test('seed --demo fills a fresh database once (people, events, requests, tickets, orders, a payout), never in production', async () => {
    let url;
    if (dbKind() === 'postgres') url = await createDatabase();
    else {
        const d = await mkdtemp(join(tmpdir(), 'loopin-seed-'));
        dirs.push(d);
        url = `sqlite://${join(d, 'seed.db')}`;
    }
    try {
        const env = { LOOPIN_DATABASE_URL: url, LOOPIN_SECRET_KEY: 's'.repeat(64) };
        const r = await loopin(['seed', '--demo'], { env });
        assert.equal(r.code, 0, r.err);
        assert.match(r.out, /24 people \(3 on the waitlist\), 12 events, \d+ join requests, \d+ tickets, \d+ paid orders, 5 host leads/);
        assert.match(r.out, /pending payout request/);
        const count = async (sql) => Number(await dbQuery(url, sql));
        assert.equal(await count('SELECT count(*) FROM users'), 24);
        assert.equal(await count('SELECT count(*) FROM events'), 12);
        assert.ok(await count("SELECT count(*) FROM event_requests WHERE status = 'accepted'") >= 10);
        assert.ok(await count('SELECT count(*) FROM attendance_records') >= 10);
        assert.ok(await count("SELECT count(*) FROM payment_orders WHERE status = 'paid'") >= 3);
        assert.equal(await count("SELECT count(*) FROM host_payout_requests WHERE status = 'pending'"), 1);
        assert.equal(await count('SELECT count(*) FROM host_leads'), 5);
        // the seats are in the buckets the triggers keep: tickets = seats taken
        assert.equal(await count('SELECT COALESCE(SUM(taken), 0) FROM event_seat_buckets'), await count('SELECT count(*) FROM event_attendees'));
        const again = await loopin(['seed', '--demo'], { env });
        assert.equal(again.code, 0, again.err);
        assert.match(again.out, /already there/);
        assert.equal(await count('SELECT count(*) FROM users'), 24);
        const prod = await loopin(['seed', '--demo'], { env: { ...env, LOOPIN_ENV: 'production', LOOPIN_SMS_BACKEND: 'file' } });
        assert.equal(prod.code, 2);
        assert.match(prod.err, /refused in production/);
        assert.equal((await loopin(['seed'], { env })).code, 2, 'usage');
    } finally {
        if (dbKind() === 'postgres') await dropDatabase(url);
    }
});

test('production refuses the log SMS backend (it would write codes to the log)', async () => {
    const r = await loopin(['config'], { env: { LOOPIN_ENV: 'production', LOOPIN_SMS_BACKEND: 'log' } });
    assert.equal(r.code, 2);
    assert.match(r.err, /^LOOPIN_SMS_BACKEND:/);
});

test('serve refuses the twilio SMS backend without its credentials', async () => {
    const r = await loopin(['serve', '--port', '0'], {
        env: { LOOPIN_SECRET_KEY: 'x'.repeat(40), LOOPIN_SMS_BACKEND: 'twilio', LOOPIN_DATABASE_URL: 'sqlite://t.db' },
    });
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /^LOOPIN_SMS_BACKEND:.*LOOPIN_TWILIO_ACCOUNT_SID/);
});

test('an unknown SMS backend is a configuration error', async () => {
    const r = await loopin(['config'], { env: { LOOPIN_SMS_BACKEND: 'carrier-pigeon' } });
    assert.equal(r.code, 2);
    assert.match(r.err, /^LOOPIN_SMS_BACKEND:/);
});
