// lead_whatsapp.test.mjs: WhatsApp messages to host leads (issue 13 point 6,
// docs/notifications.md): staff queue a message, a job sends it through the
// SMS adapter family as a Twilio Content template ({{1}} first name, {{2}}
// the message), the lead is marked contacted and the delivery log shows the
// outcome; validation and who may. (The Twilio wire format is tested
// against a fake Twilio in tests/unit/test_auth_sms.c.) On both databases.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, summarize, dbQuery } from './lib/server.mjs';
import { assertErrorBody, assertValidationError } from './lib/expect.mjs';
import { startAccountsServer, phoneFactory, bearer } from './lib/accounts.mjs';
import { readOutbox } from './lib/otp.mjs';
import { newAccount } from './lib/events.mjs';
import { waitFor } from './lib/push.mjs';

const nextPhone = phoneFactory();
let server, client, staff, plain;
const as = (who) => ({ headers: bearer(who.token) });

before(async () => {
    server = await startAccountsServer({ env: { LOOPIN_TWILIO_CONTENT_SID: 'HXdefault0001', LOOPIN_JOBS_POLL_MS: '50' } });
    client = api(server);
    staff = await newAccount(server, client, nextPhone, { staff: true });
    plain = await newAccount(server, client, nextPhone);
});

after(async () => {
    await server?.stop();
});

async function newLead(first = 'Meera') {
    const phone = nextPhone();
    const res = await client.post('/api/hosts/become-a-host', { json: { first_name: first, last_name: 'Iyer', phone_number: phone, message: 'Rooftop gigs' } });
    assert.ok(res.status < 300, summarize(res));
    const list = await client.get(`/api/admin/host-leads?search=${encodeURIComponent(phone.slice(-6))}`, as(staff));
    return { ...list.json.data[0], phone };
}

test('a message is queued, sent as a Content template, logged; the lead is marked contacted', async () => {
    const lead = await newLead('Meera');
    assert.equal(lead.is_contacted, false);
    const text = 'Hosting on Loopin is free. Reply "yes" & we\'ll call.';
    const res = await client.post(`/api/admin/host-leads/${lead.id}/whatsapp`, { ...as(staff), json: { message: text } });
    assert.equal(res.status, 202, summarize(res));
    assert.equal(res.json.status, 'queued');
    assert.equal(res.json.content_sid, 'HXdefault0001');
    assert.equal(res.json.sent_by, staff.id);
    const log = await waitFor(async () => {
        const r = await client.get(`/api/admin/host-leads/${lead.id}/messages`, as(staff));
        return r.json.data[0]?.status === 'sent' && r.json;
    }, 'the message to be sent', 30000);
    assert.equal(log.lead.is_contacted, true);
    assert.match(log.data[0].provider_sid, /^MM[0-9a-f]{32}$/);
    assert.ok(log.data[0].sent_at);
    const sent = (await readOutbox(server.outbox)).filter((m) => m.channel === 'whatsapp' && m.to.endsWith(lead.phone_number.slice(-10)));
    assert.equal(sent.length, 1);
    assert.equal(sent[0].content_sid, 'HXdefault0001');
    assert.deepEqual(sent[0].variables, { 1: 'Meera', 2: text });

    const other = await client.post(`/api/admin/host-leads/${lead.id}/whatsapp`, { ...as(staff), json: { message: 'Second note', content_sid: 'HXother0002' } });
    assert.equal(other.json.content_sid, 'HXother0002');
    await waitFor(async () => (await client.get(`/api/admin/host-leads/${lead.id}/messages`, as(staff))).json.data.every((m) => m.status === 'sent'), 'both sent');
    const both = (await client.get(`/api/admin/host-leads/${lead.id}/messages`, as(staff))).json.data;
    assert.deepEqual(both.map((m) => m.message), ['Second note', text], 'newest first');
    assert.equal(await dbQuery(server, `SELECT count(*) FROM audit_log WHERE action = 'host_lead.whatsapp_queued' AND object_id = ${lead.id}`), '2');
});

test('bad input, an unknown lead, staff only', async () => {
    const lead = await newLead('Ravi');
    const send = (json, who = staff, id = lead.id) => client.post(`/api/admin/host-leads/${id}/whatsapp`, { ...as(who), json });
    assertValidationError(await send({}), { loc: ['body', 'message'] });
    assertValidationError(await send({ message: '   ' }), { loc: ['body', 'message'] });
    assertValidationError(await send({ message: 'x'.repeat(1001) }), { loc: ['body', 'message'] });
    assertValidationError(await send({ message: 'hi', content_sid: 'HX; DROP' }), { loc: ['body', 'content_sid'] });
    assertErrorBody(await send({ message: 'hi' }, staff, 99999999), 404, 'LEAD_NOT_FOUND');
    assertErrorBody(await client.get('/api/admin/host-leads/99999999/messages', as(staff)), 404, 'LEAD_NOT_FOUND');
    assertErrorBody(await send({ message: 'hi' }, plain), 403, 'ADMIN_REQUIRED');
    assertErrorBody(await client.get(`/api/admin/host-leads/${lead.id}/messages`, as(plain)), 403, 'ADMIN_REQUIRED');
    assert.equal((await client.get(`/api/admin/host-leads/${lead.id}/messages`, as(staff))).json.data.length, 0);
});

test('no Content template configured or given: 422', async () => {
    const bare = await startAccountsServer();
    try {
        const c = api(bare);
        const boss = await newAccount(bare, c, nextPhone, { staff: true });
        const phone = nextPhone();
        await c.post('/api/hosts/become-a-host', { json: { first_name: 'Anu', last_name: 'Rao', phone_number: phone, message: '' } });
        const lead = (await c.get('/api/admin/host-leads', as(boss))).json.data[0];
        assertValidationError(await c.post(`/api/admin/host-leads/${lead.id}/whatsapp`, { ...as(boss), json: { message: 'hi' } }), { loc: ['body', 'content_sid'] });
    } finally {
        await bare.stop();
    }
});
