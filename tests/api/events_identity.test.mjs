// events_identity.test.mjs: event identity (docs/events.md "Identity",
// API.md 14.3): random canonical ids, slugs unique across every slug ever
// used, the share URL, GET /api/events/canonical/{cid} (header required,
// token optional) and what a title change does to slug and canonical id,
// on SQLite and PostgreSQL.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, dbQuery, summarize } from './lib/server.mjs';
import { assertErrorBody, assertValidationError, okJson } from './lib/expect.mjs';
import { assertNo5xx } from './lib/otp.mjs';
import { startAccountsServer, phoneFactory, bearer } from './lib/accounts.mjs';
import {
    CANONICAL_ID_RE, tag, newAccount, postEvent, createEvent, createVenue, getEvent, putEvent, deleteEvent,
    assertLoopinError,
} from './lib/events.mjs';

const nextPhone = phoneFactory();
let server;
let client;
let host;
let other;

before(async () => {
    server = await startAccountsServer();
    client = api(server);
    host = await newAccount(server, client, nextPhone, { name: 'Identity Host' });
    other = await newAccount(server, client, nextPhone, { name: 'Identity Other' });
});

after(async () => {
    await server?.stop();
});

const shareUrl = (id, token) => client.get(`/api/events/${id}/share-url`, { headers: token ? bearer(token) : {} });
const canonical = (cid, headers = {}) => client.get(`/api/events/canonical/${encodeURIComponent(cid)}`, { headers });
const published = (fields = {}, owner = host) =>
    createEvent(client, owner.token, { title: `Identity ${tag()}`, status: 'published', ...fields });

/* ------------------------------------------------------------------------
 * Canonical ids and slugs
 */

test('canonical ids: 20 events created at once get 20 distinct 10-character base62 ids', async () => {
    const t = tag();
    const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => postEvent(client, host.token, { title: `Burst ${t} ${i}` })),
    );
    for (const res of results) assert.equal(res.status, 201, summarize(res));
    const cids = results.map((r) => r.json.canonical_id);
    for (const cid of cids) assert.match(cid, CANONICAL_ID_RE);
    assert.equal(new Set(cids).size, 20);
    const slugs = results.map((r) => r.json.slug);
    assert.equal(new Set(slugs).size, 20);
    const urls = results.map((r) => r.json.canonical_url);
    assert.equal(new Set(urls).size, 20);
    for (const r of results) assert.ok(r.json.canonical_url.endsWith(`--${r.json.canonical_id}`));
});

test('canonical ids are not sequential or shared-prefix (CSPRNG, not a counter)', async () => {
    const a = await createEvent(client, host.token, {});
    const b = await createEvent(client, host.token, {});
    assert.notEqual(a.canonical_id, b.canonical_id);
    assert.notEqual(a.canonical_id.slice(0, 6), b.canonical_id.slice(0, 6));
});

test('slugs: three events with the same title get slug, slug-1, slug-2', async () => {
    const t = tag();
    const base = `same-title-${t}`;
    const made = [];
    for (let i = 0; i < 3; i++) made.push(await createEvent(client, host.token, { title: `Same Title ${t}` }));
    assert.deepEqual(made.map((e) => e.slug), [base, `${base}-1`, `${base}-2`]);
    for (const e of made) {
        assert.equal(e.slug_version, 1);
        assert.equal(e.canonical_url, `/in/unknown/events/${e.slug}--${e.canonical_id}`);
    }
    const byOther = await createEvent(client, other.token, { title: `SAME title ${t}!` });
    assert.equal(byOther.slug, `${base}-3`, 'unique across hosts too');
});

test('slugs are unique even when the same title is posted concurrently (no 5xx)', async () => {
    // 5 rounds of 20 simultaneous creates, each round with its own title
    for (let round = 0; round < 5; round++) {
        const t = tag();
        const results = await Promise.all(
            Array.from({ length: 20 }, () => postEvent(client, host.token, { title: `Race ${t}` })),
        );
        const statuses = results.map((r) => r.status);
        assert.deepEqual(statuses, Array(20).fill(201), `round ${round}: ${results.filter((r) => r.status !== 201).map(summarize).join('; ')}`);
        const slugs = results.map((r) => r.json.slug).sort();
        const expected = [`race-${t}`, ...Array.from({ length: 19 }, (_, i) => `race-${t}-${i + 1}`)].sort();
        assert.deepEqual(slugs, expected);
    }
});

test('more than 101 events with one title are all created: after -100 comes -{unix_ts}, still unique', async () => {
    const t = tag();
    const base = `crowded-${t}`;
    for (let i = 0; i <= 100; i++) {
        const e = await createEvent(client, host.token, { title: `Crowded ${t}` });
        assert.equal(e.slug, i === 0 ? base : `${base}-${i}`);
    }
    // three more, back to back (very likely within one second)
    const extra = [];
    for (let i = 0; i < 3; i++) {
        const res = await postEvent(client, host.token, { title: `Crowded ${t}` });
        assert.equal(res.status, 201, `extra #${i + 1}: ${summarize(res)}`);
        extra.push(res.json.slug);
    }
    assert.match(extra[0], new RegExp(`^${base}-\\d{10}$`));
    for (const s of extra) assert.match(s, new RegExp(`^${base}-\\d{10}`));
    assert.equal(new Set(extra).size, 3);
});

test('slugs follow the title rules: accents folded, punctuation dropped, "event" when nothing is left', async () => {
    const t = tag();
    assert.equal((await createEvent(client, host.token, { title: `Café  Crème ${t}` })).slug, `cafe-creme-${t}`);
    assert.equal((await createEvent(client, host.token, { title: `Rock_&_Roll!! ${t}` })).slug, `rock-roll-${t}`);
    const nothing = await createEvent(client, host.token, { title: '東京 !!!' });
    assert.match(nothing.slug, /^event(-\d+)?$/);
});

test('the canonical URL uses the venue\'s country and city', async () => {
    const t = tag();
    const venue = await createVenue(client, host.token, { name: 'Austin Hall', city: 'Austin', country_code: 'US' });
    const e = await createEvent(client, host.token, { title: `Abroad ${t}`, venue_id: venue.id, venue_text: 'ignored for the city' });
    assert.equal(e.canonical_url, `/us/austin/events/abroad-${t}--${e.canonical_id}`);
});

/* ------------------------------------------------------------------------
 * share-url
 */

test('share-url: {canonical_id, canonical_url (absolute), canonical_path, slug}', async () => {
    const e = await published();
    const body = okJson(await shareUrl(e.id));
    assert.deepEqual(Object.keys(body).sort(), ['canonical_id', 'canonical_path', 'canonical_url', 'slug']);
    assert.equal(body.canonical_id, e.canonical_id);
    assert.equal(body.canonical_path, e.canonical_url);
    assert.equal(body.canonical_url, `${server.url}${e.canonical_url}`);
    assert.equal(body.slug, e.slug);
    assert.deepEqual(okJson(await shareUrl(e.id, other.token)), body, 'the same for a signed-in user');
    assert.deepEqual(okJson(await client.get(`/api/events/${e.id}/share-url`, { headers: { authorization: 'Bearer junk' } })), body,
        'a bad token is anonymous');
});

test('share-url visibility: public drafts for everyone, private 403, deleted 404', async () => {
    const draft = await createEvent(client, host.token, {});
    assert.equal(okJson(await shareUrl(draft.id)).canonical_id, draft.canonical_id);
    assert.equal(okJson(await shareUrl(draft.id, other.token)).canonical_id, draft.canonical_id);
    assert.equal(okJson(await shareUrl(draft.id, host.token)).canonical_id, draft.canonical_id);
    const priv = await published({ is_public: 'false' });
    assertLoopinError(await shareUrl(priv.id, other.token), 403, 'PERMISSION_DENIED',
        "This is a private event. You don't have permission to view it.");
    assertLoopinError(await shareUrl(priv.id), 403, 'PERMISSION_DENIED');
    assert.equal(okJson(await shareUrl(priv.id, host.token)).slug, priv.slug);
    const gone = await published();
    assert.equal((await deleteEvent(client, gone.id, host.token)).status, 204);
    assertLoopinError(await shareUrl(gone.id), 404, 'EVENT_NOT_FOUND');
    assertLoopinError(await shareUrl(987654321), 404, 'EVENT_NOT_FOUND', 'Event 987654321 not found.');
});

test('share-url follows a title change', async () => {
    const t = tag();
    const e = await published({ title: `Before ${t}` });
    const up = okJson(await putEvent(client, e.id, host.token, { title: `After ${t}` }));
    const body = okJson(await shareUrl(e.id));
    assert.equal(body.slug, `after-${t}`);
    assert.equal(body.canonical_path, up.canonical_url);
    assert.equal(body.canonical_id, e.canonical_id);
});

/* ------------------------------------------------------------------------
 * GET /api/events/canonical/{canonical_id}
 */

test('canonical: the Authorization header is required (403 without)', async () => {
    const e = await published();
    assertErrorBody(await canonical(e.canonical_id), 403, 'NOT_AUTHENTICATED');
});

test('canonical: any token works, a garbage one as anonymous; 200 EventResponse', async () => {
    const e = await published();
    const viaHost = okJson(await canonical(e.canonical_id, bearer(host.token)));
    assert.deepEqual(viaHost, okJson(await getEvent(client, e.id, host.token)));
    assert.deepEqual(okJson(await canonical(e.canonical_id, { authorization: 'Bearer garbage' })), viaHost);
    assert.deepEqual(okJson(await canonical(e.canonical_id, bearer(other.token))), viaHost);
});

test('canonical: only published events: drafts, private, cancelled, completed, deleted and unknown ids are 404', async () => {
    const h = { authorization: 'Bearer garbage' };
    const draft = await createEvent(client, host.token, {});
    assertLoopinError(await canonical(draft.canonical_id, h), 404, 'EVENT_NOT_FOUND');
    assertLoopinError(await canonical(draft.canonical_id, bearer(host.token)), 404, 'EVENT_NOT_FOUND');
    const priv = await published({ is_public: 'false' });
    assert.equal((await canonical(priv.canonical_id, h)).status, 404);
    const cancelled = await published();
    okJson(await putEvent(client, cancelled.id, host.token, { status: 'cancelled' }));
    assertLoopinError(await canonical(cancelled.canonical_id, h), 404, 'EVENT_NOT_FOUND');
    const gone = await published();
    assert.equal((await deleteEvent(client, gone.id, host.token)).status, 204);
    assertLoopinError(await canonical(gone.canonical_id, h), 404, 'EVENT_NOT_FOUND');
    const completed = await published();
    okJson(await putEvent(client, completed.id, host.token, { status: 'completed' }));
    assertLoopinError(await canonical(completed.canonical_id, h), 404, 'EVENT_NOT_FOUND', undefined);
    for (const cid of ['AAAAAAAAAA', 'x', "'; --", '%25'])
        assertLoopinError(await canonical(cid, h), 404, 'EVENT_NOT_FOUND');
});

/* ------------------------------------------------------------------------
 * Title changes and the slug history
 */

test('a title change keeps the canonical id; the old slug stays reserved (409 SLUG_TAKEN for others)', async () => {
    const t = tag();
    const e = await published({ title: `First Name ${t}` });
    const up = okJson(await putEvent(client, e.id, host.token, { title: `Second Name ${t}` }));
    assert.equal(up.canonical_id, e.canonical_id);
    assert.equal(up.slug, `second-name-${t}`);
    assert.equal(up.slug_version, 2);
    assert.equal(okJson(await canonical(e.canonical_id, bearer(host.token))).slug, `second-name-${t}`);

    const otherEvent = await createEvent(client, other.token, { title: `Unrelated ${t}` });
    assertLoopinError(await putEvent(client, otherEvent.id, other.token, { slug: `first-name-${t}` }), 409, 'SLUG_TAKEN');
    assertLoopinError(await putEvent(client, otherEvent.id, other.token, { slug: `second-name-${t}` }), 409, 'SLUG_TAKEN');

    const fresh = await createEvent(client, other.token, { title: `First Name ${t}` });
    assert.equal(fresh.slug, `first-name-${t}-1`, 'a generated slug skips the historic one');

    const back = okJson(await putEvent(client, e.id, host.token, { slug: `first-name-${t}` }));
    assert.equal(back.slug, `first-name-${t}`, 'an event may return to its own old slug');
    assert.equal(back.slug_version, 3);
});

test('a deleted event keeps its slugs reserved', async () => {
    const t = tag();
    const e = await published({ title: `Reserved ${t}` });
    assert.equal((await deleteEvent(client, e.id, host.token)).status, 204);
    const again = await createEvent(client, host.token, { title: `Reserved ${t}` });
    assert.equal(again.slug, `reserved-${t}-1`);
    assertLoopinError(await putEvent(client, again.id, host.token, { slug: `reserved-${t}` }), 409, 'SLUG_TAKEN');
});

test('the slug history records each slug once with its version', async () => {
    const t = tag();
    const e = await published({ title: `History ${t}` });
    okJson(await putEvent(client, e.id, host.token, { title: `History Two ${t}` }));
    okJson(await putEvent(client, e.id, host.token, { slug: `manual-${t}` }));
    const rows = (await dbQuery(server, `SELECT slug, version FROM event_slugs WHERE event_id = ${e.id} ORDER BY version`))
        .split('\n').map((l) => l.split('|'));
    assert.deepEqual(rows, [[`history-${t}`, '1'], [`history-two-${t}`, '2'], [`manual-${t}`, '3']]);
    assertValidationError(await putEvent(client, e.id, host.token, { slug: 'Not Valid' }));
});

test('no request answered 5xx', () => {
    assertNo5xx(client);
});
