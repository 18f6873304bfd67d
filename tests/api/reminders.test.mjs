// reminders.test.mjs: event reminders (issue 13 point 4): with the test
// clock, each going attendee gets the 24-hour and the 1-hour reminder once,
// however often the job runs; a moved event's reminders move with it; a
// cancelled event sends none; the host hears "check-in is live" once at the
// start. On both databases.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, summarize, dbQuery, sleep } from './lib/server.mjs';
import { startAccountsServer, phoneFactory, bearer } from './lib/accounts.mjs';
import { newAccount, createEvent, tag, putEvent, insertAttendee, at } from './lib/events.mjs';
import { makePushOutbox, readPushes, waitFor } from './lib/push.mjs';

const nextPhone = phoneFactory();
let server, client, outbox, host, guests;

const setClock = async (iso) => {
    const res = await client.post('/_test/clock', { json: { set: iso } });
    assert.equal(res.status, 200, summarize(res));
};

// The job runs every minute of the test clock: moving the clock a minute
// and waiting for one more completed run is "the job ran again".
const runs = async () => Number(await dbQuery(server, "SELECT count(*) FROM jobs WHERE kind = 'event_reminders' AND status = 'done'"));
async function jobRunsAt(iso) {
    const before = await runs();
    await setClock(iso);
    await waitFor(async () => (await runs()) > before, 'the reminder job to run');
}

const reminders = async (who, eventId, template) =>
    (await client.get('/api/notifications?limit=100', { headers: bearer(who.token) })).json.data.filter(
        (n) => n.metadata.template === template && n.metadata.event_id === eventId,
    );

before(async () => {
    outbox = await makePushOutbox();
    server = await startAccountsServer({ env: outbox.env });
    client = api(server);
    await setClock(at(-72)); // three days before the events below
    host = await newAccount(server, client, nextPhone, { name: 'Reminding Host' });
    guests = [];
    for (let i = 0; i < 2; i++) guests.push(await newAccount(server, client, nextPhone, { name: `Guest ${"ABC"[i]}` }));
    const dev = await client.post('/api/notifications/devices/register', {
        headers: bearer(guests[0].token),
        json: { onesignal_player_id: `rem-${server.port}`, platform: 'ios' },
    });
    assert.equal(dev.status, 200, summarize(dev));
});

after(async () => {
    await server?.stop();
    await outbox?.remove();
});

test('24 hours and 1 hour before: each going attendee once; check-in to the host once; moved and cancelled events', async () => {
    const title = `Remind ${tag()}`;
    const ev = await createEvent(client, host.token, { title, status: 'published', start_time: at(0), end_time: at(3) });
    const moved = await createEvent(client, host.token, { title: `${title} moved`, status: 'published', start_time: at(0), end_time: at(3) });
    const dropped = await createEvent(client, host.token, { title: `${title} dropped`, status: 'published', start_time: at(0), end_time: at(3) });
    for (const e of [ev, moved, dropped]) for (const g of guests) await insertAttendee(server, e.id, g.id);
    const notGoing = await newAccount(server, client, nextPhone, { name: 'Not Going' });
    await insertAttendee(server, ev.id, notGoing.id, { status: 'cancelled' });

    // Too early: nothing.
    await jobRunsAt(at(-30));
    assert.equal((await reminders(guests[0], ev.id, 'event_reminder_24h')).length, 0);

    // The host moves one event two days later; cancels another.
    assert.equal((await putEvent(client, moved.id, host.token, { start_time: at(48), end_time: at(51) })).status, 200);
    assert.equal((await putEvent(client, dropped.id, host.token, { status: 'cancelled' })).status, 200);

    // 23 hours before: the 24-hour reminder, once, however often the job runs.
    await jobRunsAt(at(-23));
    await jobRunsAt(at(-22.9));
    await jobRunsAt(at(-22.8));
    for (const g of guests) {
        const r = await reminders(g, ev.id, 'event_reminder_24h');
        assert.equal(r.length, 1, `one 24-hour reminder for ${g.name}`);
        assert.equal(r[0].title, `Coming up: ${title}`);
        assert.equal(r[0].message, `${title} starts in 23 hours. Your ticket is in the app.`);
        assert.equal(r[0].type, 'reminder');
        assert.equal((await reminders(g, moved.id, 'event_reminder_24h')).length, 0, 'the moved event is not due');
        assert.equal((await reminders(g, dropped.id, 'event_reminder_24h')).length, 0, 'the cancelled one never');
    }
    assert.equal((await reminders(notGoing, ev.id, 'event_reminder_24h')).length, 0, 'only those going');

    // 40 minutes before: the 1-hour reminder, once.
    await jobRunsAt(at(-40 / 60));
    await jobRunsAt(at(-39 / 60));
    for (const g of guests) {
        const r = await reminders(g, ev.id, 'event_reminder_1h');
        assert.equal(r.length, 1);
        assert.equal(r[0].title, `Starting soon: ${title}`);
        assert.equal(r[0].message, `${title} starts in 40 minutes. Have your ticket ready at the door.`);
        assert.equal((await reminders(g, ev.id, 'event_reminder_24h')).length, 1, 'still one 24-hour reminder');
    }

    // The start: check-in is live, to the host, once.
    await jobRunsAt(at(0.05));
    await jobRunsAt(at(0.1));
    const live = await reminders(host, ev.id, 'check_in_started');
    assert.equal(live.length, 1);
    assert.equal(live[0].title, 'Check-in is Live!');
    assert.equal(live[0].message, `${title} has started. Start scanning guest tickets now.`);
    assert.equal((await reminders(host, dropped.id, 'check_in_started')).length, 0);

    // The moved event: reminded relative to its new time.
    await jobRunsAt(at(48 - 20));
    for (const g of guests) assert.equal((await reminders(g, moved.id, 'event_reminder_24h')).length, 1);
    await jobRunsAt(at(48 - 0.5));
    for (const g of guests) assert.equal((await reminders(g, moved.id, 'event_reminder_1h')).length, 1);
    for (const g of guests) assert.equal((await reminders(g, dropped.id, 'event_reminder_1h')).length, 0);

    // The guest with a device got each reminder as a push, once.
    await waitFor(async () => (await dbQuery(server, "SELECT count(*) FROM jobs WHERE kind = 'push_deliver' AND status IN ('pending', 'running')")) === '0', 'pushes sent');
    const pushes = (await readPushes(outbox)).filter((p) => p.data.event_id === ev.id && p.player_ids.includes(`rem-${server.port}`));
    assert.deepEqual(pushes.map((p) => p.data.template).sort(), ['event_reminder_1h', 'event_reminder_24h']);
    assert.equal(await dbQuery(server, `SELECT count(*) FROM event_reminders WHERE event_id = ${ev.id}`), '5');
    await sleep(0);
});
