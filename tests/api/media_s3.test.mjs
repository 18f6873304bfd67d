// media_s3.test.mjs: media on an S3-compatible bucket (LOOPIN_MEDIA_BACKEND=s3)
// against s3rver behind a gate that checks every request's AWS SigV4
// signature and payload hash (tests/api/lib/s3.mjs): uploads
// named by content hash and stored once, served through /media by any node
// sharing the bucket, a wrong key or a bucket that is down answered with a
// clean 5xx (never a crash, never the secret in a log), and
// `loopin media migrate --to s3` moving a local install's files so the URLs
// it handed out keep working.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { api, sanitizerReport } from './lib/server.mjs';
import { startAccountsServer, phoneFactory, login, completeProfile, TINY_PNG, TINY_JPEG } from './lib/accounts.mjs';
import { assertErrorBody, okJson } from './lib/expect.mjs';
import { startFakeS3 } from './lib/s3.mjs';

const execFileP = promisify(execFile);
const sha = (b) => createHash('sha256').update(b).digest('hex');
const nextPhone = phoneFactory();

let s3;
const servers = [];

before(async () => {
    s3 = await startFakeS3();
});

after(async () => {
    for (const s of servers) await s.stop().catch(() => {});
    await s3?.stop();
});

async function start(env = {}) {
    const server = await startAccountsServer({ env: { ...s3.env, ...env } });
    servers.push(server);
    return server;
}

async function stop(server) {
    servers.splice(servers.indexOf(server), 1);
    return server.stop();
}

// The object files s3rver keeps for the bucket (one per stored key).
async function bucketObjects() {
    const out = [];
    async function walk(dir, prefix) {
        for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
            if (e.isDirectory()) await walk(join(dir, e.name), `${prefix}${e.name}/`);
            else if (e.name.endsWith('._S3rver_object')) out.push(prefix + e.name.replace(/\._S3rver_object$/, ''));
        }
    }
    await walk(join(s3.dir, s3.bucket), '');
    return out.sort();
}

async function newProfile(server, pictures) {
    const client = api(server);
    const { token } = await login(server, client, nextPhone());
    return completeProfile(client, token, { pictures });
}

const png = (data = TINY_PNG, filename = 'me.png') => ({ data, filename, type: 'image/png' });
const jpg = (data = TINY_JPEG, filename = 'me.jpg') => ({ data, filename, type: 'image/jpeg' });

// A PNG no other test uploads: the tiny PNG with a text chunk of its own.
function uniquePng(tag) {
    const text = Buffer.from(`tEXtComment\0${tag}`);
    const chunk = Buffer.alloc(12 + text.length - 4);
    chunk.writeUInt32BE(text.length - 4, 0);
    text.copy(chunk, 4);
    return Buffer.concat([TINY_PNG.subarray(0, 33), chunk, TINY_PNG.subarray(33)]);
}

test('uploads go to the bucket named by content, once, and every node serves them', async () => {
    const a = await start();
    const b = await start(); // another node: its own database and media dir, the same bucket
    const before = await bucketObjects();
    const body = okJson(await newProfile(a, [png(), jpg()]));
    const [pngUrl, jpgUrl] = body.data.profile_pictures;
    assert.equal(pngUrl, `${a.url}/media/profiles/${sha(TINY_PNG)}.png`);
    assert.equal(jpgUrl, `${a.url}/media/profiles/${sha(TINY_JPEG)}.jpg`);
    const objects = await bucketObjects();
    assert.ok(objects.includes(`profiles/${sha(TINY_PNG)}.png`), objects.join());
    assert.ok(objects.includes(`profiles/${sha(TINY_JPEG)}.jpg`), objects.join());
    assert.equal(await readdir(join(a.tmpDir, 'media')).then((d) => d.length, () => 0), 0, 'nothing on local disk');

    // The same picture again, from another account on the other node: no
    // new object, and nothing sent but a HEAD.
    const puts = s3.requests.PUT;
    okJson(await newProfile(b, [png()]));
    assert.equal((await bucketObjects()).length, objects.length);
    assert.equal(s3.requests.PUT, puts, 'no upload of bytes the bucket has');
    assert.equal(s3.requests.refused, 0, 'every request verified');
    assert.ok(objects.length <= before.length + 2);

    for (const node of [a, b]) {
        const res = await fetch(`${node.url}/media/profiles/${sha(TINY_PNG)}.png`);
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('content-type'), 'image/png');
        assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
        assert.deepEqual(Buffer.from(await res.arrayBuffer()), TINY_PNG);
    }
    const missing = await api(b).get(`/media/profiles/${'ab'.repeat(32)}.png`);
    assertErrorBody(missing, 404, 'NOT_FOUND');
    const traversal = await api(b).get('/media/profiles/..%2f..%2fetc.png');
    assert.equal(traversal.status, 404);
});

test('a picture of the upload limit goes through the bucket whole', async () => {
    const a = await start();
    const big = Buffer.alloc(5 * 1024 * 1024);
    TINY_PNG.copy(big);
    big.write(`unique-${Date.now()}`, 100);
    const body = okJson(await newProfile(a, [png(big, 'big.png')]));
    const res = await fetch(body.data.profile_pictures[0]);
    assert.equal(res.status, 200);
    assert.equal(sha(Buffer.from(await res.arrayBuffer())), sha(big));
});

test('wrong credentials: the node starts and warns, uploads and reads fail cleanly, the secret stays out of the log', async () => {
    const secret = 'not-the-secret-0123456789';
    const bad = await start({ LOOPIN_S3_SECRET_KEY: secret });
    assert.match(bad.stderr(), /media storage is not usable/);
    const res = await newProfile(bad, [png(uniquePng('badkey'))]);
    assertErrorBody(res, 500, 'MEDIA_STORE_FAILED');
    const get = await api(bad).get(`/media/profiles/${sha(TINY_PNG)}.png`);
    assertErrorBody(get, 503, 'MEDIA_UNAVAILABLE');
    assert.match(bad.stderr(), /s3 request failed.*"status":"403"/);
    await stop(bad);
    assert.ok(!bad.stderr().includes(secret), 'the secret key is never logged');
});

test('a bucket that is down: 503 on read, a clean refusal on upload, served again once it is back', async () => {
    const down = await startFakeS3('loopin-down');
    const node = await start({ ...down.env });
    const pic = uniquePng('down');
    const url = okJson(await newProfile(node, [png(pic)])).data.profile_pictures[0];
    await down.stop();
    const get = await api(node).get(new URL(url).pathname);
    assertErrorBody(get, 503, 'MEDIA_UNAVAILABLE');
    assertErrorBody(await newProfile(node, [png(uniquePng('down2'))]), 500, 'MEDIA_STORE_FAILED');
    const health = await fetch(`${node.url}/health`);
    assert.equal(health.status, 200, 'the API stays up without its media store');
});

test('media migrate --to s3 copies a local install, skips strays and what is there, and old URLs keep working', async () => {
    const local = await startAccountsServer({ env: { LOOPIN_MEDIA_BACKEND: 'local' } });
    servers.push(local);
    const pic = uniquePng('migrate');
    const url = okJson(await newProfile(local, [png(pic)])).data.profile_pictures[0];
    const key = new URL(url).pathname.replace('/media/', '');
    const mediaDir = join(local.tmpDir, 'media');
    // An install from before content hashes (a 32-hex random name), a stray
    // file, and a file whose bytes are not the image its name says.
    const legacy = `profiles/${'0123456789abcdef'.repeat(2)}.jpg`;
    await writeFile(join(mediaDir, legacy), TINY_JPEG);
    await writeFile(join(mediaDir, 'profiles', 'notes.txt'), 'hello');
    await mkdir(join(mediaDir, 'events'), { recursive: true });
    const corrupt = `events/${'fedcba9876543210'.repeat(4)}.png`;
    await writeFile(join(mediaDir, corrupt), 'not a png');

    const env = { LOOPIN_ENV: 'test', LOOPIN_MEDIA_DIR: mediaDir, LOOPIN_PUBLIC_URL: local.url, ...s3.env };
    const run = async (...args) => {
        try {
            const r = await execFileP(process.env.LOOPIN_BIN, ['media', 'migrate', '--to', 's3', ...args], {
                env: { ...process.env, ...env },
                cwd: local.tmpDir,
            });
            return { code: 0, ...r };
        } catch (e) {
            return { code: e.code, stdout: e.stdout, stderr: e.stderr };
        }
    };
    const dry = await run('--dry-run');
    assert.match(dry.stdout, /would copy 2, already in the bucket 0, failed 1, not media files 1/);
    assert.equal(dry.code, 1, 'a failed file makes the run fail');
    assert.ok(!(await bucketObjects()).includes(key), 'a dry run copies nothing');

    const first = await run();
    assert.equal(sanitizerReport(first.stderr), null, first.stderr);
    assert.match(first.stdout, /copied 2, already in the bucket 0, failed 1, not media files 1/);
    assert.match(first.stderr, new RegExp(`${corrupt}: .*not the image its name says`));
    const again = await run();
    assert.match(again.stdout, /copied 0, already in the bucket 2, failed 1, not media files 1/);
    const objects = await bucketObjects();
    assert.ok(objects.includes(key) && objects.includes(legacy), objects.join());
    assert.ok(!objects.includes(corrupt));

    // The same database and URLs, now served from the bucket by a node
    // whose media directory is empty.
    const moved = await start({ LOOPIN_DATABASE_URL: local.databaseUrl });
    for (const [k, bytes] of [[key, pic], [legacy, TINY_JPEG]]) {
        const res = await fetch(`${moved.url}/media/${k}`);
        assert.equal(res.status, 200, k);
        assert.deepEqual(Buffer.from(await res.arrayBuffer()), bytes);
    }

    const usage = await execFileP(process.env.LOOPIN_BIN, ['media', 'migrate', '--to', 'gcs'], { env: { ...process.env, ...env } })
        .then(() => ({ code: 0 }), (e) => e);
    assert.equal(usage.code, 2);
    const noBucket = await execFileP(process.env.LOOPIN_BIN, ['media', 'migrate', '--to', 's3'], {
        env: { ...process.env, ...env, LOOPIN_S3_BUCKET: 'missing-bucket' },
    }).then(() => ({ code: 0 }), (e) => e);
    assert.equal(noBucket.code, 2);
    assert.match(noBucket.stderr, /no such bucket/);
});

test('bad media settings stop start-up with the variable named', async () => {
    const cases = [
        [{ LOOPIN_MEDIA_BACKEND: 'ftp' }, /LOOPIN_MEDIA_BACKEND: expected local or s3/],
        [{ LOOPIN_S3_BUCKET: '' }, /LOOPIN_MEDIA_BACKEND: s3 needs LOOPIN_S3_BUCKET/],
        [{ LOOPIN_S3_BUCKET: 'Bad_Bucket' }, /LOOPIN_S3_BUCKET: 3-63/],
        [{ LOOPIN_S3_ENDPOINT: 'ftp://x' }, /LOOPIN_S3_ENDPOINT: expected an http\(s\) URL/],
        [{ LOOPIN_S3_REGION: 'EU WEST' }, /LOOPIN_S3_REGION/],
        [{ LOOPIN_TRUSTED_PROXIES: '10.0.0.1/8' }, /LOOPIN_TRUSTED_PROXIES: "10.0.0.1\/8" has bits set beyond its prefix/],
        [{ LOOPIN_TRUSTED_PROXIES: 'proxy.local' }, /LOOPIN_TRUSTED_PROXIES: "proxy.local" is not an IP address/],
        [{ LOOPIN_PAYU_ALLOWED_IPS: '1.2.3.4/33' }, /LOOPIN_PAYU_ALLOWED_IPS: .*prefix must be 0-32/],
    ];
    for (const [env, want] of cases) {
        const r = await execFileP(process.env.LOOPIN_BIN, ['serve', '--port', '0'], {
            env: { ...process.env, LOOPIN_ENV: 'test', ...s3.env, ...env },
            cwd: s3.dir,
        }).then(() => ({ code: 0, stderr: '' }), (e) => e);
        assert.equal(r.code, 2, `${JSON.stringify(env)}: ${r.stderr}`);
        assert.match(r.stderr, want);
    }
});
