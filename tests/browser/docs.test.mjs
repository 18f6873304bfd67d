// docs.test.mjs (browser): Swagger UI and Redoc in a real Chromium, offline.
// Both pages must show every operation of docs/openapi.json, Swagger UI must
// group them by tag and offer "Authorize", a try-it-out call must reach the
// server and show its answer, and no request may leave 127.0.0.1 (the
// viewers come from the pinned npm packages, not a CDN).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { launchChromium } from './lib.mjs';
import { startServer } from '../api/lib/server.mjs';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'];
let server, browser, spec;

before(async () => {
    server = await startServer();
    browser = await launchChromium();
    spec = JSON.parse(await readFile(new URL('../../docs/openapi.json', import.meta.url), 'utf8'));
});

after(async () => {
    await browser?.close();
    await server?.stop();
});

function operations() {
    const ops = [];
    for (const [path, item] of Object.entries(spec.paths))
        for (const m of METHODS) if (item[m]) ops.push({ method: m, path, op: item[m] });
    return ops;
}

const isOutside = (url) => !url.startsWith(server.url) && !/^(data|blob):/.test(url);

// A page that records every request to anywhere but our server that got an
// answer. (Redoc's footer names a logo on cdn.redoc.ly in its code; the
// page's Content-Security-Policy blocks it, so it never completes.)
async function openPage(path) {
    const page = await browser.newPage();
    const outside = [];
    const errors = [];
    page.on('requestfinished', (r) => {
        if (isOutside(r.url())) outside.push(r.url());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(server.url + path);
    return { page, outside, errors };
}

test('Swagger UI shows every operation, grouped by tag, with Authorize', async () => {
    const { page, outside, errors } = await openPage('/api/docs');
    try {
        const want = operations();
        const tags = new Set(want.flatMap(({ op }) => op.tags ?? []));
        // tags start collapsed (swagger-init.js): open each in turn, read its operations, close it
        await page.waitForFunction((n) => document.querySelectorAll('.opblock-tag').length >= n, tags.size, { timeout: 30000 });
        const shown = [];
        for (const tag of await page.$$('.opblock-tag')) {
            await tag.click();
            const section = await tag.evaluateHandle((el) => el.closest('.opblock-tag-section'));
            await page.waitForFunction((s) => s.querySelectorAll('.opblock').length > 0, section, { timeout: 30000 });
            shown.push(...(await section.$$eval('.opblock', (els) =>
                els.map((el) => {
                    const m = el.querySelector('.opblock-summary-method')?.textContent.trim().toLowerCase();
                    const p = el.querySelector('.opblock-summary-path')?.getAttribute('data-path');
                    return `${m} ${p}`;
                }))));
            await tag.click();
        }
        for (const { method, path } of want)
            assert.ok(shown.includes(`${method} ${path}`), `Swagger UI lacks ${method.toUpperCase()} ${path}`);
        const tagSections = await page.$$eval('.opblock-tag', (els) => els.length);
        assert.equal(tagSections, tags.size, 'one section per tag');
        assert.ok(await page.isVisible('.btn.authorize'), 'no Authorize button');
        assert.deepEqual(outside, [], 'requests left the server');
        assert.deepEqual(errors, [], 'page errors');
    } finally {
        await page.close();
    }
});

test('a try-it-out call reaches the server and shows its answer', async () => {
    const { page } = await openPage('/api/docs');
    try {
        await page.locator('.opblock-tag', { hasText: 'operations' }).first().click();
        const block = page.locator('.opblock-get', { has: page.locator('[data-path="/api/health"]') });
        await block.locator('.opblock-summary').first().click();
        await block.locator('.try-out__btn').click();
        await block.locator('.execute').click();
        const status = block.locator('.live-responses-table tbody .response-col_status').first();
        await status.waitFor({ timeout: 30000 });
        assert.equal((await status.textContent()).trim(), '200');
        assert.match(await block.locator('.live-responses-table .microlight').first().textContent(), /healthy/);
    } finally {
        await page.close();
    }
});

test('Redoc shows every operation', async () => {
    const { page, outside, errors } = await openPage('/api/redoc');
    try {
        const want = operations();
        await page.waitForSelector('[data-section-id*="operation/"]', { timeout: 30000 });
        // Redoc marks a section both "operation/<id>" and "tag/<tag>/operation/<id>".
        const ids = await page.$$eval('[data-section-id*="operation/"]', (els) =>
            els.map((el) => el.getAttribute('data-section-id').replace(/^.*operation\//, 'operation/')),
        );
        assert.equal(new Set(ids).size, want.length, `Redoc shows ${new Set(ids).size} of ${want.length} operations`);
        for (const { op } of want)
            if (op.operationId)
                assert.ok(ids.some((id) => id.endsWith(`operation/${op.operationId}`)), `Redoc lacks ${op.operationId}`);
        assert.deepEqual(outside, [], 'requests left the server');
        assert.deepEqual(errors, [], 'page errors');
    } finally {
        await page.close();
    }
});
