// campaigns.test.mjs (browser): a staff member runs notification campaigns
// from the console in a real Chromium against a real `loopin serve` (issue 13
// acceptance, docs/admin.md "Campaigns in the console"): writes a template
// (the variables it finds shown as it is typed, a malformed placeholder
// refused), builds a campaign with an audience rule while the live count
// follows it (4, 0, the rule engine's 422, 4), previews the count, sends,
// watches the campaign reach everyone and reads the delivery log; the push
// outbox holds exactly one push per recipient with the rendered title. Then
// the used template's edit becomes version 2, a second campaign is scheduled
// and cancelled, the kill switch is stopped and resumed, and a host lead gets
// a WhatsApp message whose history the dialog shows. No request leaves the
// server and the page reports no error; pages are photographed into
// $LOOPIN_SCREENSHOTS.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { launchChromium, openPage } from './lib.mjs';
import { api, dbQuery, summarize } from '../api/lib/server.mjs';
import { startAccountsServer, phoneFactory, bearer } from '../api/lib/accounts.mjs';
import { newAccount } from '../api/lib/events.mjs';
import { makePushOutbox, readPushes, waitFor } from '../api/lib/push.mjs';
import { readOutbox } from '../api/lib/otp.mjs';

const HASH = '$argon2id$v=19$m=65536,t=3,p=1$fx4aP+y1E5KVZB0AMtQy0g$/V4d73OeSttlNy6dHymtJCSG7LmmsGv7MfQr++D4qow';
const PASSWORD = 'correct horse battery staple';
const CITY = 'Console City';
const NAMES = ['Asha Kumar', 'Bina Kumar', 'Chetan Kumar', 'Dev Kumar'];
const shots = process.env.LOOPIN_SCREENSHOTS ?? join(tmpdir(), 'loopin-admin-screens');
const nextPhone = phoneFactory();
let server, client, outbox, browser, staff, leadPhone;

before(async () => {
    // the file push backend (LOOPIN_PUSH_BACKEND=file, LOOPIN_PUSH_OUTBOX, LOOPIN_JOBS_POLL_MS=50)
    outbox = await makePushOutbox();
    server = await startAccountsServer({ env: { ...outbox.env, LOOPIN_TWILIO_CONTENT_SID: 'HXconsole0001' } });
    client = api(server);
    staff = await newAccount(server, client, nextPhone, { staff: true, name: 'Staff Person' });
    await dbQuery(server, `UPDATE users SET password_hash = '${HASH}' WHERE id = ${staff.id}`);
    for (const name of NAMES) {
        const p = await newAccount(server, client, nextPhone, { name });
        const dev = await client.post('/api/notifications/devices/register', {
            headers: bearer(p.token), json: { onesignal_player_id: `console-${p.id}-${server.port}`, platform: 'android' },
        });
        assert.equal(dev.status, 200, summarize(dev));
        await dbQuery(server, `UPDATE user_profiles SET location = '${CITY}' WHERE user_id = ${p.id}`);
    }
    leadPhone = nextPhone();
    const lead = await client.post('/api/hosts/become-a-host', { json: { first_name: 'Meera', last_name: 'Iyer', phone_number: leadPhone, message: 'Rooftop gigs' } });
    assert.ok(lead.status < 300, summarize(lead));
    await mkdir(shots, { recursive: true });
    browser = await launchChromium();
});

after(async () => {
    await browser?.close();
    await server?.stop();
    await outbox?.remove();
});

const snap = (page, name) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
const text = (page, sel) => page.innerText(sel).then((t) => t.replace(/\s+/g, ' ').trim());
const waitText = (page, sel, want) => page.waitForFunction(([s, w]) => document.querySelector(s)?.textContent.trim() === w, [sel, want]);
const confirm = (page) => page.click('dialog button[type=submit]');
const staffApi = (method, path, json) => client[method](path, { headers: bearer(staff.token), json });

async function open() {
    // 422s are part of the walk (a malformed template, a bad rule): the page shows them
    const { context, page, outside, errors } = await openPage(browser, server, '/admin', { allowed: /401|403|409|422/ });
    await page.fill('#phone', staff.phone);
    await page.fill('#password', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForSelector('nav.side');
    return { context, page, outside, errors };
}

// Every push of the campaign in the outbox.
const pushesOf = async (id) => (await readPushes(outbox)).filter((p) => p.data.campaign_id === id);

async function writeTemplate(page) {
    await page.click('nav.side a[href="#/campaign-templates"]');
    await page.click('button:has-text("New template")');
    await page.fill('#t-name', 'Weekend picks');
    await page.fill('#t-title', 'Hi {{name}}');
    await page.fill('#t-body', '{{ offer this weekend');
    await page.waitForSelector('.warn-text');
    await page.click('form.template-form button[type=submit]');
    await page.waitForSelector('.error');
    assert.match(await text(page, '.error'), /malformed placeholder/);
    await page.fill('#t-body', '{{offer}} this weekend, near you.');
    assert.match(await text(page, '.vars'), /Variables: \{\{name\}\} \{\{offer\}\}/);
    await snap(page, '20-template-new');
    await page.click('form.template-form button[type=submit]');
    await page.waitForFunction(() => /#\/campaign-templates\/\d+$/.test(location.hash));
    await page.waitForSelector('h2:has-text("Weekend picks")');
    assert.match(await text(page, 'dl.kv'), /Variables name, offer/);
    assert.match(await text(page, 'h2'), /editable/);
    await snap(page, '21-template');
    return Number(await page.evaluate(() => location.hash.split('/').pop()));
}

async function buildCampaign(page) {
    await page.click('nav.side a[href="#/campaigns"]');
    await page.click('a:has-text("New campaign")');
    await page.waitForSelector('form.builder');
    await page.fill('#c-name', 'Console campaign');
    await page.selectOption('#c-template', { label: 'Weekend picks (v1)' });
    await page.fill('#c-var-offer', 'Two for one');
    assert.match(await text(page, '.message-preview'), /Hi \{\{name\}\} Two for one this weekend, near you\./);
    await page.selectOption('#c-type', 'system');
    assert.match(await text(page, '.live-count'), /Give every rule a value/);
    const count = (n) => waitText(page, '.live-count strong', n);
    await page.fill('.rule-value', CITY);
    await count('4');
    assert.match(await text(page, '.live-count'), /^4 people \(max 10000\)$/);
    await page.fill('.rule-value', 'Nowhere at all');
    await count('0');
    await page.fill('.rule-value', CITY);
    await count('4');
    // a second rule the rule engine refuses: its 422 is shown; removed, the count is back
    await page.click('button:has-text("Add a rule")');
    await page.selectOption('[aria-label="Rule 2 field"]', 'has_attended_event');
    await page.selectOption('[aria-label="Rule 2 operator"]', 'in');
    await page.fill('[aria-label="Rule 2 value"]', 'not-an-id');
    await page.waitForSelector('.live-count .error-text');
    assert.match(await text(page, '.live-count'), /audience\.all\.1\.value/);
    await page.click('.rule:nth-of-type(2) button:has-text("Remove")');
    await count('4');
    await snap(page, '22-campaign-builder');
    await page.click('form.builder button[type=submit]');
    await page.waitForFunction(() => /#\/campaigns\/\d+$/.test(location.hash));
    return Number(await page.evaluate(() => location.hash.split('/').pop()));
}

async function previewAndSend(page, id) {
    await page.waitForSelector('.badge.state-draft');
    assert.match(await text(page, 'section'), /Send now and Schedule appear once the audience is counted/);
    assert.equal(await page.$('button:has-text("Send now")'), null, 'no Send before the preview');
    await page.click('button:has-text("Preview the count")');
    await confirm(page);
    await page.waitForSelector('.badge.state-previewed');
    await waitText(page, '.figure.preview .n', '4');
    await snap(page, '23-campaign-previewed');
    await page.click('button:has-text("Send now")');
    assert.match(await text(page, 'dialog'), /About 4 people/);
    await snap(page, '24-campaign-send-confirm');
    await confirm(page);
    await page.waitForSelector('.badge.state-sent', { timeout: 30000 });
    await waitText(page, '.figure.sent .n', '4');
    assert.equal(await page.getAttribute('progress.sent', 'value'), '4');
    // the delivery log: every recipient, and (the pushes go out just after the in-app rows:
    // Refresh as a person would) each push sent
    const rowsNow = () => page.evaluate(() => [...document.querySelectorAll('section section table tbody tr')]
        .map((tr) => [...tr.children].map((td) => td.textContent)));
    let rows = [];
    for (let i = 0; i < 60; i++) {
        rows = await rowsNow(); // Recipient, Phone, Batch, Status, Push, ...
        if (rows.length === 4 && rows.every((c) => c[3] === 'sent' && c[4] === 'sent')) break;
        await page.waitForTimeout(250);
        await page.click('button:has-text("Refresh")');
    }
    assert.deepEqual(rows.map((c) => [c[3], c[4]]), Array(4).fill(['sent', 'sent']), JSON.stringify(rows));
    assert.deepEqual(rows.map((c) => c[0]).sort(), NAMES);
    assert.equal(await page.getAttribute('a:has-text("Export CSV")', 'href'), `/api/admin/campaign-executions?campaign_id=${id}&format=csv`);
    await snap(page, '25-campaign-sent');
    const pushes = await pushesOf(id);
    assert.equal(pushes.length, 4, 'one push per recipient');
    assert.deepEqual(pushes.map((p) => p.title).sort(), NAMES.map((n) => `Hi ${n}`));
    assert.ok(pushes.every((p) => p.body === 'Two for one this weekend, near you.'));
}

async function editLockedTemplate(page, templateId) {
    await page.goto(`${server.url}/admin#/campaign-templates/${templateId}`);
    await page.waitForSelector('h2 .badge:has-text("locked")');
    assert.match(await text(page, 'form.template-form'), /Version 1 is used by a campaign/);
    await page.fill('#t-title', 'Hello {{name}}');
    await page.click('button:has-text("Save as version 2")');
    await page.waitForFunction(() => document.querySelectorAll('.card table tbody tr').length === 2);
    assert.match(await text(page, 'dl.kv'), /Latest version 2 Title Hello \{\{name\}\}/);
    await snap(page, '26-template-version-2');
}

async function scheduleAndCancel(page, templateId) {
    const made = await staffApi('post', '/api/admin/campaigns', { name: 'Later campaign', template_id: templateId, notification_type: 'system',
        variables: { offer: 'Later' }, audience: { all: [{ field: 'location', op: '=', value: CITY }] } });
    assert.equal(made.status, 201, summarize(made));
    await page.goto(`${server.url}/admin#/campaigns/${made.json.id}`);
    await page.click('button:has-text("Preview the count")');
    await confirm(page);
    await page.waitForSelector('.badge.state-previewed');
    const at = new Date(Date.now() + 86400e3);
    const local = `${at.getFullYear()}-${String(at.getMonth() + 1).padStart(2, '0')}-${String(at.getDate()).padStart(2, '0')}T09:30`;
    await page.click('button:has-text("Schedule")');
    await page.fill('#f-at', local);
    await confirm(page);
    await page.waitForSelector('.badge.state-scheduled');
    const c = (await staffApi('get', `/api/admin/campaigns/${made.json.id}`)).json;
    assert.equal(Date.parse(c.scheduled_at), new Date(local).getTime());
    await snap(page, '27-campaign-scheduled');
    await page.click('button:has-text("Cancel the campaign")');
    await confirm(page);
    await page.waitForSelector('.badge.state-cancelled');
    assert.equal((await pushesOf(made.json.id)).length, 0);
}

async function killSwitch(page) {
    await page.click('nav.side a[href="#/campaigns"]');
    await page.waitForSelector('.switch');
    assert.match(await text(page, '.switch'), /running Campaigns may run/);
    await page.click('button:has-text("Stop all campaigns")');
    await confirm(page);
    await page.waitForSelector('.switch.stopped');
    assert.equal((await staffApi('get', '/api/admin/campaigns/kill-switch')).json.stopped, true);
    await snap(page, '28-campaigns-stopped');
    await page.click('button:has-text("Resume campaigns")');
    await confirm(page);
    await page.waitForSelector('.switch:not(.stopped)');
    assert.equal((await staffApi('get', '/api/admin/campaigns/kill-switch')).json.stopped, false);
    assert.match(await text(page, 'table'), /Console campaign sent system 4 4 of 4/);
    await snap(page, '29-campaigns');
}

async function whatsapp(page) {
    await page.click('nav.side a[href="#/leads"]');
    const row = page.locator('tr', { has: page.locator('td', { hasText: 'Meera' }) });
    await row.locator('button:has-text("WhatsApp")').click();
    await page.waitForSelector('dialog .lead-messages:has-text("No WhatsApp message sent yet")');
    await page.fill('#f-message', 'Hosting on Loopin is free; can we call you?');
    await confirm(page);
    await page.waitForSelector('.notice:has-text("WhatsApp: done.")');
    await waitFor(async () => (await readOutbox(server.outbox)).some((m) => m.channel === 'whatsapp' && m.to.endsWith(leadPhone.slice(-10))), 'the WhatsApp message');
    await row.locator('button:has-text("WhatsApp")').click();
    await page.waitForSelector('dialog .lead-messages li:has-text("Hosting on Loopin is free")');
    await snap(page, '30-lead-whatsapp');
    await page.click('dialog button:has-text("Cancel")');
}

test('staff write a template, build an audience, preview, send, read the log; schedule, cancel, the kill switch, WhatsApp', async () => {
    const { context, page, outside, errors } = await open();
    try {
        const templateId = await writeTemplate(page);
        const id = await buildCampaign(page);
        await previewAndSend(page, id);
        await editLockedTemplate(page, templateId);
        await scheduleAndCancel(page, templateId);
        await killSwitch(page);
        await whatsapp(page);
        assert.equal((await pushesOf(id)).length, 4, 'still one push per recipient');
        assert.deepEqual(outside, [], 'no request left the server');
        assert.deepEqual(errors, [], 'no page error');
    } finally {
        await context.close();
    }
});
