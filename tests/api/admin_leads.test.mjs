// admin_leads.test.mjs: host leads and bank accounts in the admin API (issue
// 12 point 2; src/admin/leads_api.c, docs/admin.md): the leads list and
// marking them contacted / converted with notes; the bank accounts list with
// the number masked, and staff verification recorded with who and when.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, dbQuery, summarize } from './lib/server.mjs';
import { assertErrorBody, assertValidationError } from './lib/expect.mjs';
import { startAccountsServer, phoneFactory, bearer } from './lib/accounts.mjs';
import { newAccount } from './lib/events.mjs';

const nextPhone = phoneFactory();
let server, client, staff, host, leadId, accountId;
const NUMBER = '501234567890';

before(async () => {
    server = await startAccountsServer();
    client = api(server);
    staff = await newAccount(server, client, nextPhone, { staff: true });
    host = await newAccount(server, client, nextPhone, { name: 'Host Person' });
    const lead = await client.post('/api/hosts/become-a-host', { json: { first_name: 'Meera', last_name: 'Iyer', phone_number: nextPhone(), message: 'Rooftop gigs' } });
    assert.ok(lead.status < 300, summarize(lead));
    leadId = lead.json.data?.id ?? lead.json.id;
    const acct = await client.post('/api/payouts/bank-accounts', { headers: bearer(host.token), json: {
        bank_name: 'State Bank of India', account_number: NUMBER, ifsc_code: 'SBIN0001234', account_holder_name: 'Host Person', is_primary: true } });
    assert.ok(acct.status < 300, summarize(acct));
    accountId = acct.json.data?.id ?? acct.json.id;
});

after(async () => {
    await server?.stop();
});

const as = (who) => ({ headers: bearer(who.token) });

test('who may: staff only', async () => {
    assertErrorBody(await client.get('/api/admin/host-leads', as(host)), 403, 'ADMIN_REQUIRED');
    assertErrorBody(await client.get('/api/admin/bank-accounts', as(host)), 403, 'ADMIN_REQUIRED');
    assertErrorBody(await client.post(`/api/admin/bank-accounts/${accountId}/verify`, { ...as(host), json: {} }), 403, 'ADMIN_REQUIRED');
});

test('host leads: search, mark contacted then converted with notes, filter by it; audited', async () => {
    const found = await client.get('/api/admin/host-leads?search=meera%20iy', as(staff));
    assert.equal(found.status, 200, summarize(found));
    assert.deepEqual(found.json.data.map((l) => l.id), [leadId]);
    assert.equal(found.json.data[0].message, 'Rooftop gigs');
    const c = await client.patch(`/api/admin/host-leads/${leadId}`, { ...as(staff), json: { is_contacted: true, notes: 'Called, wants a call back Monday' } });
    assert.equal(c.status, 200, summarize(c));
    assert.equal(c.json.is_contacted, true);
    assert.equal(c.json.is_converted, false);
    const v = await client.patch(`/api/admin/host-leads/${leadId}`, { ...as(staff), json: { is_converted: true } });
    assert.equal(v.json.is_converted, true);
    assert.equal(v.json.notes, 'Called, wants a call back Monday', 'notes kept when not sent');
    assert.equal((await client.get('/api/admin/host-leads?is_converted=true', as(staff))).json.total, 1);
    assert.equal((await client.get('/api/admin/host-leads?is_contacted=false', as(staff))).json.total, 0);
    assert.equal(await dbQuery(server, `SELECT count(*) FROM audit_log WHERE action = 'host_lead.updated' AND object_id = ${leadId}`), '2');
    assertErrorBody(await client.patch(`/api/admin/host-leads/${leadId}`, { ...as(staff), json: {} }), 400, 'NOTHING_TO_CHANGE');
    assertErrorBody(await client.patch('/api/admin/host-leads/99999999', { ...as(staff), json: { is_contacted: true } }), 404, 'LEAD_NOT_FOUND');
    assertValidationError(await client.patch(`/api/admin/host-leads/${leadId}`, { ...as(staff), json: { notes: 'x'.repeat(2001) } }), { loc: ['body', 'notes'] });
    const csv = await client.get('/api/admin/host-leads?format=csv', as(staff));
    assert.match(csv.text, /Rooftop gigs/);
});

test('bank accounts: the number masked everywhere; verification records who and when, and can be taken back', async () => {
    const list = await client.get(`/api/admin/bank-accounts?host_id=${host.id}`, as(staff));
    assert.equal(list.status, 200, summarize(list));
    assert.equal(list.json.total, 1);
    const a = list.json.data[0];
    assert.equal(a.account_number_masked, 'XXXXXXXX7890');
    assert.equal(a.is_verified, false);
    assert.ok(!JSON.stringify(list.json).includes(NUMBER));
    const csv = await client.get(`/api/admin/bank-accounts?host_id=${host.id}&format=csv`, as(staff));
    assert.ok(!csv.text.includes(NUMBER));
    const ok = await client.post(`/api/admin/bank-accounts/${accountId}/verify`, { ...as(staff), json: {} });
    assert.equal(ok.status, 200, summarize(ok));
    assert.equal(ok.json.is_verified, true);
    assert.equal(ok.json.verified_by_id, staff.id);
    assert.ok(ok.json.verified_at);
    assert.equal((await client.get('/api/admin/bank-accounts?is_verified=true', as(staff))).json.total, 1);
    const back = await client.post(`/api/admin/bank-accounts/${accountId}/verify`, { ...as(staff), json: { is_verified: false } });
    assert.equal(back.json.is_verified, false);
    assert.equal(back.json.verified_at, null);
    assert.equal(await dbQuery(server, `SELECT action FROM audit_log WHERE object_type = 'bank_account' AND object_id = ${accountId} AND actor_user_id = ${staff.id} ORDER BY id`), 'bank_account.verified\nbank_account.unverified');
    assertErrorBody(await client.post('/api/admin/bank-accounts/99999999/verify', { ...as(staff), json: {} }), 404, 'BANK_ACCOUNT_NOT_FOUND');
});
