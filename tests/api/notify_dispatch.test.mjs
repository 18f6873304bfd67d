// notify_dispatch.test.mjs: the dispatcher and the transactional templates
// (issue 13 points 2 and 3, docs/notifications.md): every notification is
// an in-app row with the template's exact text, and a push to the
// recipient's active devices through the jobs table when their preference
// allows it, once per notification; on both databases.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, summarize, dbQuery } from './lib/server.mjs';
import { startAccountsServer, phoneFactory, bearer } from './lib/accounts.mjs';
import { newAccount, createEvent, tag, putEvent, insertAttendee } from './lib/events.mjs';
import { makePushOutbox, readPushes, waitFor } from './lib/push.mjs';

const nextPhone = phoneFactory();
let server, client, outbox, host, guest, quiet;

before(async () => {
    outbox = await makePushOutbox();
    server = await startAccountsServer({ env: outbox.env });
    client = api(server);
    host = await newAccount(server, client, nextPhone, { name: 'Hema Host' });
    guest = await newAccount(server, client, nextPhone, { name: 'Gita Guest' });
    quiet = await newAccount(server, client, nextPhone, { name: 'Quiet Person' });
    for (const [who, player] of [[host, 'player-host'], [guest, 'player-guest'], [quiet, 'player-quiet']]) {
        const res = await client.post('/api/notifications/devices/register', {
            headers: bearer(who.token),
            json: { onesignal_player_id: `${player}-${server.port}`, platform: 'android' },
        });
        assert.equal(res.status, 200, summarize(res));
        who.player = `${player}-${server.port}`;
    }
});

after(async () => {
    await server?.stop();
    await outbox?.remove();
});

const inbox = async (who) => (await client.get('/api/notifications?limit=100', { headers: bearer(who.token) })).json.data;
const latest = async (who, template) => (await inbox(who)).find((n) => n.metadata.template === template);

// The push sent for an in-app row (matched by its uuid, the idempotency key).
const pushFor = (n) => waitFor(async () => (await readPushes(outbox)).find((p) => p.key === n.uuid), `the push for ${n.title}`);

test('a join request, accepted: the host and the guest get the templates\' words, in-app and as push', async () => {
    const title = `Dispatch ${tag()}`;
    const ev = await createEvent(client, host.token, { title, status: 'published' });
    const created = await latest(host, 'event_created');
    assert.equal(created.title, 'Event Created Successfully');
    assert.equal(created.message, `Your event '${title}' has been created successfully.`);
    assert.equal(created.type, 'event_update');
    assert.equal(created.metadata.target_screen, 'event_detail');

    const req = await client.post(`/api/events/${ev.id}/requests`, { headers: bearer(guest.token), json: {} });
    assert.equal(req.status, 201, summarize(req));
    const asked = await latest(host, 'new_join_request');
    assert.equal(asked.title, 'New Request!');
    assert.equal(asked.message, `Gita Guest wants to join ${title}. Tap to approve.`);
    assert.equal(asked.type, 'event_request');
    assert.equal(asked.reference_type, 'event_request');
    const push = await pushFor(asked);
    assert.deepEqual(push.player_ids, [host.player]);
    assert.equal(push.title, asked.title);
    assert.equal(push.body, asked.message);
    assert.equal(push.data.notification_id, asked.id);
    assert.equal(push.data.type, 'event_request');
    assert.equal(push.data.target_screen, 'event_detail');
    assert.equal(push.data.event_id, ev.id);

    const ok = await client.put(`/api/events/${ev.id}/requests/${req.json.id}/accept`, { headers: bearer(host.token), json: {} });
    assert.equal(ok.status, 200, summarize(ok));
    const approved = await latest(guest, 'request_approved');
    assert.equal(approved.title, 'Request Accepted!');
    assert.equal(approved.message, `You're approved for ${title} by Hema Host.`);
    assert.deepEqual((await pushFor(approved)).player_ids, [guest.player]);
});

test('declined, an invitation, a cancelled event: each template, each recipient once', async () => {
    const title = `Templates ${tag()}`;
    const ev = await createEvent(client, host.token, { title, status: 'published' });
    const req = await client.post(`/api/events/${ev.id}/requests`, { headers: bearer(quiet.token), json: {} });
    const no = await client.put(`/api/events/${ev.id}/requests/${req.json.id}/decline`, { headers: bearer(host.token), json: {} });
    assert.equal(no.status, 200, summarize(no));
    const declined = await latest(quiet, 'request_declined');
    assert.equal(declined.title, 'Event Request Declined');
    assert.equal(declined.message, `Your request to join '${title}' has been declined.`);

    const ev2 = await createEvent(client, host.token, { title: `${title} II`, status: 'published' });
    const inv = await client.post(`/api/events/${ev2.id}/invitations`, {
        headers: bearer(host.token),
        json: { user_ids: [guest.id], message: 'Come along!' },
    });
    assert.ok(inv.status < 300, summarize(inv));
    const invited = await latest(guest, 'event_invite');
    assert.equal(invited.title, "You're Invited!");
    assert.equal(invited.message, `Hema Host sent you a private invite to ${title} II.`);
    assert.equal(invited.metadata.message, 'Come along!');

    // Going, then the host cancels: the attendee is told with the template.
    await insertAttendee(server, ev2.id, quiet.id);
    const cancel = await putEvent(client, ev2.id, host.token, { status: 'cancelled' });
    assert.equal(cancel.status, 200, summarize(cancel));
    const gone = (await inbox(quiet)).filter((n) => n.metadata.template === 'event_cancelled' && n.metadata.event_id === ev2.id);
    assert.equal(gone.length, 1);
    assert.equal(gone[0].title, 'Event Cancelled');
    assert.equal(gone[0].message, `The event '${title} II' has been cancelled.`);
    await pushFor(gone[0]);
});

test('a newly published event is announced once to the host\'s past guests, not to others', async () => {
    const stranger = await newAccount(server, client, nextPhone, { name: 'Stranger Danger' });
    const past = await createEvent(client, host.token, { title: `Past ${tag()}`, status: 'published' });
    await insertAttendee(server, past.id, guest.id);
    const title = `Live ${tag()}`;
    const draft = await createEvent(client, host.token, { title, status: 'draft' });
    assert.equal((await putEvent(client, draft.id, host.token, { status: 'published' })).status, 200);
    const live = await waitFor(async () => (await inbox(guest)).find((n) => n.metadata.template === 'event_live' && n.metadata.event_id === draft.id), 'the announcement');
    assert.equal(live.title, 'New Event Alert!');
    assert.equal(live.message, `${title} by Hema Host is live. Request your spot!`);
    await pushFor(live);
    // Unpublished and published again: still once.
    assert.equal((await putEvent(client, draft.id, host.token, { is_public: false })).status, 200);
    assert.equal((await putEvent(client, draft.id, host.token, { is_public: true })).status, 200);
    await waitFor(async () => (await dbQuery(server, "SELECT count(*) FROM jobs WHERE kind = 'event_live' AND status IN ('pending', 'running')")) === '0', 'the job');
    assert.equal((await inbox(guest)).filter((n) => n.metadata.template === 'event_live' && n.metadata.event_id === draft.id).length, 1);
    assert.equal((await inbox(stranger)).filter((n) => n.metadata.template === 'event_live').length, 0, 'not a past guest');
    assert.equal((await inbox(host)).filter((n) => n.metadata.template === 'event_live').length, 0, 'not the host');
});

test('completing a profile: "Profile Completed", once', async () => {
    const fresh = await newAccount(server, client, nextPhone, { name: 'Fresh Face' });
    const rows = (await inbox(fresh)).filter((n) => n.metadata.template === 'profile_completed');
    assert.equal(rows.length, 1);
    assert.equal(rows[0].title, 'Profile Completed');
    assert.equal(rows[0].message, 'Congratulations! Your profile has been completed successfully.');
    assert.equal(rows[0].type, 'system');
});

test('preferences decide the push; the in-app row is always written', async () => {
    const off = await client.put('/api/notifications/preferences', {
        headers: bearer(host.token),
        json: { preferences: { event_request: false } },
    });
    assert.equal(off.status, 200, summarize(off));
    const ev = await createEvent(client, host.token, { title: `Prefs ${tag()}`, status: 'published' });
    const req = await client.post(`/api/events/${ev.id}/requests`, { headers: bearer(quiet.token), json: {} });
    assert.equal(req.status, 201, summarize(req));
    const asked = (await inbox(host)).find((n) => n.metadata.template === 'new_join_request' && n.metadata.event_id === ev.id);
    assert.ok(asked, 'the in-app row is written');
    // The event_created push, queued before the request, shows the queue ran.
    const created = (await inbox(host)).find((n) => n.metadata.template === 'event_created' && n.metadata.event_id === ev.id);
    await pushFor(created);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await readPushes(outbox)).filter((p) => p.key === asked.uuid).length, 0, 'no push for a type switched off');
    await client.put('/api/notifications/preferences', { headers: bearer(host.token), json: { preferences: { event_request: true } } });
});

test('no device, a deactivated device: no push; promotional is off by default', async () => {
    const lonely = await newAccount(server, client, nextPhone, { name: 'No Device' });
    const ev = await createEvent(client, lonely.token, { title: `Lonely ${tag()}`, status: 'published' });
    const created = (await inbox(lonely)).find((n) => n.metadata.template === 'event_created');
    assert.ok(created);
    const del = await client.del(`/api/notifications/devices/${quiet.player}`, { headers: bearer(quiet.token) });
    assert.equal(del.status, 200, summarize(del));
    const req = await client.post(`/api/events/${ev.id}/requests`, { headers: bearer(quiet.token), json: {} });
    await client.put(`/api/events/${ev.id}/requests/${req.json.id}/decline`, { headers: bearer(lonely.token), json: {} });
    assert.ok(await latest(quiet, 'request_declined'));
    await waitFor(async () => (await dbQuery(server, "SELECT count(*) FROM jobs WHERE kind = 'push_deliver' AND status IN ('pending', 'running')")) === '0', 'the queue drained');
    const pushes = await readPushes(outbox);
    assert.ok(!pushes.some((p) => p.key === created.uuid), 'no push without a device');
    assert.ok(!pushes.some((p) => p.player_ids.includes(quiet.player) && p.title === 'Event Request Declined' && p.body.includes('Lonely')), 'none to a deactivated device');
    await client.post('/api/notifications/devices/register', { headers: bearer(quiet.token), json: { onesignal_player_id: quiet.player, platform: 'android' } });
});

test('every push was sent once, and each is recorded as sent', async () => {
    await waitFor(async () => (await dbQuery(server, "SELECT count(*) FROM jobs WHERE kind = 'push_deliver' AND status IN ('pending', 'running')")) === '0', 'the queue drained');
    const pushes = await readPushes(outbox);
    const keys = pushes.map((p) => p.key);
    assert.equal(new Set(keys).size, keys.length, 'no key twice in the outbox');
    const sent = Number(await dbQuery(server, "SELECT count(*) FROM notification_deliveries WHERE status = 'sent'"));
    assert.equal(sent, pushes.length);
    assert.equal(await dbQuery(server, "SELECT count(*) FROM jobs WHERE kind = 'push_deliver' AND status = 'dead'"), '0');
});

test('retention: in-app rows and delivery rows older than 30 days are purged (last: it moves the clock)', async () => {
    const count = async (table) => Number(await dbQuery(server, `SELECT count(*) FROM ${table}`));
    assert.ok((await count('notification_deliveries')) > 0);
    assert.ok((await count('notifications')) > 0);
    const runs = async () => Number(await dbQuery(server, "SELECT count(*) FROM jobs WHERE kind = 'purge_expired' AND status = 'done'"));
    const before = await runs();
    assert.equal((await client.post('/_test/clock', { json: { advance_seconds: 31 * 86400 } })).status, 200);
    await waitFor(async () => (await runs()) > before, 'the purge job to run', 30000);
    assert.equal(await count('notification_deliveries'), 0);
    assert.equal(await count('notifications'), 0);
});
