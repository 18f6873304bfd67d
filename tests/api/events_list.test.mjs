// events_list.test.mjs: GET /api/events (docs/events.md "GET /api/events",
// "Visibility"): the page envelope, who sees what, every filter and its 422,
// ordering, paging edges, the cached total (invalidated at once, across
// processes too), full-text search (prefix words, AND, metacharacters are
// separators, no words = nothing) and optional auth, on SQLite and
// PostgreSQL. Each test marks its events with a random word in the title
// and lists with search=<word>, so tests sharing the server stay apart.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, startServer, dbQuery, summarize } from './lib/server.mjs';
import { assertValidationError, okJson } from './lib/expect.mjs';
import { assertNo5xx } from './lib/otp.mjs';
import { startAccountsServer, phoneFactory, bearer } from './lib/accounts.mjs';
import {
    EVENT_KEYS, tag, newAccount, createEvent, createVenue, putEvent, deleteEvent, listEvents, interestIds,
} from './lib/events.mjs';

const nextPhone = phoneFactory();
let server;
let client;
let hostA;
let hostB;
let staff;
let waitlisted;
let interests;

before(async () => {
    server = await startAccountsServer();
    client = api(server);
    hostA = await newAccount(server, client, nextPhone, { name: 'Host A' });
    hostB = await newAccount(server, client, nextPhone, { name: 'Host B' });
    staff = await newAccount(server, client, nextPhone, { name: 'Staff', staff: true });
    waitlisted = await newAccount(server, client, nextPhone, { active: false });
    interests = await interestIds(server);
});

after(async () => {
    await server?.stop();
});

// The page for params (token optional), asserting 200.
async function page(params, token) {
    return okJson(await listEvents(client, params, token));
}

// The ids listed for params, in order; also checks total == data.length
// when the page holds everything.
async function ids(params, token) {
    const body = await page({ limit: 100, ...params }, token);
    assert.equal(body.total, body.data.length, `total vs data for ${JSON.stringify(params)}`);
    return body.data.map((e) => e.id);
}

// A published (or `status`) event of owner tagged with t.
async function ev(owner, t, fields = {}) {
    const { status = 'published', ...rest } = fields;
    const e = await createEvent(client, owner.token, {
        title: `Listed ${t}`,
        status: status === 'draft' ? 'draft' : 'published',
        ...rest,
    });
    if (status === 'completed' || status === 'postponed' || status === 'cancelled') {
        const res = await putEvent(client, e.id, owner.token, { status });
        assert.equal(res.status, 200, summarize(res));
        return res.json;
    }
    return e;
}

const sortIds = (xs) => [...xs].sort((a, b) => a - b);

/* ------------------------------------------------------------------------
 * Envelope and visibility
 */

test('envelope {total, offset, limit, data} with defaults offset 0, limit 20; items are EventResponses', async () => {
    const t = tag();
    const e = await ev(hostA, t);
    const body = await page({ search: t });
    assert.deepEqual(Object.keys(body).sort(), ['data', 'limit', 'offset', 'total']);
    assert.equal(body.total, 1);
    assert.equal(body.offset, 0);
    assert.equal(body.limit, 20);
    assert.equal(body.data.length, 1);
    assert.deepEqual(Object.keys(body.data[0]).sort(), EVENT_KEYS);
    assert.deepEqual(body.data[0], e, 'the listed object is the one created');
});

// One event in each state, tagged t: {draft, published, cancelled,
// completed, postponed, private, deleted, draftPrivate}.
async function everyState(owner, t) {
    const s = {
        draft: await ev(owner, t, { status: 'draft' }),
        published: await ev(owner, t),
        cancelled: await ev(owner, t, { status: 'cancelled' }),
        completed: await ev(owner, t, { status: 'completed' }),
        postponed: await ev(owner, t, { status: 'postponed' }),
        private: await ev(owner, t, { is_public: 'false' }),
        deleted: await ev(owner, t),
        draftPrivate: await ev(owner, t, { status: 'draft', is_public: 'false' }),
    };
    assert.equal((await deleteEvent(client, s.deleted.id, owner.token)).status, 204);
    return s;
}

// API.md 5: visibility is is_active and is_public; status is a label and a
// filter (the mobile app creates every event as a draft).
const publicIds = (s) => sortIds([s.draft.id, s.published.id, s.cancelled.id, s.completed.id, s.postponed.id]);

test('anonymous callers see every active public event, whatever its status', async () => {
    const t = tag();
    const s = await everyState(hostA, t);
    assert.deepEqual(sortIds(await ids({ search: t })), publicIds(s));
    const all = await page({ limit: 100 });
    for (const e of all.data) {
        assert.equal(e.is_active, true);
        assert.equal(e.is_public, true);
    }
});

test('other users (and waitlisted ones, who browse anonymously) see the same as anonymous', async () => {
    const t = tag();
    const s = await everyState(hostA, t);
    const expected = publicIds(s);
    assert.deepEqual(sortIds(await ids({ search: t }, hostB.token)), expected);
    assert.deepEqual(sortIds(await ids({ search: t }, waitlisted.token)), expected);
    assert.deepEqual(await ids({ search: t, status: 'draft' }, hostB.token), [s.draft.id], 'a public draft');
    assert.deepEqual(await ids({ search: t, status: 'cancelled' }, hostB.token), [s.cancelled.id]);
    assert.deepEqual(await ids({ search: t, is_public: 'false' }, hostB.token), [], 'private ones stay the host\'s');
});

test('the host sees all own events (drafts, cancelled, private) except deleted ones', async () => {
    const t = tag();
    const s = await everyState(hostA, t);
    const { deleted, ...live } = s;
    assert.deepEqual(sortIds(await ids({ search: t }, hostA.token)), sortIds(Object.values(live).map((e) => e.id)));
    assert.deepEqual(await ids({ search: t, status: 'draft' }, hostA.token), [s.draftPrivate.id, s.draft.id].sort((a, b) => b - a));
});

test('staff see every active event, not deleted ones', async () => {
    const t = tag();
    const s = await everyState(hostA, t);
    const { deleted, ...live } = s;
    assert.deepEqual(sortIds(await ids({ search: t }, staff.token)), sortIds(Object.values(live).map((e) => e.id)));
    const active = Number(await dbQuery(server, 'SELECT count(*) FROM events WHERE is_active = TRUE'));
    assert.equal((await page({ limit: 1 }, staff.token)).total, active);
});

test('optional auth: a bad or expired-looking token is anonymous (200), not 401', async () => {
    const t = tag();
    const s = await everyState(hostA, t);
    const expected = publicIds(s);
    for (const authorization of ['Bearer not.a.token', 'Bearer ', 'Basic abc', 'garbage']) {
        const res = await client.get(`/api/events?search=${t}&limit=100`, { headers: { authorization } });
        assert.deepEqual(sortIds(okJson(res).data.map((e) => e.id)), expected, authorization);
    }
});

/* ------------------------------------------------------------------------
 * Filters
 */

// The fixture of the filter tests (all tagged t).
async function filterFixture() {
    const t = tag();
    const v1 = await createVenue(client, hostA.token, { name: `V1 ${t}`, city: 'Goa' });
    const v2 = await createVenue(client, hostA.token, { name: `V2 ${t}`, city: 'Pune' });
    const e1 = await ev(hostA, t, {
        venue_id: v1.id, event_interest_ids: [interests[0]], start_time: '2032-01-10T10:00:00Z', duration_hours: '2',
    });
    const e2 = await ev(hostA, t, {
        venue_id: v2.id, event_interest_ids: [interests[1]], is_paid: 'true', ticket_price: '100', allowed_genders: 'female',
        start_time: '2032-01-20T10:00:00Z', duration_hours: '2',
    });
    const e3 = await ev(hostB, t, {
        event_interest_ids: [interests[0], interests[1]], allowed_genders: 'male', start_time: '2032-02-05T10:00:00Z', duration_hours: '2',
    });
    const e4 = await ev(hostB, t, {
        venue_id: v1.id, is_paid: 'true', ticket_price: '5', allowed_genders: 'non_binary', is_public: 'false',
        start_time: '2032-02-15T10:00:00Z', duration_hours: '2',
    });
    const e5 = await ev(hostA, t, { status: 'completed', start_time: '2032-03-01T10:00:00Z', duration_hours: '2' });
    return { t, v1, v2, e1, e2, e3, e4, e5 };
}

test('filters: host_id, venue_id, event_interest_id', async () => {
    const { t, v1, v2, e1, e2, e3, e4, e5 } = await filterFixture();
    assert.deepEqual(await ids({ search: t, host_id: hostA.id }), [e5.id, e2.id, e1.id]);
    assert.deepEqual(await ids({ search: t, host_id: hostB.id }), [e3.id], 'B\'s private event stays hidden');
    assert.deepEqual(await ids({ search: t, host_id: hostB.id }, hostB.token), [e4.id, e3.id]);
    assert.deepEqual(await ids({ search: t, host_id: 987654 }), []);
    assert.deepEqual(await ids({ search: t, venue_id: v1.id }), [e1.id]);
    assert.deepEqual(await ids({ search: t, venue_id: v2.id }), [e2.id]);
    assert.deepEqual(await ids({ search: t, event_interest_id: interests[0] }), [e3.id, e1.id]);
    assert.deepEqual(await ids({ search: t, event_interest_id: interests[1] }), [e3.id, e2.id]);
    assert.deepEqual(await ids({ search: t, event_interest_id: interests[5] }), []);
});

test('filters: status, is_public, is_paid, allowed_genders', async () => {
    const { t, e1, e2, e3, e4, e5 } = await filterFixture();
    assert.deepEqual(await ids({ search: t, status: 'completed' }), [e5.id]);
    assert.deepEqual(await ids({ search: t, status: 'published' }), [e3.id, e2.id, e1.id]);
    assert.deepEqual(await ids({ search: t, status: 'draft' }), []);
    assert.deepEqual(await ids({ search: t, is_public: 'true' }), [e5.id, e3.id, e2.id, e1.id]);
    assert.deepEqual(await ids({ search: t, is_public: 'false' }), []);
    assert.deepEqual(await ids({ search: t, is_public: 'false' }, hostB.token), [e4.id]);
    assert.deepEqual(await ids({ search: t, is_public: '0' }, staff.token), [e4.id]);
    assert.deepEqual(await ids({ search: t, is_paid: 'true' }), [e2.id]);
    assert.deepEqual(await ids({ search: t, is_paid: '1' }), [e2.id]);
    assert.deepEqual(await ids({ search: t, is_paid: 'false' }), [e5.id, e3.id, e1.id]);
    assert.deepEqual(await ids({ search: t, is_paid: '0' }), [e5.id, e3.id, e1.id]);
    assert.deepEqual(await ids({ search: t, allowed_genders: 'female' }), [e2.id]);
    assert.deepEqual(await ids({ search: t, allowed_genders: 'male' }), [e3.id]);
    assert.deepEqual(await ids({ search: t, allowed_genders: 'all' }), [e5.id, e1.id]);
    assert.deepEqual(await ids({ search: t, allowed_genders: 'non_binary' }, staff.token), [e4.id]);
    assert.deepEqual(await ids({ search: t, host_id: hostA.id, is_paid: 'false' }), [e5.id, e1.id], 'filters combine');
});

test('filters: start_date (start_time >= it) and end_date (end_time <= it), dates or datetimes', async () => {
    const { t, e1, e2, e3, e5 } = await filterFixture();
    assert.deepEqual(await ids({ search: t, start_date: '2032-02-01' }), [e5.id, e3.id]);
    assert.deepEqual(await ids({ search: t, start_date: '2032-01-20T10:00:00Z' }), [e5.id, e3.id, e2.id], 'inclusive');
    assert.deepEqual(await ids({ search: t, start_date: '2032-01-20T10:00:01Z' }), [e5.id, e3.id]);
    assert.deepEqual(await ids({ search: t, end_date: '2032-01-31' }), [e2.id, e1.id]);
    assert.deepEqual(await ids({ search: t, end_date: '2032-01-10T12:00:00Z' }), [e1.id], 'inclusive');
    assert.deepEqual(await ids({ search: t, end_date: '2032-01-10T11:59:59Z' }), []);
    assert.deepEqual(await ids({ search: t, start_date: '2032-01-15', end_date: '2032-02-10' }), [e3.id, e2.id]);
    assert.deepEqual(await ids({ search: t, start_date: '2032-01-20T15:30:00+05:30' }), [e5.id, e3.id, e2.id], 'offsets honoured');
});

test('filters: a bad value of any filter is 422 naming it (query)', async () => {
    const cases = [
        ['host_id', 'abc'], ['host_id', '1.5'], ['host_id', ''],
        ['venue_id', 'x'], ['event_interest_id', '1.5'], ['event_interest_id', 'music'],
        ['status', 'archived'], ['status', ''], ['status', 'PUBLISHED '],
        ['is_public', 'yes'], ['is_public', ''], ['is_paid', 'maybe'], ['is_paid', '2'],
        ['allowed_genders', 'robots'], ['allowed_genders', ''],
        ['start_date', 'tomorrow'], ['start_date', '2032-13-01'], ['start_date', '01/02/2032'],
        ['end_date', '2032-02-30'], ['end_date', 'x'],
        ['search', 's'.repeat(201)],
    ];
    for (const [name, value] of cases) {
        const res = await listEvents(client, { [name]: value });
        assertValidationError(res);
        assert.ok(
            res.json.detail.some((d) => d.loc[0] === 'query' && d.loc.at(-1) === name),
            `${name}=${JSON.stringify(value)}: ${summarize(res)}`,
        );
    }
    const several = await listEvents(client, { host_id: 'x', status: 'y', limit: '0' });
    assertValidationError(several);
    assert.deepEqual(several.json.detail.map((d) => d.loc.at(-1)).sort(), ['host_id', 'limit', 'status']);
    // 200 characters are fine when the words are short (4 words and spaces)
    okJson(await listEvents(client, { search: `${'s'.repeat(50)} `.repeat(4).slice(0, 200) }), 200);
});

/* ------------------------------------------------------------------------
 * Order and paging
 */

test('ordered by start_time descending, then id descending', async () => {
    const t = tag();
    const a = await ev(hostA, t, { start_time: '2033-05-01T10:00:00Z' });
    const b = await ev(hostA, t, { start_time: '2033-07-01T10:00:00Z' });
    const c = await ev(hostA, t, { start_time: '2033-06-01T10:00:00Z' });
    const d = await ev(hostA, t, { start_time: '2033-06-01T10:00:00Z' });
    const e = await ev(hostA, t, { start_time: '2033-04-30T23:59:59Z' });
    assert.deepEqual(await ids({ search: t }), [b.id, d.id, c.id, a.id, e.id]);
    const all = (await page({ limit: 100 })).data;
    for (let i = 1; i < all.length; i++) {
        const [p, q] = [all[i - 1], all[i]];
        assert.ok(p.start_time > q.start_time || (p.start_time === q.start_time && p.id > q.id), `${p.id} before ${q.id}`);
    }
});

test('paging: offset and limit slice the ordered list; the total stays the full count', async () => {
    const t = tag();
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await ev(hostA, t, { start_time: `2034-01-0${i + 1}T10:00:00Z` }));
    const order = made.map((e) => e.id).reverse();
    const p = await page({ search: t, offset: 1, limit: 2 });
    assert.equal(p.total, 5);
    assert.equal(p.offset, 1);
    assert.equal(p.limit, 2);
    assert.deepEqual(p.data.map((e) => e.id), order.slice(1, 3));
    const last = await page({ search: t, offset: 4, limit: 2 });
    assert.deepEqual(last.data.map((e) => e.id), order.slice(4));
    const past = await page({ search: t, offset: 5 });
    assert.equal(past.total, 5);
    assert.deepEqual(past.data, []);
    const far = await page({ search: t, offset: 1000000 });
    assert.equal(far.total, 5);
    assert.deepEqual(far.data, []);
});

test('paging edges: limit 0 and 101 and offset -1 are 422; limit 1 and 100 are fine', async () => {
    for (const params of [{ limit: '0' }, { limit: '101' }, { limit: '-1' }, { limit: 'x' }, { offset: '-1' }, { offset: 'x' }, { offset: '1.5' }]) {
        const res = await listEvents(client, params);
        assertValidationError(res);
        const name = Object.keys(params)[0];
        assert.deepEqual(res.json.detail.map((d) => d.loc), [['query', name]], summarize(res));
    }
    const max = await page({ limit: '100' });
    assert.equal(max.limit, 100);
    assert.ok(max.data.length <= 100);
    assert.equal(max.data.length, Math.min(100, max.total));
    const one = await page({ limit: '1' });
    assert.equal(one.limit, 1);
    assert.equal(one.data.length, Math.min(1, one.total));
});

test('limit 100 answers a full page of 100 (of 101), offset 100 the last one', async () => {
    const t = tag();
    const made = [];
    for (let b = 0; b < 101; b += 10) {
        const batch = [];
        for (let i = b; i < Math.min(b + 10, 101); i++)
            batch.push(ev(hostA, t, { title: `Listed ${t} n${i}`, start_time: new Date(Date.UTC(2036, 0, 1) + i * 60e3).toISOString() }));
        made.push(...(await Promise.all(batch)));
    }
    const order = made.map((e) => e.id).reverse();
    const full = await page({ search: t, limit: 100 });
    assert.equal(full.total, 101);
    assert.equal(full.data.length, 100);
    assert.deepEqual(full.data.map((e) => e.id), order.slice(0, 100));
    const rest = await page({ search: t, limit: 100, offset: 100 });
    assert.deepEqual(rest.data.map((e) => e.id), order.slice(100));
});

test('a page of more than 20 events answers them all', async () => {
    const t = tag();
    const made = [];
    for (let i = 0; i < 23; i++) made.push(await ev(hostA, t, { start_time: `2035-01-01T${String(i).padStart(2, '0')}:00:00Z` }));
    assert.deepEqual(await ids({ search: t }), made.map((e) => e.id).reverse());
    const def = await page({ search: t });
    assert.equal(def.total, 23);
    assert.equal(def.data.length, 20);
});

/* ------------------------------------------------------------------------
 * The cached total
 */

test('total is current right after a create (cached totals are invalidated)', async () => {
    const t = tag();
    await ev(hostA, t);
    const before = (await page({ limit: 1 })).total;
    assert.equal((await page({ search: t })).total, 1);
    await ev(hostA, t);
    assert.equal((await page({ search: t })).total, 2);
    assert.equal((await page({ limit: 1 })).total, before + 1);
    assert.equal((await page({ limit: 1, host_id: hostA.id }, hostA.token)).total,
        Number(await dbQuery(server, `SELECT count(*) FROM events WHERE host_id = ${hostA.id} AND is_active = TRUE`)));
    await ev(hostA, t);
    assert.equal((await page({ search: t })).total, 3);
    assert.equal((await page({ limit: 1 })).total, before + 2);
});

test('total is current right after a delete, a status change, a privacy change and an interest change', async () => {
    const t = tag();
    const a = await ev(hostA, t, { event_interest_ids: [interests[3]] });
    const b = await ev(hostA, t);
    const draft = await ev(hostA, t, { status: 'draft' });
    const total = async (p = {}) => (await page({ search: t, ...p })).total;
    assert.equal(await total(), 3, 'a public draft is listed');
    assert.equal(await total({ event_interest_id: interests[3] }), 1);
    assert.equal((await deleteEvent(client, b.id, hostA.token)).status, 204);
    assert.equal(await total(), 2, 'after delete');
    okJson(await putEvent(client, draft.id, hostA.token, { status: 'published' }));
    assert.equal(await total({ status: 'draft' }), 0, 'after publishing');
    assert.equal(await total({ status: 'published' }), 2);
    okJson(await putEvent(client, draft.id, hostA.token, { status: 'cancelled' }));
    assert.equal(await total({ status: 'cancelled' }), 1, 'after cancelling');
    okJson(await putEvent(client, a.id, hostA.token, { is_public: false }));
    assert.equal(await total(), 1, 'after making it private');
    okJson(await putEvent(client, a.id, hostA.token, { is_public: true }));
    assert.equal(await total(), 2);
    okJson(await putEvent(client, a.id, hostA.token, { event_interest_ids: [interests[4]] }));
    assert.equal(await total({ event_interest_id: interests[3] }), 0, 'after an interest change');
    assert.equal(await total({ event_interest_id: interests[4] }), 1);
    okJson(await putEvent(client, a.id, hostA.token, { is_active: false }));
    assert.equal(await total(), 1, 'after PUT is_active false');
});

// Another process learns of a change through the invalidation bus (PostgreSQL
// NOTIFY at commit, docs/ARCHITECTURE.md "The listing's cache"): within the
// documented window (a second at most; in practice about a millisecond), and
// the writing process itself at once. On SQLite every request reads the version.
async function within(ms, probe, want, what) {
    const t0 = Date.now();
    let got;
    while ((got = await probe()) !== want && Date.now() - t0 < ms) await new Promise((r) => setTimeout(r, 5));
    assert.equal(got, want, `${what} (waited ${Date.now() - t0} ms)`);
}

test('total is current after a direct database change and in another process on the same database', async () => {
    const t = tag();
    const a = await ev(hostA, t);
    const second = await startServer({ databaseUrl: server.databaseUrl });
    try {
        const c2 = api(second);
        const total2 = async () => okJson(await c2.get(`/api/events?search=${t}`)).total;
        assert.equal(await total2(), 1);
        await ev(hostA, t);
        assert.equal((await page({ search: t })).total, 2, 'the writing process at once');
        await within(1000, total2, 2, 'a create through server 1 shows in server 2');
        await dbQuery(server, `UPDATE events SET is_public = false WHERE id = ${a.id}`);
        await within(1000, total2, 1, 'a direct change bumps the listing version');
        await within(1000, async () => (await page({ search: t })).total, 1, 'and server 1 hears of it');
        assertNo5xx(c2);
    } finally {
        await second.stop();
    }
});

/* ------------------------------------------------------------------------
 * Search
 */

async function searchFixture() {
    const t = tag();
    const s1 = await ev(hostA, t, { title: `Jazz Evening ${t}`, description: 'Smooth saxophone under the stars.' });
    const s2 = await ev(hostA, t, { title: `Rock Night ${t}`, description: 'Loud guitars and jazzy interludes.' });
    const s3 = await ev(hostA, t, { title: `Café Chat ${t}`, description: 'Coffee and conversation, Tokyo style.' });
    const s4 = await ev(hostA, t, { title: `東京 Meetup ${t}`, description: 'An evening meetup for 東京 fans.' });
    return { t, s1, s2, s3, s4 };
}

const found = async (search, token) => sortIds(await ids({ search }, token));

test('search: words match title or description as prefixes, case-insensitively', async () => {
    const { t, s1, s2, s3, s4 } = await searchFixture();
    assert.deepEqual(await found(t), sortIds([s1.id, s2.id, s3.id, s4.id]));
    assert.deepEqual(await found(`${t} jazz`), sortIds([s1.id, s2.id]), 'jazz: title of s1, prefix of "jazzy" in s2');
    assert.deepEqual(await found(`${t} JAZZ`), sortIds([s1.id, s2.id]));
    assert.deepEqual(await found(`${t} JaZzY`), [s2.id]);
    assert.deepEqual(await found(`${t} saxo`), [s1.id], 'a description prefix');
    assert.deepEqual(await found(`${t} azz`), [], 'not a prefix');
    assert.deepEqual(await found(`${t} eve`), sortIds([s1.id, s4.id]), 'title of s1, description of s4');
    assert.deepEqual(await found(`${t.slice(0, 8)}`).then((xs) => xs.filter((x) => [s1.id, s2.id, s3.id, s4.id].includes(x))),
        sortIds([s1.id, s2.id, s3.id, s4.id]), 'a prefix of the marker');
    assert.deepEqual(await found(`${t.toUpperCase()}`), sortIds([s1.id, s2.id, s3.id, s4.id]));
});

test('search: several words must all match (AND), across title and description', async () => {
    const { t, s1, s2 } = await searchFixture();
    assert.deepEqual(await found(`${t} rock jazz`), [s2.id]);
    assert.deepEqual(await found(`${t} jazz stars`), [s1.id]);
    assert.deepEqual(await found(`${t} rock saxophone`), []);
    assert.deepEqual(await found(`rock ${t} guitars loud`), [s2.id], 'order does not matter');
});

test('search: SQL and query-syntax metacharacters separate words and never error', async () => {
    const { t, s1, s2, s3, s4 } = await searchFixture();
    const every = sortIds([s1.id, s2.id, s3.id, s4.id]);
    for (const m of ["'", '%', '_', '\\', ';', '--', '"', '*', ':', '&', '|', '!', '(', ')', '\'\'', '%_', ':*', '&&', '||', '!(']) {
        assert.deepEqual(await found(`${t}${m}`), every, `${t}${m}`);
        assert.deepEqual(await found(`${m}${t}${m}`), every, `${m}${t}${m}`);
    }
    assert.deepEqual(await found(`${t}&rock`), [s2.id]);
    assert.deepEqual(await found(`(${t}) | rock`), [s2.id], '| is not OR');
    assert.deepEqual(await found(`${t} !rock`), [s2.id], '! is not NOT');
    assert.deepEqual(await found(`"${t} rock"`), [s2.id]);
    assert.deepEqual(await found(`${t} jazz:*`), sortIds([s1.id, s2.id]));
    assert.deepEqual(await found(`${t}' OR '1'='1`), [], 'an injection attempt is just words');
    for (const q of ["' OR 1=1 --", "'; DROP TABLE events; --", '%', '_%_', '\\', 'NEAR(a b)', 'title:jazz', '^jazz', 'a AND', 'OR', 'NOT', '""', '*']) {
        const res = await listEvents(client, { search: q });
        assert.equal(res.status, 200, summarize(res));
    }
    assert.ok(Number(await dbQuery(server, 'SELECT count(*) FROM events')) > 0, 'the table survived');
});

test('search: Unicode words give no error; ASCII words of the same titles match on both databases', async () => {
    const { t, s3, s4 } = await searchFixture();
    for (const q of [`${t} café`, `${t} CAFÉ`, `${t} 東京`, '東京', 'café', 'naïve résumé', '😀', `${t} Ωmega`]) {
        const res = await listEvents(client, { search: q });
        assert.equal(res.status, 200, summarize(res));
        for (const e of res.json.data) assert.equal(e.is_public, true);
    }
    assert.deepEqual(await found(`${t} chat`), [s3.id]);
    assert.deepEqual(await found(`${t} meetup`), [s4.id]);
    assert.deepEqual(await found(`${t} tokyo`), [s3.id]);
});

test('search: a query with no words matches nothing (total 0)', async () => {
    await searchFixture();
    for (const search of ['!!!', '---', '   ', '%%', '()', "'"]) {
        const body = await page({ search });
        assert.equal(body.total, 0, JSON.stringify(search));
        assert.deepEqual(body.data, []);
    }
});

test('search: a limit of 200 characters, not bytes (200 "é" are accepted)', async () => {
    // docs/events.md: `search` (<= 200 characters)
    // 200 characters of two-byte letters in words of 50 (the word limit is 64)
    const words = `${'\u00e9'.repeat(49)} `.repeat(4);
    assert.equal(words.length, 200);
    okJson(await listEvents(client, { search: words }), 200);
    okJson(await listEvents(client, { search: '\u6771'.repeat(60) }), 200);
    assertValidationError(await listEvents(client, { search: `${words}x` }));
});

test('search: every word must match, up to 8 words; more words or a word over 64 characters is 422', async () => {
    // docs/events.md: more than 8 words, or a word longer than 64 characters, is 422
    const t = tag();
    await ev(hostA, t, { title: `Many Words ${t}`, description: 'alpha beta gamma delta epsilon zeta eta theta iota kappa' });
    assert.equal((await page({ search: `${t} alpha beta gamma delta epsilon zeta eta` })).total, 1);
    // eight words, the last one occurs nowhere: nothing matches
    assert.equal((await page({ search: `${t} alpha beta gamma delta epsilon zeta nowhereword` })).total, 0);
    assertValidationError(await listEvents(client, { search: `${t} alpha beta gamma delta epsilon zeta eta theta` }));
    const long = 'a'.repeat(64);
    await ev(hostA, t, { title: `Long Word ${t}`, description: `${long} is a long word.` });
    assert.equal((await page({ search: `${t} ${long}` })).total, 1);
    assertValidationError(await listEvents(client, { search: `${t} ${long}b` }));
});

test('search: letters and digits around dots, slashes and @ are separate words on both databases', async () => {
    // docs/events.md: words are letters and digits; everything else separates words
    const t = tag();
    const e = await ev(hostA, t, {
        title: `Node.js Meetup ${t}`,
        description: 'Slides at talks.example.com, mail hello@loop.in, release v2.4.1, config in /etc/loopin.',
    });
    const missed = [];
    for (const w of ['node', 'js', 'talks', 'example', 'com', 'hello', 'loop', 'in', 'release', 'v2', '4', '1', 'etc', 'loopin']) {
        const body = await page({ search: `${t} ${w}` });
        if (body.data.length !== 1 || body.data[0].id !== e.id) missed.push(w);
    }
    assert.deepEqual(missed, [], `words not found in "${e.title} / ${e.description}"`);
});

test('a query value with a NUL byte is refused (422), never silently dropped', async () => {
    // docs/events.md: every query parameter is validated, 422 on bad values
    const t = tag();
    await ev(hostA, t, { status: 'draft' });
    await ev(hostA, t);
    for (const q of ['status=draft%00', `host_id=${hostA.id}%00`, 'limit=%00', 'is_paid=true%00']) {
        const res = await client.get(`/api/events?search=${t}&${q}`, { headers: bearer(hostA.token) });
        assertValidationError(res);
    }
    // a search with a NUL is refused or searched, but never dropped (which lists everything)
    const res = await client.get(`/api/events?search=${t}%00`);
    assert.ok(res.status === 422 || (res.status === 200 && res.json.total <= 1), summarize(res));
});

test('search respects visibility: hidden events are not found', async () => {
    const t = tag();
    const draft = await ev(hostA, t, { is_public: 'false' });
    const pub = await ev(hostA, t);
    assert.deepEqual(await found(t), [pub.id]);
    assert.deepEqual(await found(t, hostA.token), sortIds([draft.id, pub.id]));
    assert.deepEqual(await found(t, hostB.token), [pub.id]);
});

test('no request answered 5xx', () => {
    assertNo5xx(client);
});
