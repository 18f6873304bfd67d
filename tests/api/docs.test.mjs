// docs.test.mjs: the API documentation viewers at the HTTP level (the
// browser test in tests/browser/ drives them for real): Swagger UI at
// /api/docs and Redoc at /api/redoc, their assets served from the pinned npm
// packages without any CDN, only listed files, and switched off by
// LOOPIN_API_DOCS=0 (the production default, see test_core_config).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, api, summarize } from './lib/server.mjs';

let server, client;

before(async () => {
    server = await startServer();
    client = api(server);
});

after(async () => {
    await server?.stop();
});

const header = (res, name) => res.headers.get(name);

test('Swagger UI and Redoc pages load their viewers from this server only', async () => {
    for (const path of ['/api/docs', '/api/redoc']) {
        const res = await client.get(path);
        assert.equal(res.status, 200, summarize(res));
        assert.match(header(res, 'content-type'), /^text\/html/);
        const srcs = [...res.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
        assert.ok(srcs.length > 0, res.text);
        for (const src of srcs) assert.match(src, /^\/api\/docs\/assets\//, `${path} loads ${src}`);
        assert.match(header(res, 'content-security-policy'), /script-src 'self'/);
    }
});

test('every asset a page names is served with its type', async () => {
    const types = {
        'swagger-ui-bundle.js': /javascript/,
        'swagger-ui.css': /text\/css/,
        'redoc.standalone.js': /javascript/,
        'swagger-init.js': /javascript/,
    };
    for (const [file, type] of Object.entries(types)) {
        const res = await client.get(`/api/docs/assets/${file}`);
        assert.equal(res.status, 200, `${file}: ${res.status}`);
        assert.match(header(res, 'content-type'), type, file);
        assert.ok(res.text.length > 100, `${file} is ${res.text.length} bytes`);
    }
});

test('nothing but the listed assets is served', async () => {
    for (const file of ['nope.js', '.versions', 'redoc.LICENSE', '..%2F..%2Fetc%2Fpasswd']) {
        const res = await client.get(`/api/docs/assets/${file}`);
        assert.equal(res.status, 404, `${file}: ${summarize(res)}`);
    }
});

test('LOOPIN_API_DOCS=0 turns the viewers off but keeps the OpenAPI document', async () => {
    const off = await startServer({ env: { LOOPIN_API_DOCS: '0' } });
    try {
        const c = api(off);
        for (const path of ['/api/docs', '/api/redoc', '/api/docs/assets/swagger-ui-bundle.js'])
            assert.equal((await c.get(path)).status, 404, path);
        assert.equal((await c.get('/api/openapi.json')).status, 200);
    } finally {
        await off.stop();
    }
});

test('missing viewer files are a clear 503, not a crash', async () => {
    const bare = await startServer({ env: { LOOPIN_API_DOCS_DIR: '/nonexistent/api-docs' } });
    try {
        const res = await api(bare).get('/api/docs/assets/swagger-ui-bundle.js');
        assert.equal(res.status, 503, summarize(res));
        assert.equal(res.json?.error_code, 'DOCS_ASSETS_MISSING');
        assert.match(res.json?.detail, /docs-assets|LOOPIN_API_DOCS_DIR/);
    } finally {
        await bare.stop();
    }
});
