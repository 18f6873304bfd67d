// http_errors.test.mjs: how the HTTP layer answers requests that are wrong
// before any handler runs (unknown routes, wrong methods, bad path params,
// malformed or oversized bodies and headers) and how it decodes bodies that
// are right (JSON, urlencoded forms, multipart, query strings), through the
// test-mode routes /_test/items/{item_id:int}, /_test/echo and /_test/clock.
// A client mistake is never a 500: the last test checks every status seen.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, api, rawRequest, parseResponse, buildRequest, summarize } from './lib/server.mjs';
import {
    assertErrorBody,
    assertStandardHeaders,
    assertValidationError,
    header,
    okJson,
    REQUEST_ID_RE,
} from './lib/expect.mjs';

const MiB = 1024 * 1024;

let server;
let client;
const rawStatuses = []; // statuses of raw-socket responses, for the final check

before(async () => {
    server = await startServer();
    client = api(server);
});

after(async () => {
    await server?.stop();
});

const postJsonText = (path, text) => client.post(path, { body: text, headers: { 'content-type': 'application/json' } });

/* ---- routing ---------------------------------------------------------- */

test('an unknown route is 404 NOT_FOUND', async () => {
    const res = await client.get('/nope');
    assertErrorBody(res, 404, 'NOT_FOUND', { detail: 'Not Found' });
});

test('a known path with the wrong method is 405 with an Allow header', async () => {
    const res = await client.del('/api/health');
    assertErrorBody(res, 405, 'METHOD_NOT_ALLOWED');
    assert.match(header(res, 'allow') ?? '', /\bGET\b/, `Allow header: ${header(res, 'allow')}`);
});

test('an int path parameter is parsed', async () => {
    const res = await client.get('/_test/items/42');
    assert.deepEqual(okJson(res), { item_id: 42 });
});

for (const raw of ['abc', '1.5', '99999999999999999999999']) {
    test(`a non-int path parameter (${raw}) is 422 int_parsing`, async () => {
        const res = await client.get(`/_test/items/${raw}`);
        assertValidationError(res, { type: 'int_parsing', loc: ['path', 'item_id'], input: raw });
    });
}

/* ---- JSON bodies -------------------------------------------------------- */

test('POST /_test/echo echoes a JSON body and the method', async () => {
    const sent = { a: 1, b: [true, null, 'x'], c: { 'é': 'ünïcode ✓' } };
    const res = await client.post('/_test/echo', { json: sent });
    const body = okJson(res);
    assert.equal(body.method, 'POST');
    assert.deepEqual(body.json, sent);
    assert.deepEqual(body.query, {});
    for (const key of ['form', 'files']) assert.ok(key in body, `echo has ${key}: ${summarize(res)}`);
});

for (const [name, text] of [
    ['truncated JSON', '{"a":'],
    ['JSON followed by garbage', '{"a":1}garbage'],
    ['an empty JSON body', ''],
]) {
    test(`${name} is 422 json_invalid`, async () => {
        const res = await postJsonText('/_test/echo', text);
        assertValidationError(res, { type: 'json_invalid' });
    });
}

test('a text/plain body where only JSON is accepted is 415', async () => {
    const res = await client.post('/_test/clock', {
        body: '{"advance_seconds": 1}',
        headers: { 'content-type': 'text/plain' },
    });
    assertErrorBody(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
});

// A JSON object {"a":"aaa..."} of exactly n bytes.
const jsonOfSize = (n) => `{"a":"${'a'.repeat(n - 8)}"}`;

test('a JSON body of exactly 1 MiB is accepted', async () => {
    const res = await postJsonText('/_test/echo', jsonOfSize(MiB));
    const body = okJson(res);
    assert.equal(body.json.a.length, MiB - 8);
});

test('a JSON body of 1 MiB + 1 byte is 413 (a response, not a reset)', async () => {
    let res;
    try {
        res = await postJsonText('/_test/echo', jsonOfSize(MiB + 1));
    } catch (e) {
        assert.fail(`the server dropped the connection instead of answering 413: ${e.cause?.code ?? e.message}`);
    }
    assertErrorBody(res, 413, 'PAYLOAD_TOO_LARGE');
});

test('the connection is usable after a 413', async () => {
    const res = await client.get('/api/health');
    assert.equal(res.status, 200, summarize(res));
});

for (const [label, extra, length] of [
    ['with Expect: 100-continue', { Expect: '100-continue' }, 50 * MiB],
    ['beyond what the server will drain', {}, 150 * MiB],
]) {
    test(`a declared oversized body ${label} is refused at once with 413`, async () => {
        // Only the headers are sent: the server must not wait for the body.
        const head =
            `POST /_test/echo HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n` +
            'Content-Type: application/json\r\n' +
            Object.entries(extra).map(([k, v]) => `${k}: ${v}\r\n`).join('') +
            `Content-Length: ${length}\r\n\r\n`;
        const got = await rawRequest(server.port, Buffer.from(head), { timeoutMs: 5000 });
        assert.ok(!got.timedOut, 'the server waited for a body it will refuse');
        const res = parseResponse(got.data, { untilClose: true });
        assert.ok(res, `no response: ${got.text.slice(0, 200)}`);
        rawStatuses.push(res.status);
        assertErrorBody(res, 413, 'PAYLOAD_TOO_LARGE');
    });
}

/* ---- header limits ----------------------------------------------------- */

test('a 20 KiB request header is 431 HEADER_TOO_LARGE', async () => {
    const bytes = buildRequest('GET', '/api/health', {
        port: server.port,
        headers: { 'X-Big': 'a'.repeat(20000), Connection: 'close' },
    });
    const got = await rawRequest(server.port, bytes, { timeoutMs: 5000 });
    const res = parseResponse(got.data, { untilClose: true });
    assert.ok(res, `no response (error ${got.error}, timed out ${got.timedOut}): ${got.text.slice(0, 200)}`);
    rawStatuses.push(res.status);
    assertErrorBody(res, 431, 'HEADER_TOO_LARGE');
});

test('a 300 KiB request header is refused without harming the server', async () => {
    const bytes = buildRequest('GET', '/api/health', {
        port: server.port,
        headers: { 'X-Big': 'a'.repeat(300 * 1024), Connection: 'close' },
    });
    const got = await rawRequest(server.port, bytes, { timeoutMs: 10000 });
    assert.ok(!got.timedOut, 'the server neither answered nor closed the connection');
    // A reset may cut the answer short, so only its status line is checked.
    if (got.data.length > 0) {
        const status = /^HTTP\/1\.[01] (\d{3})/.exec(got.text)?.[1];
        assert.ok(status, `not an HTTP answer: ${JSON.stringify(got.text.slice(0, 200))}`);
        rawStatuses.push(Number(status));
        assert.equal(Number(status), 431);
    }
    const health = await client.get('/health');
    assert.equal(health.status, 200, 'server still healthy afterwards');
});

/* ---- forms and multipart ------------------------------------------------ */

test('a urlencoded form is decoded (percent escapes, + as space, UTF-8)', async () => {
    const res = await client.post('/_test/echo', {
        body: 'a=1&c=x%20y+w%2Bv&d=%C3%A9',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const { form } = okJson(res);
    assert.equal(form.a, '1');
    assert.equal(form.c, 'x y w+v');
    assert.equal(form.d, 'é');
});

test('a repeated urlencoded key keeps its first value (or all values)', async () => {
    const res = await client.post('/_test/echo', {
        body: 'a=1&b=x%20y&b=z',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const { form } = okJson(res);
    assert.equal(form.a, '1');
    assert.ok(
        form.b === 'x y' || (Array.isArray(form.b) && form.b[0] === 'x y'),
        `form.b is ${JSON.stringify(form.b)}`,
    );
});

const BOUNDARY = '----LoopinTestBoundary7MA4YWxkTrZu0gW';

// Every byte value, plus text that looks like a boundary but is not one.
const FILE_BYTES = Buffer.concat([
    Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
    Buffer.from(`\r\n--${BOUNDARY.slice(0, -3)}\r\n--\r\n`),
]);

function multipart(parts, { close = true } = {}) {
    const chunks = [];
    for (const p of parts) {
        let head = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${p.name}"`;
        if (p.filename) head += `; filename="${p.filename}"`;
        head += '\r\n';
        if (p.type) head += `Content-Type: ${p.type}\r\n`;
        chunks.push(Buffer.from(head + '\r\n'), Buffer.from(p.data), Buffer.from('\r\n'));
    }
    if (close) chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
    return Buffer.concat(chunks);
}

test('a multipart body with a text field and a file is decoded', async () => {
    const body = multipart([
        { name: 'title', data: 'hello world' },
        { name: 'upload', filename: 'note.bin', type: 'application/octet-stream', data: FILE_BYTES },
    ]);
    const res = await client.post('/_test/echo', {
        body,
        headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
    });
    const echo = okJson(res);
    assert.equal(echo.form.title, 'hello world');
    assert.ok(Array.isArray(echo.files) && echo.files.length === 1, `files: ${JSON.stringify(echo.files)}`);
    const f = echo.files[0];
    assert.equal(f.field, 'upload');
    assert.equal(f.filename, 'note.bin');
    assert.equal(f.content_type, 'application/octet-stream');
    assert.equal(f.size, FILE_BYTES.length);
});

test('multipart without a boundary parameter is a 4xx JSON error', async () => {
    const res = await client.post('/_test/echo', {
        body: multipart([{ name: 'title', data: 'x' }]),
        headers: { 'content-type': 'multipart/form-data' },
    });
    assertErrorBody(res, [400, 422]);
});

test('multipart truncated before the closing boundary is a 4xx JSON error', async () => {
    const body = multipart([{ name: 'upload', filename: 'a.txt', type: 'text/plain', data: 'partial' }], { close: false });
    const res = await client.post('/_test/echo', {
        body: body.subarray(0, body.length - 4),
        headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
    });
    assertErrorBody(res, [400, 422]);
});

/* ---- query strings and request ids ------------------------------------- */

test('the query string is decoded', async () => {
    const res = await client.post('/_test/echo?x=1&y=%C3%A9', { json: {} });
    assert.deepEqual(okJson(res).query, { x: '1', y: 'é' });
});

test('a sane X-Request-Id is echoed', async () => {
    for (const id of ['abc-123.DEF_x', 'r'.repeat(128)]) {
        const res = await client.get('/api/health', { headers: { 'x-request-id': id } });
        assert.equal(header(res, 'x-request-id'), id);
    }
});

test('an insane X-Request-Id is replaced with a generated one', async () => {
    for (const id of ['r'.repeat(129), 'x'.repeat(300), 'has spaces in it', 'semi;colon', 'ü-not-ascii']) {
        const res = await client.get('/api/health', { headers: { 'x-request-id': id } });
        const got = header(res, 'x-request-id');
        assert.ok(got, `no X-Request-Id for ${id}`);
        assert.notEqual(got, id, `echoed an insane id ${JSON.stringify(id)}`);
        assert.match(got, REQUEST_ID_RE);
    }
});

test('generated request ids differ between requests', async () => {
    const a = header(await client.get('/api/health'), 'x-request-id');
    const b = header(await client.get('/api/health'), 'x-request-id');
    assert.notEqual(a, b);
});

/* ---- over the whole file ----------------------------------------------- */

test('no response in this file was a 5xx', () => {
    const bad = client.responses.filter((r) => r.status >= 500).map(summarize);
    bad.push(...rawStatuses.filter((s) => s >= 500).map((s) => `raw request -> ${s}`));
    assert.deepEqual(bad, []);
});

test('every response carried the request id and security headers', () => {
    for (const res of client.responses) assertStandardHeaders(res);
});

test('every error response had the error body shape', () => {
    for (const res of client.responses.filter((r) => r.status >= 400)) assertErrorBody(res, res.status);
});
