// cli_ticket.test.mjs: `loopin ticket verify --public-key KEY CODE`, the
// reference offline verifier, against codes built here with Node's own
// Ed25519 (so the layout in docs/tickets.md is checked by a second
// implementation, as a scanner app would write it): valid codes, bare or as
// qr_code_data, print "valid ticket_id=N event_id=M" and exit 0; another
// key's code, a tampered or malformed code print "invalid: ..." and exit 1;
// usage errors exit 2. It needs no configuration: a broken environment and
// a broken ./.env do not matter.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sanitizerReport } from './lib/server.mjs';

const bin = process.env.LOOPIN_BIN;
const dirs = [];

after(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function loopin(args, env = {}) {
    const cwd = await mkdtemp(join(tmpdir(), 'loopin-ticket-'));
    dirs.push(cwd);
    await writeFile(join(cwd, '.env'), 'LOOPIN_PORT=not-a-port\nLOOPIN_ENV=nowhere\n');
    const base = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('LOOPIN_')) base[k] = v;
    const proc = spawn(bin, args, { cwd, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stdout.on('data', (d) => (out += d));
    proc.stderr.on('data', (d) => (err += d));
    const code = await new Promise((resolve) => proc.on('close', resolve));
    assert.equal(sanitizerReport(err), null, `sanitizer report:\n${err}`);
    return { code, out, err };
}

function keyPair() {
    const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
    const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(12);
    return { privateKey, pk: raw.toString('base64url') };
}

// version 1 | ticket id (8, BE) | event id (8) | seed (16) | Ed25519 signature.
function makeCode(privateKey, ticketId, eventId, { version = 1 } = {}) {
    const msg = Buffer.alloc(33);
    msg[0] = version;
    msg.writeBigInt64BE(BigInt(ticketId), 1);
    msg.writeBigInt64BE(BigInt(eventId), 9);
    crypto.randomFillSync(msg, 17, 16);
    const sig = crypto.sign(null, msg, privateKey);
    return Buffer.concat([msg, sig]).toString('base64url');
}

const event = keyPair();
const other = keyPair();

test('a code signed with the event key is valid, bare or as qr_code_data', async () => {
    const code = makeCode(event.privateKey, 7, 42);
    assert.equal(code.length, 130);
    for (const text of [code, `EVENT:42:TICKET:${code}`]) {
        const r = await loopin(['ticket', 'verify', '--public-key', event.pk, text]);
        assert.equal(r.code, 0, r.err);
        assert.equal(r.out, 'valid ticket_id=7 event_id=42\n');
    }
    const big = makeCode(event.privateKey, 9223372036854775807n, 123456789012n);
    const r = await loopin(['ticket', 'verify', big, `--public-key=${event.pk}`]);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, 'valid ticket_id=9223372036854775807 event_id=123456789012\n');
});

test('no configuration is read: broken LOOPIN_* variables do not matter', async () => {
    const code = makeCode(event.privateKey, 1, 2);
    const r = await loopin(['ticket', 'verify', '--public-key', event.pk, code], {
        LOOPIN_DATABASE_URL: 'mysql://nowhere',
        LOOPIN_LOG_LEVEL: 'loud',
    });
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, 'valid ticket_id=1 event_id=2\n');
});

test('another key, a tampered code and a wrong prefix are invalid (exit 1)', async () => {
    const code = makeCode(event.privateKey, 7, 42);
    let r = await loopin(['ticket', 'verify', '--public-key', other.pk, code]);
    assert.deepEqual([r.code, r.out], [1, 'invalid: bad signature\n']);

    const c = code[100] === 'A' ? 'B' : 'A';
    const tampered = code.slice(0, 100) + c + code.slice(101);
    r = await loopin(['ticket', 'verify', '--public-key', event.pk, tampered]);
    assert.deepEqual([r.code, r.out], [1, 'invalid: bad signature\n']);

    for (const text of [
        `EVENT:43:TICKET:${code}`,
        code.slice(0, 129),
        `${code}A`,
        makeCode(event.privateKey, 7, 42, { version: 2 }),
        makeCode(event.privateKey, 0, 42),
        makeCode(event.privateKey, -1, 42),
        'hello',
    ]) {
        r = await loopin(['ticket', 'verify', '--public-key', event.pk, text]);
        assert.deepEqual([r.code, r.out], [1, 'invalid: malformed\n'], text);
    }
});

test('usage errors exit 2 and print nothing on stdout', async () => {
    const code = makeCode(event.privateKey, 7, 42);
    for (const args of [
        ['ticket'],
        ['ticket', 'check', code],
        ['ticket', 'verify', code],
        ['ticket', 'verify', '--public-key', event.pk],
        ['ticket', 'verify', '--public-key', 'short', code],
        ['ticket', 'verify', '--public-key', `${event.pk}=`, code],
        ['ticket', 'verify', '--public-key', event.pk, code, code],
        ['ticket', 'verify', '--public-key', event.pk, '--json', code],
    ]) {
        const r = await loopin(args);
        assert.equal(r.code, 2, args.join(' '));
        assert.equal(r.out, '');
        assert.match(r.err, /usage: loopin ticket verify --public-key KEY CODE/);
    }
    const help = await loopin(['ticket', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.out, /^usage: loopin ticket verify --public-key KEY CODE$/m);
});
