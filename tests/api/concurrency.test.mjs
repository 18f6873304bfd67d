// concurrency.test.mjs: no lost updates (issue 16 part 1). Parallel writes
// to one event each read-modify-write the locked row, so every increment and
// every history row survives; clients that want optimistic concurrency get
// an ETag on GET and a 412 for a stale If-Match, with nothing applied.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, dbQuery, summarize } from './lib/server.mjs';
import { startAccountsServer, phoneFactory, bearer } from './lib/accounts.mjs';
import { newAccount, createEvent, getEvent, putEvent, tag } from './lib/events.mjs';

const nextPhone = phoneFactory();
let server, client, host;

before(async () => {
    server = await startAccountsServer();
    client = api(server);
    host = await newAccount(server, client, nextPhone);
});

after(async () => {
    await server?.stop();
});

test('20 parallel PUTs with distinct titles: slug_version 21 and every old slug still redirects', async () => {
    const t = tag();
    const ev = await createEvent(client, host.token, { title: `Race ${t}`, status: 'published' });
    assert.equal(ev.slug_version, 1);
    const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => putEvent(client, ev.id, host.token, { title: `Race ${t} take ${i}` })),
    );
    for (const r of results) assert.equal(r.status, 200, summarize(r));
    const final = (await getEvent(client, ev.id, host.token)).json;
    assert.equal(final.slug_version, 21, `slug_version ${final.slug_version}`);
    // each answer shows the event as of its read, which a later writer may
    // already have changed: the history is what must hold every slug
    const history = (await dbQuery(server, `SELECT slug FROM event_slugs WHERE event_id = ${ev.id}`)).split('\n');
    assert.equal(history.length, 21, `slug history: ${history}`);
    const slugs = new Set(history);
    slugs.delete(final.slug);
    assert.equal(slugs.size, 20, `superseded slugs: ${[...slugs]}`);
    const [, cc, city] = final.canonical_url.split('/');
    for (const old of slugs) {
        const res = await client.get(`/${cc}/${city}/events/${old}`);
        assert.equal(res.status, 301, `${old}: ${summarize(res)}`);
        assert.ok(res.headers.get('location').endsWith(final.canonical_url), res.headers.get('location'));
    }
});

test('GET sends an ETag; PUT with the current one applies and moves it; a stale one is 412 and changes nothing', async () => {
    const ev = await createEvent(client, host.token, { title: `Tagged ${tag()}` });
    const first = await getEvent(client, ev.id, host.token);
    const etag = first.headers.get('etag');
    assert.match(etag ?? '', /^"[^"]+"$/, 'a strong ETag');
    const ok = await client.put(`/api/events/${ev.id}`, {
        headers: { ...bearer(host.token), 'if-match': etag },
        json: { title: 'First writer wins' },
    });
    assert.equal(ok.status, 200, summarize(ok));
    const newTag = ok.headers.get('etag');
    assert.ok(newTag && newTag !== etag, 'the ETag moved');
    const stale = await client.put(`/api/events/${ev.id}`, {
        headers: { ...bearer(host.token), 'if-match': etag },
        json: { title: 'Stale writer' },
    });
    assert.equal(stale.status, 412, summarize(stale));
    assert.equal(typeof stale.json?.detail, 'string');
    assert.equal(stale.json?.error_code, 'PRECONDITION_FAILED');
    const now = await getEvent(client, ev.id, host.token);
    assert.equal(now.json.title, 'First writer wins');
    assert.equal(now.headers.get('etag'), newTag);
    const star = await client.put(`/api/events/${ev.id}`, {
        headers: { ...bearer(host.token), 'if-match': '*' },
        json: { title: 'Any version' },
    });
    assert.equal(star.status, 200, summarize(star));
    const weak = await client.put(`/api/events/${ev.id}`, {
        headers: { ...bearer(host.token), 'if-match': `W/${star.headers.get('etag')}` },
        json: { title: 'Weak tag' },
    });
    assert.equal(weak.status, 412, 'a weak tag never matches strongly');
});

test('the profile: ETag on GET, 412 for a stale If-Match with nothing applied', async () => {
    const get = () => client.get('/api/auth/profile', { headers: bearer(host.token) });
    const first = await get();
    const etag = first.headers.get('etag');
    assert.match(etag ?? '', /^"[^"]+"$/);
    const put = (json, ifMatch) =>
        client.put('/api/auth/profile', { headers: { ...bearer(host.token), 'if-match': ifMatch }, json });
    const ok = await put({ bio: 'first' }, etag);
    assert.equal(ok.status, 200, summarize(ok));
    assert.notEqual(ok.headers.get('etag'), etag);
    const stale = await put({ bio: 'stale' }, etag);
    assert.equal(stale.status, 412, summarize(stale));
    assert.equal((await get()).json.bio, 'first');
});

test('20 parallel profile updates all land: the last bio is one of them and no request failed', async () => {
    const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
            client.put('/api/auth/profile', { headers: bearer(host.token), json: { bio: `bio ${i}` } }),
        ),
    );
    for (const r of results) assert.equal(r.status, 200, summarize(r));
    const bio = (await client.get('/api/auth/profile', { headers: bearer(host.token) })).json.bio;
    assert.match(bio, /^bio \d+$/);
});
