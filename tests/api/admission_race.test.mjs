// admission_race.test.mjs: the capacity invariant and the door under
// contention (issue 9 acceptance), with THREE `loopin serve` processes on one
// database (same LOOPIN_SECRET_KEY, as a real deployment): (a) 200 guests with
// accepted requests of 1-3 seats confirm at once on a 50-seat event; (b) bulk
// accepts racing confirmations; (c) two scanners x 100 tickets x 3 scans plus
// an offline sync of the same scans: exactly one check-in per ticket.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { api, dbQuery, startServer, summarize } from './lib/server.mjs';
import { assertNo5xx } from './lib/otp.mjs';
import { startAccountsServer, phoneFactory, bearer } from './lib/accounts.mjs';
import { newAccount, createEvent, tag } from './lib/events.mjs';

const nextPhone = phoneFactory();
const secret = randomBytes(32).toString('hex');
let servers = [], clients = [], host;
const T0 = '2026-01-01T00:00:00.000000Z';

before(async () => {
    servers.push(await startAccountsServer({ env: { LOOPIN_SECRET_KEY: secret, LOOPIN_DB_POOL: '8', LOOPIN_WORKERS: '8' } }));
    for (let i = 0; i < 2; i++)
        servers.push(await startServer({ databaseUrl: servers[0].databaseUrl, env: { LOOPIN_SECRET_KEY: secret, LOOPIN_DB_POOL: '8', LOOPIN_WORKERS: '8' } }));
    clients = servers.map((s) => api(s));
    host = await newAccount(servers[0], clients[0], nextPhone, { name: 'Race Host' });
});

after(async () => {
    for (const s of servers.slice(1).reverse()) await s?.stop();
    await servers[0]?.stop();
});

// A token the servers accept (src/auth/jwt.c: HS256 under HMAC(secret, "loopin:jwt")).
function token(userId) {
    const key = createHmac('sha256', secret).update('loopin:jwt').digest();
    const b64 = (s) => Buffer.from(s).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const body = `${b64('{"alg":"HS256","typ":"JWT"}')}.${b64(JSON.stringify({ user_id: userId, iat: now, exp: now + 3600, jti: randomBytes(8).toString('hex') }))}`;
    return `${body}.${createHmac('sha256', key).update(body).digest('base64url')}`;
}

// n active users with profiles, straight into the database: their ids.
async function seedUsers(n) {
    const t = randomBytes(3).readUIntBE(0, 3) % 9000 + 1000;
    const rows = Array.from({ length: n }, (_, i) => {
        const phone = `+9196${String(t).padStart(4, '0')}${String(i).padStart(4, '0')}`;
        return `('${randomUUID()}', '${phone}', '${T0}', '${T0}', '${T0}')`;
    });
    await dbQuery(servers[0], `INSERT INTO users (uuid, phone, date_joined, created_at, updated_at) VALUES ${rows.join(',')}`);
    const ids = (await dbQuery(servers[0], `SELECT id FROM users WHERE phone LIKE '+9196${String(t).padStart(4, '0')}%' ORDER BY id`))
        .split('\n').map(Number);
    const profiles = ids.map((id, i) => `(${id}, '${randomUUID()}', 'Racer ${String.fromCharCode(65 + (i % 26))}', '${T0}', '${T0}')`);
    await dbQuery(servers[0], `INSERT INTO user_profiles (user_id, uuid, name, created_at, updated_at) VALUES ${profiles.join(',')}`);
    return ids;
}

async function requests(eventId, ids, seatsOf, status) {
    const rows = ids.map((id, i) => `('${randomUUID()}', ${eventId}, ${id}, '${status}', ${seatsOf(i)}, '${T0}', '${T0}')`);
    await dbQuery(servers[0], `INSERT INTO event_requests (uuid, event_id, requester_id, status, seats_requested, created_at, updated_at) VALUES ${rows.join(',')}`);
}

const seatsTaken = async (eventId) => Number(await dbQuery(servers[0], `SELECT COALESCE(SUM(taken), 0) FROM event_seat_buckets WHERE event_id = ${eventId}`));
const seatsGoing = async (eventId) =>
    Number(await dbQuery(servers[0], `SELECT COALESCE(SUM(seats), 0) FROM event_attendees WHERE event_id = ${eventId} AND status IN ('going', 'checked_in')`));
const confirmVia = (i, userId, eventId, seats) =>
    clients[i % 3].post(`/api/events/${eventId}/confirm-attendance`, { headers: bearer(token(userId)), json: { seats } });

test('(a) 200 confirmations of 1-3 seats at once on 50 seats, over 3 processes: exactly what fits, no oversell', async () => {
    const ev = await createEvent(clients[0], host.token, { title: `Rush ${tag()}`, status: 'published', max_capacity: 50 });
    const ids = await seedUsers(200);
    const seatsOf = (i) => 1 + (i % 3);
    await requests(ev.id, ids, seatsOf, 'accepted');
    const results = await Promise.all(ids.map((id, i) => confirmVia(i, id, ev.id, seatsOf(i))));
    let won = 0;
    for (const [i, r] of results.entries()) {
        if (r.status === 200) won += seatsOf(i);
        else {
            assert.equal(r.status, 400, summarize(r));
            assert.equal(r.json.error_code, 'CAPACITY_FULL', summarize(r));
        }
    }
    const taken = await seatsTaken(ev.id);
    assert.equal(taken, won, 'the buckets hold exactly the seats the winners were told');
    assert.equal(await seatsGoing(ev.id), won, 'and the attendees hold them');
    assert.ok(won <= 50, `oversold: ${won}`);
    assert.ok(won >= 48, `50 seats with 1-3 seat parties: at most 2 may stay empty (${won})`);
    const ev2 = (await clients[1].get(`/api/events/${ev.id}`, { headers: bearer(host.token) })).json;
    assert.equal(ev2.going_count, won, 'going_count is the sum of seats, at once, from any process');
    const tickets = Number(await dbQuery(servers[0], `SELECT count(*) FROM attendance_records WHERE event_id = ${ev.id} AND status = 'going'`));
    assert.equal(tickets, results.filter((r) => r.status === 200).length, 'one ticket per winner');
});

test('(b) bulk accept racing confirmations: accepted seats never exceed what is left, confirmed never exceed capacity', async () => {
    const ev = await createEvent(clients[0], host.token, { title: `Bulk ${tag()}`, status: 'published', max_capacity: 20 });
    const ids = await seedUsers(60);
    await requests(ev.id, ids.slice(0, 30), () => 1, 'accepted');
    await requests(ev.id, ids.slice(30), () => 1, 'pending');
    const pending = (await dbQuery(servers[0], `SELECT id FROM event_requests WHERE event_id = ${ev.id} AND status = 'pending' ORDER BY id`))
        .split('\n').map(Number);
    const bulk = [0, 1, 2].map((k) =>
        clients[k].post(`/api/events/${ev.id}/requests/bulk-action`, {
            headers: bearer(host.token),
            json: { request_ids: pending.slice(k * 10, k * 10 + 10), action: 'accept' },
        }));
    const confirms = ids.slice(0, 30).map((id, i) => confirmVia(i, id, ev.id, 1));
    const all = await Promise.all([...bulk, ...confirms]);
    for (const r of all) assert.ok(r.status === 200 || r.status === 400, summarize(r));
    for (const r of all.slice(3)) if (r.status === 400) assert.equal(r.json.error_code, 'CAPACITY_FULL', summarize(r));
    const won = all.slice(3).filter((r) => r.status === 200).length;
    assert.equal(won, 20, 'every seat went to a confirmation');
    assert.equal(await seatsTaken(ev.id), 20);
    assert.equal(await seatsGoing(ev.id), 20);
});

test('(c) 2 scanners x 100 tickets x 3 scans, plus an offline sync of the same codes: one check-in per ticket', async () => {
    const ev = await createEvent(clients[0], host.token, { title: `Door ${tag()}`, status: 'published' });
    const ids = await seedUsers(100);
    await requests(ev.id, ids, () => 1, 'accepted');
    const tickets = await Promise.all(ids.map(async (id, i) => {
        const r = await confirmVia(i, id, ev.id, 1);
        assert.equal(r.status, 200, summarize(r));
        return r.json.ticket_secret;
    }));
    const staff = await newAccount(servers[0], clients[0], nextPhone, { staff: true });
    const scanners = [host.token, staff.token];
    const scans = [];
    for (const [t, code] of tickets.entries())
        for (let s = 0; s < 2; s++)
            for (let k = 0; k < 3; k++)
                scans.push(clients[(t + s + k) % 3].post(`/api/events/${ev.id}/check-in`, {
                    headers: bearer(scanners[s]),
                    json: { code, nonce: `s${s}-t${t}-k${k}`, type: 'entry' },
                }));
    const offline = clients[2].post(`/api/events/${ev.id}/check-ins/sync`, {
        headers: bearer(host.token),
        json: { scans: tickets.map((code, t) => ({ code, nonce: `off-${t}`, scanned_at: new Date().toISOString() })) },
    });
    const results = await Promise.all([...scans, offline]);
    const oks = new Map();
    for (const r of results.slice(0, -1)) {
        assert.equal(r.status, 200, summarize(r));
        if (r.json.status === 'ok') oks.set(r.json.attendee.ticket_id, (oks.get(r.json.attendee.ticket_id) ?? 0) + 1);
        else assert.equal(r.json.reason, 'already_redeemed', summarize(r));
    }
    const sync = results.at(-1);
    assert.equal(sync.status, 200, summarize(sync));
    for (const r of sync.json.results) {
        if (r.status === 'ok') oks.set(r.attendee.ticket_id, (oks.get(r.attendee.ticket_id) ?? 0) + 1);
        else assert.equal(r.reason, 'already_redeemed');
    }
    assert.equal(oks.size, 100, 'every ticket got in');
    for (const [id, n] of oks) assert.equal(n, 1, `ticket ${id} got ${n} oks`);
    const accepted = Number(await dbQuery(servers[0], `SELECT count(*) FROM ticket_scans WHERE event_id = ${ev.id} AND result = 'accepted'`));
    assert.equal(accepted, 100);
    assert.equal(Number(await dbQuery(servers[0], `SELECT count(*) FROM attendance_records WHERE event_id = ${ev.id} AND status = 'checked_in'`)), 100);
});

test('no request answered 5xx', () => {
    for (const c of clients) assertNo5xx(c);
});
