// campaigns.test.mjs: notification campaigns (issue 13 point 5,
// docs/notifications.md): templates with {{var}} placeholders, versioned and
// locked once used; campaigns with an audience rule document, a preview
// count before sending, scheduling, cancelling, the delivery log; the kill
// switch; validation. On both databases.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, summarize, dbQuery } from './lib/server.mjs';
import { assertErrorBody, assertValidationError } from './lib/expect.mjs';
import { startAccountsServer, phoneFactory, bearer } from './lib/accounts.mjs';
import { newAccount } from './lib/events.mjs';
import { makePushOutbox, readPushes, waitFor } from './lib/push.mjs';

const nextPhone = phoneFactory();
let server, client, outbox, staff, plain, people;
const as = (who) => ({ headers: bearer(who.token) });
const city = `Campaignville ${process.pid}`;

before(async () => {
    outbox = await makePushOutbox();
    server = await startAccountsServer({ env: { ...outbox.env, LOOPIN_CAMPAIGN_BATCH_SIZE: '2' } });
    client = api(server);
    staff = await newAccount(server, client, nextPhone, { staff: true, name: 'Staff Sam' });
    plain = await newAccount(server, client, nextPhone);
    people = [];
    for (let i = 0; i < 5; i++) {
        const p = await newAccount(server, client, nextPhone, { name: `Person ${"ABCDE"[i]}` });
        people.push(p);
        if (i < 4) {
            const dev = await client.post('/api/notifications/devices/register', {
                ...as(p),
                json: { onesignal_player_id: `camp-${server.port}-${i}`, platform: 'android' },
            });
            assert.equal(dev.status, 200, summarize(dev));
        }
        // Three of them in the campaign's city; person 4 has no device.
        if (i < 3 || i === 4) await dbQuery(server, `UPDATE user_profiles SET location = '${city}' WHERE user_id = ${p.id}`);
    }
    // Promotions are opt-in (API.md 14.10): persons 0 and 1 opt in.
    for (const p of people.slice(0, 2))
        await client.put('/api/notifications/preferences', { ...as(p), json: { preferences: { promotional: true } } });
});

after(async () => {
    await server?.stop();
    await outbox?.remove();
});

const inCity = { all: [{ field: 'location', op: '=', value: city }] };

async function newTemplate(body = {}) {
    const res = await client.post('/api/admin/campaign-templates', {
        ...as(staff),
        json: { name: `Offer ${Math.random()}`, title: 'Hi {{name}}', body: '{{offer}} this weekend in {{ city }}.', ...body },
    });
    assert.equal(res.status, 201, summarize(res));
    return res.json;
}

test('templates: placeholders found, bad ones refused, a used version is locked and the edit makes version 2', async () => {
    const t = await newTemplate();
    assert.equal(t.latest.version, 1);
    assert.deepEqual(t.latest.variables, ['name', 'offer', 'city']);
    assert.equal(t.latest.locked, false);
    assertValidationError(
        await client.post('/api/admin/campaign-templates', { ...as(staff), json: { name: 'Bad', title: 'Hi {{Name}}', body: 'x' } }),
        { loc: ['body', 'title'] },
    );
    assertValidationError(
        await client.post('/api/admin/campaign-templates', { ...as(staff), json: { name: 'Bad', title: 'Hi', body: 'x }} y' } }),
        { loc: ['body', 'body'] },
    );
    assertErrorBody(await client.post('/api/admin/campaign-templates', { ...as(staff), json: { name: t.name, title: 'a', body: 'b' } }), 409, 'TEMPLATE_EXISTS');
    // Unused: edited in place.
    const edited = await client.patch(`/api/admin/campaign-templates/${t.id}`, { ...as(staff), json: { body: '{{offer}} in {{city}}!' } });
    assert.equal(edited.status, 200, summarize(edited));
    assert.equal(edited.json.versions.length, 1);
    // Used by a campaign: locked; the next edit is version 2.
    const c = await client.post('/api/admin/campaigns', {
        ...as(staff),
        json: { name: 'Lock', template_id: t.id, variables: { offer: '2 for 1', city: 'Pune' }, audience: inCity },
    });
    assert.equal(c.status, 201, summarize(c));
    const v2 = await client.patch(`/api/admin/campaign-templates/${t.id}`, { ...as(staff), json: { title: 'Hello {{name}}' } });
    assert.equal(v2.json.latest.version, 2);
    assert.equal(v2.json.versions[1].locked, true);
    assert.equal(v2.json.versions[1].title, 'Hi {{name}}');
    const still = await client.get(`/api/admin/campaigns/${c.json.id}`, as(staff));
    assert.equal(still.json.template.version, 1, 'the campaign keeps the text it was made with');
    const list = await client.get(`/api/admin/campaign-templates?search=${encodeURIComponent(t.name)}`, as(staff));
    assert.equal(list.json.total, 1);
    assert.equal(list.json.data[0].version, 2);
    assert.equal(list.json.data[0].campaigns, 1);
});

test('a campaign: validated, previewed, sent in batches, exactly once per recipient, logged', async () => {
    const t = await newTemplate();
    const create = (json) => client.post('/api/admin/campaigns', { ...as(staff), json });
    const base = { name: 'Weekend', template_id: t.id, variables: { offer: 'Half price', city: 'Goa' }, audience: inCity };
    assertValidationError(await create({ ...base, variables: { offer: 'x' } }), { loc: ['body', 'variables'] });
    assertValidationError(await create({ ...base, variables: { ...base.variables, extra: 'x' } }), { loc: ['body', 'variables'] });
    assertValidationError(await create({ ...base, variables: { ...base.variables, name: 'x' } }), { loc: ['body', 'variables'] });
    assertValidationError(await create({ ...base, audience: { all: [{ field: 'password', op: '=', value: 'x' }] } }), {});
    assertValidationError(await create({ ...base, audience: { all: [{ field: 'location', op: 'like', value: 'x' }] } }), {});
    assertValidationError(await create({ ...base, audience: { all: [{ field: 'is_verified', op: '=', value: 'yes' }] } }), {});
    assertValidationError(await create({ ...base, audience: [] }), { loc: ['body', 'audience'] });
    assertValidationError(await create({ ...base, notification_type: 'payment_success' }), { loc: ['body', 'notification_type'] });
    assertValidationError(await create({ ...base, template_id: 99999999 }), { loc: ['body', 'template_id'] });

    const res = await create(base);
    assert.equal(res.status, 201, summarize(res));
    const id = res.json.id;
    assert.equal(res.json.state, 'draft');
    assert.equal(res.json.notification_type, 'promotional');
    assertErrorBody(await client.post(`/api/admin/campaigns/${id}/send`, as(staff)), 409, 'PREVIEW_REQUIRED');

    // The live count: people in the city with a device and promotions on.
    const live = await client.post('/api/admin/campaigns/audience-count', { ...as(staff), json: { audience: inCity } });
    assert.equal(live.status, 200, summarize(live));
    assert.equal(live.json.count, 2);
    const sys = await client.post('/api/admin/campaigns/audience-count', { ...as(staff), json: { audience: inCity, notification_type: 'system' } });
    assert.equal(sys.json.count, 3, 'system messages are on by default; person 4 has no device');

    const pre = await client.post(`/api/admin/campaigns/${id}/preview`, as(staff));
    assert.equal(pre.status, 200, summarize(pre));
    assert.equal(pre.json.state, 'previewed');
    assert.equal(pre.json.preview_count, 2);
    // Editing after the preview sends it back to draft.
    const edit = await client.patch(`/api/admin/campaigns/${id}`, { ...as(staff), json: { notification_type: 'system' } });
    assert.equal(edit.json.state, 'draft');
    assert.equal(edit.json.preview_count, null);
    assert.equal((await client.post(`/api/admin/campaigns/${id}/preview`, as(staff))).json.preview_count, 3);

    const sent = await client.post(`/api/admin/campaigns/${id}/send`, as(staff));
    assert.equal(sent.status, 200, summarize(sent));
    assert.equal(sent.json.state, 'scheduled');
    assertErrorBody(await client.post(`/api/admin/campaigns/${id}/send`, as(staff)), 409, 'CAMPAIGN_STATE');
    const done = await waitFor(async () => {
        const r = await client.get(`/api/admin/campaigns/${id}`, as(staff));
        return r.json.state === 'sent' && r.json;
    }, 'the campaign to be sent');
    assert.equal(done.recipients, 3);
    assert.deepEqual(done.progress, { sent: 3, pending: 0, skipped: 0 });

    await waitFor(async () => (await dbQuery(server, "SELECT count(*) FROM jobs WHERE kind = 'push_deliver' AND status IN ('pending', 'running')")) === '0', 'pushes');
    const pushes = (await readPushes(outbox)).filter((p) => p.data.campaign_id === id);
    assert.equal(pushes.length, 3);
    assert.deepEqual(pushes.map((p) => p.title).sort(), ['Hi Person A', 'Hi Person B', 'Hi Person C']);
    assert.ok(pushes.every((p) => p.body === 'Half price this weekend in Goa.'));
    const inboxRow = (await client.get('/api/notifications', as(people[2]))).json.data.find((n) => n.reference_type === 'campaign');
    assert.equal(inboxRow.title, 'Hi Person C');
    assert.equal(inboxRow.type, 'system');

    const log = await client.get(`/api/admin/campaign-executions?campaign_id=${id}`, as(staff));
    assert.equal(log.status, 200, summarize(log));
    assert.equal(log.json.total, 3);
    assert.ok(log.json.data.every((e) => e.status === 'sent' && e.push_status === 'sent'));
    assert.deepEqual(log.json.data.map((e) => e.batch).sort(), [0, 0, 1], 'batches of LOOPIN_CAMPAIGN_BATCH_SIZE');
    const csv = await client.get(`/api/admin/campaign-executions?campaign_id=${id}&format=csv`, as(staff));
    assert.equal(csv.status, 200);
    assert.equal(csv.text.trim().split('\n').length, 4);
    assertValidationError(await client.get('/api/admin/campaign-executions', as(staff)), { loc: ['query', 'campaign_id'] });
    const audit = await dbQuery(server, `SELECT count(*) FROM audit_log WHERE object_type = 'campaign' AND object_id = ${id}`);
    assert.ok(Number(audit) >= 4, 'created, previewed, updated, scheduled');
});

test('a promotional campaign reaches, as push, exactly those who opted in', async () => {
    const t = await newTemplate();
    const c = (await client.post('/api/admin/campaigns', {
        ...as(staff),
        json: { name: 'Promo', template_id: t.id, variables: { offer: 'Free entry', city: 'Delhi' }, audience: inCity },
    })).json;
    assert.equal((await client.post(`/api/admin/campaigns/${c.id}/preview`, as(staff))).json.preview_count, 2);
    assert.equal((await client.post(`/api/admin/campaigns/${c.id}/send`, as(staff))).status, 200);
    await waitFor(async () => (await client.get(`/api/admin/campaigns/${c.id}`, as(staff))).json.state === 'sent', 'sent');
    await waitFor(async () => (await readPushes(outbox)).filter((p) => p.data.campaign_id === c.id).length === 2, 'two pushes');
    const players = (await readPushes(outbox)).filter((p) => p.data.campaign_id === c.id).flatMap((p) => p.player_ids).sort();
    assert.deepEqual(players, [`camp-${server.port}-0`, `camp-${server.port}-1`]);
});

test('scheduled for later, then cancelled: nobody is reached; states refuse wrong moves', async () => {
    const t = await newTemplate();
    const c = (await client.post('/api/admin/campaigns', {
        ...as(staff),
        json: { name: 'Later', template_id: t.id, variables: { offer: 'x', city: 'y' }, audience: inCity, notification_type: 'system' },
    })).json;
    await client.post(`/api/admin/campaigns/${c.id}/preview`, as(staff));
    const when = new Date(Date.now() + 3600e3).toISOString();
    const s = await client.post(`/api/admin/campaigns/${c.id}/send`, { ...as(staff), json: { scheduled_at: when } });
    assert.equal(s.json.state, 'scheduled');
    assertValidationError(await client.post(`/api/admin/campaigns/${c.id}/send`, { ...as(staff), json: { scheduled_at: 'tomorrow' } }), { loc: ['body', 'scheduled_at'] });
    const x = await client.post(`/api/admin/campaigns/${c.id}/cancel`, as(staff));
    assert.equal(x.json.state, 'cancelled');
    assertErrorBody(await client.post(`/api/admin/campaigns/${c.id}/cancel`, as(staff)), 409, 'CAMPAIGN_STATE');
    assertErrorBody(await client.patch(`/api/admin/campaigns/${c.id}`, { ...as(staff), json: { name: 'z' } }), 409, 'CAMPAIGN_STATE');
    await client.post('/_test/clock', { json: { advance_seconds: 3700 } });
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await dbQuery(server, `SELECT count(*) FROM campaign_executions WHERE campaign_id = ${c.id}`), '0');
    assert.equal((await client.get(`/api/admin/campaigns/${c.id}`, as(staff))).json.state, 'cancelled');
    assertErrorBody(await client.get('/api/admin/campaigns/99999999', as(staff)), 404, 'CAMPAIGN_NOT_FOUND');
    const listed = await client.get('/api/admin/campaigns?state=cancelled', as(staff));
    assert.ok(listed.json.data.some((r) => r.id === c.id));
});

test('staff only', async () => {
    assertErrorBody(await client.get('/api/admin/campaigns', as(plain)), 403, 'ADMIN_REQUIRED');
    assertErrorBody(await client.post('/api/admin/campaigns/audience-count', { ...as(plain), json: { audience: inCity } }), 403, 'ADMIN_REQUIRED');
});

test('the kill switch: flipped by staff, no campaign is sent or starts; LOOPIN_DISABLE_CAMPAIGNS likewise', async () => {
    const t = await newTemplate();
    const c = (await client.post('/api/admin/campaigns', {
        ...as(staff),
        json: { name: 'Stopped', template_id: t.id, variables: { offer: 'x', city: 'y' }, audience: inCity, notification_type: 'system' },
    })).json;
    await client.post(`/api/admin/campaigns/${c.id}/preview`, as(staff));
    const later = new Date(Date.now() + 7200e3).toISOString();
    assert.equal((await client.post(`/api/admin/campaigns/${c.id}/send`, { ...as(staff), json: { scheduled_at: later } })).json.state, 'scheduled');
    assertValidationError(await client.put('/api/admin/campaigns/kill-switch', { ...as(staff), json: { stopped: 'yes' } }), { loc: ['body', 'stopped'] });
    const on = await client.put('/api/admin/campaigns/kill-switch', { ...as(staff), json: { stopped: true } });
    assert.equal(on.status, 200, summarize(on));
    assert.equal(on.json.stopped, true);
    assert.equal(on.json.by_environment, false);
    // A scheduled campaign whose time comes fails instead of starting.
    await client.post('/_test/clock', { json: { advance_seconds: 7300 } });
    const failed = await waitFor(async () => {
        const r = (await client.get(`/api/admin/campaigns/${c.id}`, as(staff))).json;
        return r.state === 'failed' && r;
    }, 'the scheduled campaign to fail');
    assert.match(failed.failure_reason, /kill switch/);
    assert.equal(failed.recipients, 0);
    // And nothing new is sent.
    const d = (await client.post('/api/admin/campaigns', {
        ...as(staff),
        json: { name: 'Refused', template_id: t.id, variables: { offer: 'x', city: 'y' }, audience: inCity, notification_type: 'system' },
    })).json;
    await client.post(`/api/admin/campaigns/${d.id}/preview`, as(staff));
    assertErrorBody(await client.post(`/api/admin/campaigns/${d.id}/send`, as(staff)), 503, 'CAMPAIGNS_DISABLED');
    const off = await client.put('/api/admin/campaigns/kill-switch', { ...as(staff), json: { stopped: false } });
    assert.equal(off.json.stopped, false);
    assert.equal((await client.get('/api/admin/campaigns/kill-switch', as(staff))).json.stopped, false);

    const envOff = await startAccountsServer({ env: { LOOPIN_DISABLE_CAMPAIGNS: '1' } });
    try {
        const c2 = api(envOff);
        const boss = await newAccount(envOff, c2, nextPhone, { staff: true });
        const sw = await c2.get('/api/admin/campaigns/kill-switch', as(boss));
        assert.deepEqual([sw.json.stopped, sw.json.by_environment], [true, true]);
    } finally {
        await envOff.stop();
    }
});
