// campaigns.test.mjs (browser): a staff member runs a notification campaign
// from the console in a real Chromium against a real `loopin serve` (issue
// 13 acceptance): writes a template, builds a campaign with an audience rule
// while the live count follows it, previews the count, sends, watches the
// campaign reach everyone and reads the delivery log. The push outbox must
// hold exactly one push per recipient with the rendered title. No request
// leaves the server and the page reports no error; pages are photographed
// into $LOOPIN_SCREENSHOTS.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { chromium } from 'playwright-core';
import { api, dbQuery } from '../api/lib/server.mjs';
import { startAccountsServer, phoneFactory, bearer } from '../api/lib/accounts.mjs';
import { newAccount } from '../api/lib/events.mjs';
import { makePushOutbox, readPushes } from '../api/lib/push.mjs';

const HASH = '$argon2id$v=19$m=65536,t=3,p=1$fx4aP+y1E5KVZB0AMtQy0g$/V4d73OeSttlNy6dHymtJCSG7LmmsGv7MfQr++D4qow';
const PASSWORD = 'correct horse battery staple';
const CITY = 'Console City';
const shots = process.env.LOOPIN_SCREENSHOTS ?? join(tmpdir(), 'loopin-admin-screens');
const nextPhone = phoneFactory();
let server, client, outbox, browser, staff;
const people = [];

before(async () => {
    outbox = await makePushOutbox();
    server = await startAccountsServer({ env: outbox.env });
    client = api(server);
    staff = await newAccount(server, client, nextPhone, { staff: true, name: 'Staff Person' });
    await dbQuery(server, `UPDATE users SET password_hash = '${HASH}' WHERE id = ${staff.id}`);
    for (const n of ['Asha', 'Bina', 'Chetan', 'Dev']) {
        const p = await newAccount(server, client, nextPhone, { name: `${n} Kumar` });
        const dev = await client.post('/api/notifications/devices/register', {
            headers: bearer(p.token), json: { onesignal_player_id: `console-${n}-${server.port}`, platform: 'android' },
        });
        assert.equal(dev.status, 200);
        await dbQuery(server, `UPDATE user_profiles SET location = '${CITY}' WHERE user_id = ${p.id}`);
        people.push(p);
    }
    await mkdir(shots, { recursive: true });
    browser = await chromium.launch({
        executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
            '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
});

after(async () => {
    await browser?.close();
    await server?.stop();
    await outbox?.remove();
});

const snap = (page, name) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });

test('staff build a template and an audience, preview the count, send, and read the delivery log', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const outside = [], errors = [];
    page.on('requestfinished', (r) => { if (!r.url().startsWith(server.url) && !/^(data|blob):/.test(r.url())) outside.push(r.url()); });
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error' && !/status of (401|403|409|422)/.test(m.text())) errors.push(m.text()); });
    try {
        await page.goto(`${server.url}/admin`);
        await page.fill('#phone', staff.phone);
        await page.fill('#password', PASSWORD);
        await page.click('button[type=submit]');
        await page.waitForSelector('nav.side');

        // a template
        await page.click('nav.side a[href="#/campaign-templates"]');
        await page.click('button:has-text("New template")');
        await page.fill('#f-name', 'Weekend picks');
        await page.fill('#f-title', 'Hi {{name}}');
        await page.fill('#f-body', '{{offer}} this weekend, near you.');
        await snap(page, '20-template-new');
        await page.click('dialog button[type=submit]');
        await page.waitForSelector('td:has-text("Weekend picks")');
        await page.click('td:has-text("Weekend picks")');
        await page.waitForSelector('td:has-text("name, offer")');
        await snap(page, '21-template');

        // the builder: the live count follows the rule
        await page.goto(`${server.url}/admin#/campaigns/new`);
        await page.waitForSelector('form.builder');
        await page.fill('#c-name', 'Console campaign');
        await page.selectOption('#c-template', { label: 'Weekend picks (v1)' });
        await page.waitForSelector('#c-var-offer');
        await page.fill('#c-var-offer', 'Two for one');
        await page.selectOption('#c-type', 'system');
        await page.fill('.rule-value', 'Nowhere at all');
        await page.waitForFunction(() => document.querySelector('.live-count strong')?.textContent === '0');
        await page.fill('.rule-value', CITY);
        await page.waitForFunction(() => document.querySelector('.live-count strong')?.textContent === '4');
        await snap(page, '22-campaign-builder');
        await page.click('form.builder button[type=submit]');
        await page.waitForFunction(() => /#\/campaigns\/\d+$/.test(location.hash));
        const id = Number(await page.evaluate(() => location.hash.split('/').pop()));

        // preview, then send
        await page.click('button:has-text("Preview the count")');
        await page.click('dialog button[type=submit]');
        await page.waitForSelector('.badge.state-previewed');
        assert.match(await page.textContent('dl.kv'), /Audience at preview\s*4/);
        await page.click('button:has-text("Send now")');
        assert.match(await page.textContent('dialog'), /About 4 people/);
        await snap(page, '23-campaign-send-confirm');
        await page.click('dialog button[type=submit]');
        await page.waitForSelector('.badge.state-sent', { timeout: 30000 });
        await page.waitForFunction(() => document.querySelector('.sent-count')?.textContent === '4');
        // the delivery log: every recipient, and (the pushes go out just after the
        // in-app rows: reload as a person would) each push sent
        const logRows = () => page.evaluate(() => [...document.querySelectorAll('table tbody tr')]
            .map((tr) => [...tr.children].map((td) => td.textContent)));
        let rows = [];
        for (let i = 0; i < 30; i++) {
            await page.waitForFunction(() => document.querySelectorAll('table tbody tr').length === 4);
            rows = await logRows(); // Recipient, Phone, Batch, Status, Push, ...
            if (rows.every((c) => c[3] === 'sent' && c[4] === 'sent')) break;
            await page.waitForTimeout(500);
            await page.reload();
        }
        assert.deepEqual(rows.map((c) => [c[3], c[4]]), Array(4).fill(['sent', 'sent']), JSON.stringify(rows));
        assert.deepEqual(rows.map((c) => c[0]).sort(), ['Asha Kumar', 'Bina Kumar', 'Chetan Kumar', 'Dev Kumar']);
        await snap(page, '24-campaign-sent');

        const pushes = (await readPushes(outbox)).filter((p) => p.data.campaign_id === id);
        assert.equal(pushes.length, 4, 'one push per recipient');
        assert.deepEqual(pushes.map((p) => p.title).sort(), ['Hi Asha Kumar', 'Hi Bina Kumar', 'Hi Chetan Kumar', 'Hi Dev Kumar']);
        assert.ok(pushes.every((p) => p.body === 'Two for one this weekend, near you.'));

        // the kill switch on the campaigns page
        await page.click('nav.side a[href="#/campaigns"]');
        await page.waitForSelector('.switch');
        assert.match(await page.textContent('.switch'), /Campaigns may run/);
        await snap(page, '25-campaigns');
        assert.deepEqual(outside, [], 'no request left the server');
        assert.deepEqual(errors, [], 'no page error');
    } finally {
        await context.close();
    }
});
