// s3.mjs: a local S3 for the media adapter's tests: s3rver (npm) stores the
// objects, and in front of it a small gate that checks what s3rver does not:
// each request's AWS Signature Version 4 (credential scope, signed headers,
// signature) and that x-amz-content-sha256 is the hash of the bytes that
// arrived, answering 403 SignatureDoesNotMatch or 400 as S3 does. So a
// request libcurl signed wrongly fails here as it would against S3.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

export const S3_ACCESS_KEY = 'LOOPINTESTKEY';
export const S3_SECRET_KEY = 'loopin-test-secret-0123456789';

const sha256hex = (b) => createHash('sha256').update(b).digest('hex');
const hmac = (key, s) => createHmac('sha256', key).update(s).digest();

function s3Error(res, status, code, message) {
    res.writeHead(status, { 'content-type': 'application/xml' });
    res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`);
}

// The reason a request's signature does not verify, or null when it does.
export function sigv4Problem(req, body, { region = 'us-east-1', now = Date.now() } = {}) {
    const auth = req.headers.authorization ?? '';
    const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
    if (!m) return `malformed Authorization: ${auth.slice(0, 40)}`;
    const [, key, day, reqRegion, signedList, signature] = m;
    if (key !== S3_ACCESS_KEY) return 'unknown access key';
    if (reqRegion !== region) return `wrong region ${reqRegion}`;
    const amzDate = req.headers['x-amz-date'] ?? '';
    if (!amzDate.startsWith(day)) return 'x-amz-date is not the credential day';
    const when = Date.parse(amzDate.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z'));
    if (!(Math.abs(now - when) < 15 * 60e3)) return 'request time too skewed';
    const payload = req.headers['x-amz-content-sha256'];
    if (!payload) return 'no x-amz-content-sha256';
    if (payload !== 'UNSIGNED-PAYLOAD' && payload !== sha256hex(body)) return 'x-amz-content-sha256 is not the body hash';
    const signed = signedList.split(';');
    for (const h of ['host', 'x-amz-date', 'x-amz-content-sha256'])
        if (!signed.includes(h)) return `${h} is not signed`;
    const url = new URL(req.url, 'http://x');
    const query = [...url.searchParams]
        .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
        .sort()
        .join('&');
    const headers = signed.map((h) => `${h}:${String(req.headers[h] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
    const canonical = [req.method, url.pathname, query, headers, signedList, payload].join('\n');
    const scope = `${day}/${region}/s3/aws4_request`;
    const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256hex(canonical)].join('\n');
    let k = hmac(`AWS4${S3_SECRET_KEY}`, day);
    for (const part of [region, 's3', 'aws4_request']) k = hmac(k, part);
    const want = hmac(k, toSign);
    const got = Buffer.from(signature, 'hex');
    return got.length === want.length && timingSafeEqual(got, want) ? null : 'signature does not match';
}

// Starts the fake; returns { endpoint, bucket, dir, env, requests, stop }.
// env is what a `loopin serve` needs to use it; requests counts what the
// gate passed on, by method.
export async function startFakeS3(bucket = 'loopin-media') {
    const dir = await mkdtemp(join(tmpdir(), 'loopin-s3-'));
    const store = new S3rver({
        address: '127.0.0.1',
        port: 0,
        silent: true,
        directory: dir,
        configureBuckets: [{ name: bucket }],
    });
    const { port: storePort } = await store.run();
    const requests = { GET: 0, HEAD: 0, PUT: 0, refused: 0 };
    const gate = http.createServer((req, res) => {
        const chunks = [];
        req.on('data', (c) => chunks.push(c));
        req.on('end', () => {
            const body = Buffer.concat(chunks);
            const problem = sigv4Problem(req, body);
            if (problem) {
                requests.refused++;
                return s3Error(res, 403, 'SignatureDoesNotMatch', problem);
            }
            requests[req.method] = (requests[req.method] ?? 0) + 1;
            // Verified here; s3rver (which knows only its own demo key) gets
            // the request unsigned.
            const { authorization, ...headers } = req.headers;
            const fwd = http.request(
                { host: '127.0.0.1', port: storePort, method: req.method, path: req.url, headers },
                (up) => {
                    res.writeHead(up.statusCode, up.headers);
                    up.pipe(res);
                },
            );
            fwd.on('error', () => s3Error(res, 500, 'InternalError', 'store unavailable'));
            fwd.end(body);
        });
    });
    await new Promise((resolve) => gate.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${gate.address().port}`;
    return {
        endpoint,
        bucket,
        dir,
        requests,
        env: {
            LOOPIN_MEDIA_BACKEND: 's3',
            LOOPIN_S3_BUCKET: bucket,
            LOOPIN_S3_REGION: 'us-east-1',
            LOOPIN_S3_ENDPOINT: endpoint,
            LOOPIN_S3_PATH_STYLE: '1',
            LOOPIN_S3_ACCESS_KEY: S3_ACCESS_KEY,
            LOOPIN_S3_SECRET_KEY: S3_SECRET_KEY,
        },
        async stop() {
            gate.closeAllConnections?.();
            await new Promise((resolve) => gate.close(resolve));
            await store.close();
            await rm(dir, { recursive: true, force: true });
        },
    };
}
