// admin.test.mjs (browser): the admin console in a real Chromium against a
// real `loopin serve` (issue 12 point 5). A superuser signs in (after a
// wrong password), sees the dashboard's charts drawn, finds a waitlisted
// user and promotes them, cancels an event, finds both actions in the audit
// trail, is refused the fee change as plain staff, and signs out. No request
// leaves the server, the page reports no error (a Content-Security-Policy
// violation would be one), and every page is photographed into
// $LOOPIN_SCREENSHOTS (default: a temporary directory; never committed).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { launchChromium, openPage } from './lib.mjs';
import { randomUUID } from 'node:crypto';
import { api, dbQuery } from '../api/lib/server.mjs';
import { startAccountsServer, phoneFactory } from '../api/lib/accounts.mjs';
import { newAccount, createEvent, tag } from '../api/lib/events.mjs';

const HASH = '$argon2id$v=19$m=65536,t=3,p=1$fx4aP+y1E5KVZB0AMtQy0g$/V4d73OeSttlNy6dHymtJCSG7LmmsGv7MfQr++D4qow';
const PASSWORD = 'correct horse battery staple';
const shots = process.env.LOOPIN_SCREENSHOTS ?? join(tmpdir(), 'loopin-admin-screens');
const nextPhone = phoneFactory();
let server, client, browser, su, staff, waiting, ev, orderId, payoutId;
const T0 = '2026-01-01T00:00:00.000000Z';

before(async () => {
    server = await startAccountsServer();
    client = api(server);
    su = await newAccount(server, client, nextPhone, { name: 'Super Person' });
    await dbQuery(server, `UPDATE users SET is_staff = TRUE, is_superuser = TRUE, password_hash = '${HASH}' WHERE id = ${su.id}`);
    staff = await newAccount(server, client, nextPhone, { staff: true, name: 'Staff Person' });
    await dbQuery(server, `UPDATE users SET password_hash = '${HASH}' WHERE id = ${staff.id}`);
    waiting = await newAccount(server, client, nextPhone, { active: false, name: 'Waiting Person' });
    const host = await newAccount(server, client, nextPhone, { name: 'Host Person' });
    ev = await createEvent(client, host.token, { title: `Console ${tag()}`, status: 'published' });
    // a paid event with two paid orders (written as a success callback leaves them), a bank
    // account, and a pending payout request for it
    const paid = await createEvent(client, host.token, { title: `Paid ${tag()}`, status: 'published', is_paid: 'true', ticket_price: '100.00', max_capacity: 100, venue_text: 'Lakeside Park' });
    const buyers = [];
    for (let i = 0; i < 2; i++) buyers.push(await newAccount(server, client, nextPhone, { name: `Buyer ${'AB'[i]}` }));
    const orders = buyers.map((b) => ({ u: b.id, id: `LPT${tag()}`, ref: `LPR-${tag()}` }));
    for (const x of orders)
        await dbQuery(server, `INSERT INTO payment_orders (uuid, event_id, user_id, order_id, order_reference, amount_minor, currency, seats_count, base_price_per_seat_minor, platform_fee_bps, platform_fee_minor, host_earning_per_seat_minor, status, payment_provider, is_final, paid_at, expires_at, created_at, updated_at)
            VALUES ('${randomUUID()}', ${paid.id}, ${x.u}, '${x.id}', '${x.ref}', 11000, 'INR', 1, 10000, 1000, 1000, 10000, 'paid', 'test', TRUE, '${T0}', '${T0}', '${T0}', '${T0}');
            INSERT INTO event_attendees (uuid, event_id, user_id, seats, is_paid, price_paid_minor, platform_fee_minor, status, payment_order_id, created_at, updated_at)
            VALUES ('${randomUUID()}', ${paid.id}, ${x.u}, 1, TRUE, 10000, 1000, 'going', (SELECT id FROM payment_orders WHERE order_id = '${x.id}'), '${T0}', '${T0}')`);
    orderId = orders[0].id;
    const acct = randomUUID();
    await dbQuery(server, `INSERT INTO bank_accounts (uuid, host_id, bank_name, account_holder_name, account_number_enc, account_last4, ifsc_code, is_primary, is_active, created_at, updated_at)
        VALUES ('${acct}', ${host.id}, 'HDFC Bank', 'Host Person', 'c2VhbGVkLWFjY291bnQtbnVtYmVy', '1234', 'HDFC0001234', FALSE, TRUE, '${T0}', '${T0}')`);
    const acctId = Number(await dbQuery(server, `SELECT id FROM bank_accounts WHERE uuid = '${acct}'`));
    const req = await client.post('/api/payouts/requests', { headers: { authorization: `Bearer ${host.token}` }, json: { event_id: paid.id, bank_account_id: acctId } });
    assert.equal(req.status, 201, JSON.stringify(req.json));
    payoutId = req.json.data.id;
    await mkdir(shots, { recursive: true });
    browser = await launchChromium();
});

after(async () => {
    await browser?.close();
    await server?.stop();
});

const open = () => openPage(browser, server, '/admin');

const snap = (page, name) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });

async function signIn(page, phone, password) {
    await page.fill('#phone', phone);
    await page.fill('#password', password);
    await page.click('button[type=submit]');
}

test('a superuser runs the console: sign-in, dashboard, promote, cancel, audit, sign-out', async () => {
    const { context, page, outside, errors } = await open();
    try {
        await page.waitForSelector('form.signin');
        await snap(page, '01-sign-in');
        await signIn(page, su.phone, 'not the password');
        await page.waitForSelector('.error');
        assert.match(await page.textContent('.error'), /phone number or password is not correct/);
        await snap(page, '02-sign-in-refused');
        await signIn(page, su.phone, PASSWORD);
        await page.waitForSelector('nav.side');
        // the dashboard: figures and charts drawn (uPlot paints canvases)
        await page.waitForSelector('.chart canvas');
        assert.ok((await page.$$('.chart canvas')).length >= 2, 'charts drawn');
        assert.ok((await page.$$('.figure')).length >= 3, 'figures shown');
        await snap(page, '03-dashboard');
        await page.selectOption('#board', 'events');
        await page.waitForFunction(() => location.hash.includes('board=events'));
        await page.waitForSelector('.chart canvas');
        await snap(page, '04-dashboard-events');
        // users: search the waitlisted one (the filter goes into the URL), open, promote
        await page.click('nav.side a[href="#/users"]');
        await page.waitForSelector('#q');
        await page.fill('#q', 'Waiting Person');
        await snap(page, '05a-users-typed');
        await page.click('form.filters button[type=submit]');
        await page.waitForFunction(() => location.hash.includes('search=Waiting'));
        await page.waitForSelector('tr.row');
        await page.reload(); // the filters survive a reload
        await page.waitForSelector('tr.row');
        assert.equal(await page.inputValue('#q'), 'Waiting Person');
        assert.equal((await page.$$('tr.row')).length, 1);
        await snap(page, '05-users');
        await page.click('tr.row');
        await page.waitForSelector('text=Promote from waitlist now');
        await snap(page, '06-user');
        await page.click('text=Promote from waitlist now');
        await page.waitForSelector('dialog[open]');
        await snap(page, '07-confirm-promote');
        await page.click('dialog button[type=submit]');
        await page.waitForSelector('.notice');
        await page.waitForSelector('.actions button:has-text("Promote from waitlist now")', { state: 'detached' });
        assert.equal(await dbQuery(server, `SELECT is_active FROM users WHERE id = ${waiting.id}`).then((v) => ['1', 't'].includes(v)), true);
        // an event: cancel it with a reason
        await page.goto(`${server.url}/admin#/events/${ev.id}`);
        await page.waitForSelector('text=Cancel event');
        await snap(page, '08-event');
        await page.click('text=Cancel event');
        await page.waitForSelector('dialog[open]');
        await page.click('dialog button[type=submit]'); // empty reason: the browser refuses the form
        assert.ok(await page.isVisible('dialog[open]'), 'a reason is required');
        await page.fill('dialog textarea', 'Venue unavailable');
        await page.click('dialog button[type=submit]');
        await page.waitForSelector('.notice');
        assert.equal(await dbQuery(server, `SELECT status FROM events WHERE id = ${ev.id}`), 'cancelled');
        // both in the audit trail, and one row's payload
        await page.goto(`${server.url}/admin#/audit?object_id=${ev.id}&object_type=event`);
        await page.waitForSelector('tr.row');
        assert.match(await page.textContent('table'), /event\.cancelled/);
        await snap(page, '09-audit');
        await page.click('tr.row');
        await page.waitForSelector('pre.payload');
        assert.match(await page.textContent('pre.payload'), /Venue unavailable/);
        await snap(page, '10-audit-row');
        await page.goto(`${server.url}/admin#/audit?action_prefix=account.waitlist`);
        await page.waitForSelector('tr.row');
        assert.match(await page.textContent('table'), /account\.waitlist\.promoted/);
        // an order: refund it in full
        await page.goto(`${server.url}/admin#/orders?search=${orderId}`);
        await page.waitForSelector('tr.row');
        await snap(page, '11a-orders');
        await page.click('tr.row');
        await page.waitForSelector('.actions button:has-text("Refund")');
        await snap(page, '11b-order');
        await page.click('.actions button:has-text("Refund")');
        await page.fill('dialog textarea', 'Buyer could not attend');
        await page.click('dialog button[type=submit]');
        await page.waitForSelector('.notice');
        assert.equal(await dbQuery(server, `SELECT refund_amount_minor FROM payment_orders WHERE order_id = '${orderId}'`), '11000');
        // a payout: pending -> approved -> processing -> completed
        await page.goto(`${server.url}/admin#/payouts/${payoutId}`);
        for (const [button, status, fill] of [['Approve', 'approved'], ['Mark processing', 'processing'], ['Mark completed', 'completed', 'UTR12345']]) {
            await page.waitForSelector(`.actions button:has-text("${button}")`);
            await page.click(`.actions button:has-text("${button}")`);
            await page.waitForSelector('dialog[open]');
            if (fill) await page.fill('dialog input', fill);
            await page.click('dialog button[type=submit]');
            await page.waitForSelector('.notice');
            assert.equal(await dbQuery(server, `SELECT status FROM host_payout_requests WHERE id = ${payoutId}`), status);
        }
        await snap(page, '11c-payout-completed');
        // the fee, as a superuser (password re-entered)
        await page.goto(`${server.url}/admin#/fee`);
        await page.click('.actions button:has-text("Change the fee")');
        await page.fill('#f-fee_percentage', '12.50');
        await page.fill('#f-password', PASSWORD);
        await page.click('dialog button[type=submit]');
        await page.waitForSelector('text=12.50%');
        await snap(page, '11d-fee-changed');
        // each of those in the audit trail
        await page.goto(`${server.url}/admin#/audit?actor_id=${su.id}`);
        await page.waitForSelector('tr.row');
        const trail = await page.textContent('table');
        for (const action of ['account.waitlist.promoted', 'event.cancelled', 'payment.refund', 'payout.approved',
            'payout.processing', 'payout.completed', 'platform.fee.changed', 'admin.signin'])
            assert.match(trail, new RegExp(action.replace(/\./g, '\\.')), action);
        assert.equal(await dbQuery(server, `SELECT count(*) FROM audit_log WHERE actor_user_id = ${su.id} AND action LIKE 'payout.%'`), '3');
        assert.equal(await dbQuery(server, `SELECT count(*) FROM audit_log WHERE actor_user_id = ${su.id} AND action = 'payment.refund'`), '1');
        await snap(page, '11e-audit-by-me');
        // every list page renders
        for (const p of ['events', 'orders', 'payouts', 'jobs', 'interests', 'leads', 'bank-accounts', 'notifications', 'fee']) {
            await page.goto(`${server.url}/admin#/${p}`);
            await page.waitForSelector(p === 'fee' ? 'text=The platform fee is' : 'table, .empty');
            await snap(page, `11-${p}`);
        }
        // sign out: back to the form, and the session is over
        await page.click('text=Sign out');
        await page.waitForSelector('form.signin');
        assert.equal(await dbQuery(server, `SELECT count(*) FROM staff_sessions WHERE user_id = ${su.id} AND revoked_at IS NULL`), '0');
        assert.deepEqual(outside, [], 'requests left the server');
        assert.deepEqual(errors, [], 'page errors');
    } finally {
        await context.close();
    }
});

test('plain staff see the fee but cannot change it', async () => {
    const { context, page, errors } = await open();
    try {
        await page.waitForSelector('form.signin');
        await signIn(page, staff.phone, PASSWORD);
        await page.waitForSelector('nav.side');
        await page.goto(`${server.url}/admin#/fee`);
        await page.waitForSelector('text=Only a superuser can change it.');
        assert.equal(await page.$('text=Change the fee'), null);
        await snap(page, '12-fee-staff');
        assert.deepEqual(errors, []);
    } finally {
        await context.close();
    }
});

test('the console page is locked down: CSP, no framing, nothing but its files', async () => {
    const res = await fetch(`${server.url}/admin`);
    assert.equal(res.status, 200);
    const csp = res.headers.get('content-security-policy');
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.match(csp, /frame-ancestors 'none'/);
    for (const f of ['app.js', 'app.css', 'standalone.module.js', 'uPlot.esm.js', 'uPlot.min.css'])
        assert.equal((await fetch(`${server.url}/admin/assets/${f}`)).status, 200, f);
    for (const f of ['../app.js', 'index.html', 'swagger-ui-bundle.js', 'nope.js'])
        assert.equal((await fetch(`${server.url}/admin/assets/${encodeURIComponent(f)}`)).status, 404, f);
});

test('interests, host leads and bank accounts: create, rename and deactivate an interest; mark a lead contacted; verify an account', async () => {
    const lead = await client.post('/api/hosts/become-a-host', { json: { first_name: 'Meera', last_name: 'Iyer', phone_number: nextPhone(), message: 'Rooftop gigs' } });
    assert.ok(lead.status < 300);
    const { context, page, errors } = await open();
    try {
        await page.waitForSelector('form.signin');
        await signIn(page, su.phone, PASSWORD);
        await page.waitForSelector('nav.side');
        await page.goto(`${server.url}/admin#/interests`);
        await page.click('.actions button:has-text("New interest")');
        await page.fill('dialog input', 'Pottery Nights');
        await page.click('dialog button[type=submit]');
        await page.goto(`${server.url}/admin#/interests?search=Pottery`);
        const row = page.locator('tr', { hasText: 'Pottery Nights' });
        await row.waitFor();
        await row.locator('button:has-text("Rename")').click();
        await page.fill('dialog input', 'Ceramics Nights');
        await page.click('dialog button[type=submit]');
        await page.goto(`${server.url}/admin#/interests?search=Ceramics`);
        const renamed = page.locator('tr', { hasText: 'Ceramics Nights' });
        await renamed.waitFor();
        assert.match(await renamed.textContent(), /pottery-nights/, 'the slug stays');
        await renamed.locator('button:has-text("Deactivate")').click();
        await page.click('dialog button[type=submit]');
        await page.waitForSelector('tr:has-text("Ceramics Nights") button:has-text("Activate")');
        await snap(page, '13-interests');
        assert.equal(await dbQuery(server, "SELECT is_active FROM event_interests WHERE slug = 'pottery-nights'").then((v) => ['0', 'f'].includes(v)), true);
        await page.goto(`${server.url}/admin#/leads?search=Meera`);
        const leadRow = page.locator('tr', { hasText: 'Rooftop gigs' });
        await leadRow.waitFor();
        await leadRow.locator('button:has-text("Mark contacted")').click();
        await page.fill('dialog textarea', 'Called on Monday');
        await page.click('dialog button[type=submit]');
        await page.waitForSelector('tr:has-text("Called on Monday")');
        await snap(page, '14-leads');
        // the host's bank account: verify it
        await page.goto(`${server.url}/admin#/bank-accounts`);
        const acct = page.locator('tr', { hasText: 'HDFC0001234' });
        await acct.waitFor();
        await acct.locator('button:has-text("Verify")').click();
        await page.click('dialog button[type=submit]');
        await page.waitForSelector('tr:has-text("HDFC0001234") button:has-text("Remove verification")');
        assert.equal(await dbQuery(server, "SELECT verified_by_id FROM bank_accounts WHERE ifsc_code = 'HDFC0001234'"), String(su.id));
        await snap(page, '15-bank-accounts');
        assert.deepEqual(errors, []);
    } finally {
        await context.close();
    }
});
