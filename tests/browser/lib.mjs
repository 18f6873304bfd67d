// lib.mjs: what the browser tests share: Debian's Chromium through
// playwright-core (headless, offline-minded flags), and a page that records
// every request leaving the server under test and every page error.

import { chromium } from 'playwright-core';

export function launchChromium() {
    return chromium.launch({
        executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
            '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
}

// A fresh context and page at server.url + path. outside collects requests
// to anywhere but the server; errors collects page errors and console
// errors, except failed fetches whose status the walk expects (allowed:
// a regexp of statuses such as /401|403/).
export async function openPage(browser, server, path, { allowed = /401|403|409/ } = {}) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const outside = [], errors = [];
    const expected = new RegExp(`status of (${allowed.source})`);
    page.on('requestfinished', (r) => { if (!r.url().startsWith(server.url) && !/^(data|blob):/.test(r.url())) outside.push(r.url()); });
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error' && !expected.test(m.text())) errors.push(m.text()); });
    await page.goto(`${server.url}${path}`);
    return { context, page, outside, errors };
}
