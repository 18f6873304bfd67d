// push_onesignal.test.mjs: the OneSignal adapter end to end against a fake
// OneSignal started here (never the internet): the request the dispatcher
// sends, a 5xx retried with the same idempotency key, the player ids
// OneSignal reports invalid deactivated, the API key never in a log. On both
// databases.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { api, summarize, dbQuery } from './lib/server.mjs';
import { startAccountsServer, phoneFactory, bearer } from './lib/accounts.mjs';
import { newAccount, createEvent, tag } from './lib/events.mjs';
import { waitFor } from './lib/push.mjs';

const nextPhone = phoneFactory();
const API_KEY = 'os-rest-key-7f3c9a';
let fake, calls = [], answers = [], server, client, host;

before(async () => {
    fake = http.createServer((req, res) => {
        let body = '';
        req.on('data', (d) => (body += d));
        req.on('end', () => {
            calls.push({ method: req.method, url: req.url, headers: req.headers, body: JSON.parse(body || 'null') });
            const [status, answer] = answers.shift() ?? [200, { id: `os-${calls.length}`, recipients: 1 }];
            res.writeHead(status, { 'content-type': 'application/json' });
            res.end(JSON.stringify(answer));
        });
    });
    await new Promise((r) => fake.listen(0, '127.0.0.1', r));
    server = await startAccountsServer({
        env: {
            LOOPIN_PUSH_BACKEND: 'onesignal',
            LOOPIN_ONESIGNAL_APP_ID: 'app-123',
            LOOPIN_ONESIGNAL_API_KEY: API_KEY,
            LOOPIN_ONESIGNAL_API_BASE: `http://127.0.0.1:${fake.address().port}`,
            LOOPIN_JOBS_POLL_MS: '50',
        },
    });
    client = api(server);
    host = await newAccount(server, client, nextPhone, { name: 'Onesignal Host' });
    for (const player of ['good-player', 'stale-player']) {
        const res = await client.post('/api/notifications/devices/register', {
            headers: bearer(host.token),
            json: { onesignal_player_id: `${player}-${server.port}`, platform: 'ios' },
        });
        assert.equal(res.status, 200, summarize(res));
    }
});

after(async () => {
    await server?.stop();
    await new Promise((r) => fake?.close(r));
});

test('a push to OneSignal: retried after a 5xx with the same key; invalid player ids deactivated', { timeout: 60000 }, async () => {
    const port = server.port;
    answers.push([503, { errors: ['try later'] }]);
    answers.push([200, { id: 'os-notification-1', recipients: 1, errors: { invalid_player_ids: [`stale-player-${port}`] } }]);
    const title = `OneSignal ${tag()}`;
    await createEvent(client, host.token, { title, status: 'published' });
    const row = (await client.get('/api/notifications', { headers: bearer(host.token) })).json.data.find((n) => n.metadata.template === 'event_created');
    await waitFor(async () => (await dbQuery(server, `SELECT status FROM notification_deliveries WHERE notification_uuid = '${row.uuid}'`)) === 'sent', 'the delivery to succeed', 30000);

    assert.equal(calls.length, 2, 'one failure, one success');
    for (const c of calls) {
        assert.equal(c.method, 'POST');
        assert.equal(c.url, '/api/v1/notifications');
        assert.equal(c.headers.authorization, `Basic ${API_KEY}`);
        assert.match(c.headers['content-type'], /^application\/json/);
        assert.equal(c.body.app_id, 'app-123');
        assert.deepEqual(c.body.include_player_ids, [`good-player-${port}`, `stale-player-${port}`]);
        assert.equal(c.body.headings.en, 'Event Created Successfully');
        assert.equal(c.body.contents.en, `Your event '${title}' has been created successfully.`);
        assert.equal(c.body.idempotency_key, row.uuid, 'the notification uuid de-duplicates retries');
        assert.equal(c.body.data.notification_id, row.id);
        assert.equal(c.body.data.target_screen, 'event_detail');
    }
    const delivery = (await dbQuery(server, `SELECT attempts, provider_id FROM notification_deliveries WHERE notification_uuid = '${row.uuid}'`)).split('|');
    assert.deepEqual(delivery, ['2', 'os-notification-1']);

    const devices = (await client.get('/api/notifications/devices', { headers: bearer(host.token) })).json.data;
    const active = Object.fromEntries(devices.map((d) => [d.onesignal_player_id, d.is_active]));
    assert.deepEqual(active, { [`good-player-${port}`]: true, [`stale-player-${port}`]: false });
    assert.ok(!server.stderr().includes(API_KEY), 'the API key is never logged');
});

test('a permanent refusal (400) is recorded failed and not retried', { timeout: 30000 }, async () => {
    answers.push([400, { errors: ['Invalid app_id'] }]);
    const before = calls.length;
    await createEvent(client, host.token, { title: `Refused ${tag()}`, status: 'published' });
    const row = (await client.get('/api/notifications', { headers: bearer(host.token) })).json.data[0];
    await waitFor(async () => (await dbQuery(server, `SELECT status FROM notification_deliveries WHERE notification_uuid = '${row.uuid}'`)) === 'failed', 'the delivery to fail', 20000);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(calls.length, before + 1, 'not retried');
    assert.equal(await dbQuery(server, `SELECT count(*) FROM jobs WHERE kind = 'push_deliver' AND status IN ('pending', 'running')`), '0');
});
