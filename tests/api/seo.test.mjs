// seo.test.mjs: the SEO and calendar endpoints of docs/events.md ("Identity",
// "share-url, canonical, SEO, calendar"): the city page (selection, order,
// pagination, interest filter, city copy), event metadata (OpenGraph, the
// 160-character cut, schema.org), the public SEO object and the canonical page
// path with their 301s (wrong slug, wrong city, old slugs), and the iCalendar
// download (CRLF, escaping, folding), on SQLite and PostgreSQL. Events are
// inserted with SQL, so these tests do not depend on POST /api/events.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { api, dbQuery } from './lib/server.mjs';
import { summarize } from './lib/http.mjs';
import { assertErrorBody, assertValidationError, okJson, header } from './lib/expect.mjs';
import { startAccountsServer, phoneFactory, login, bearer, completeProfile, activate } from './lib/accounts.mjs';

let server;
let client;
let host; // {token, id}: an active account that hosts every event below
let other; // {token, id}: another active account
let waitlisted; // {token, id}: an account still on the waitlist
const nextPhone = phoneFactory();
const interestId = {}; // slug -> id

const BASE62 = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const AUTH_ANY = { authorization: 'Bearer not-a-token' }; // the header is there; the token is not

/* ------------------------------------------------------------------------
 * Fixtures
 */

const q = (s) => `'${String(s).replace(/'/g, "''")}'`;
const b = (v) => (v ? 'TRUE' : 'FALSE');
const ts = (iso) => q(iso.replace(/Z$/, '').replace(/\.\d+$/, '') + '.000000Z');

function canonicalId() {
    return [...randomBytes(10)].map((x) => BASE62[x % 62]).join('');
}

let serial = 0;

// Inserts a venue; resolves to its id.
async function insertVenue({ name = 'Blue Room', city = 'Bangalore', citySlug = 'bangalore', cc = 'in',
    venueType = 'indoor', address = '12 MG Road', latitude = '12.971600', longitude = '77.594600' } = {}) {
    const uuid = randomUUID();
    await dbQuery(
        server,
        `INSERT INTO venues (uuid, name, address, city, country_code, city_slug, venue_type, latitude,
            longitude, created_at, updated_at)
         VALUES (${q(uuid)}, ${q(name)}, ${q(address)}, ${q(city)}, ${q(cc)}, ${q(citySlug)},
            ${q(venueType)}, ${latitude ?? 'NULL'}, ${longitude ?? 'NULL'},
            '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')`,
    );
    return Number(await dbQuery(server, `SELECT id FROM venues WHERE uuid = ${q(uuid)}`));
}

// Inserts an event row (and its first event_slugs row) the way the events
// code would; resolves to {id, uuid, canonical_id, slug, canonical_url, ...}.
async function insertEvent(o = {}) {
    serial++;
    const e = {
        title: `SEO test event ${serial}`,
        description: 'A friendly evening of music and conversation.',
        cc: 'in',
        city: 'bangalore',
        status: 'published',
        isPublic: true,
        isActive: true,
        start: `2030-01-${String((serial % 27) + 1).padStart(2, '0')}T18:00:00Z`,
        hours: 3,
        venueId: null,
        venueText: '',
        covers: [],
        isPaid: false,
        priceMinor: 0,
        maxCapacity: 0,
        goingCount: 0,
        hostId: host.id,
        ...o,
    };
    e.uuid = randomUUID();
    e.canonical_id = canonicalId();
    e.slug = o.slug ?? `seo-test-event-${serial}-${e.canonical_id.toLowerCase()}`;
    e.canonical_url = `/${e.cc}/${e.city}/events/${e.slug}--${e.canonical_id}`;
    const start = new Date(e.start);
    const end = new Date(start.getTime() + e.hours * 3600 * 1000);
    e.end = end.toISOString();
    await dbQuery(
        server,
        `INSERT INTO events (uuid, host_id, venue_id, canonical_id, slug, canonical_url, title,
            description, venue_text, country_code, city_slug, start_time, end_time, max_capacity,
            is_paid, ticket_price_minor, cover_images, status, is_public, is_active,
            created_at, updated_at)
         VALUES (${q(e.uuid)}, ${Number(e.hostId)}, ${e.venueId ?? 'NULL'}, ${q(e.canonical_id)},
            ${q(e.slug)}, ${q(e.canonical_url)}, ${q(e.title)}, ${q(e.description)},
            ${q(e.venueText)}, ${q(e.cc)}, ${q(e.city)}, ${ts(start.toISOString())},
            ${ts(e.end)}, ${e.maxCapacity}, ${b(e.isPaid)}, ${e.priceMinor},
            ${q(JSON.stringify(e.covers))}, ${q(e.status)}, ${b(e.isPublic)}, ${b(e.isActive)},
            '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')`,
    );
    e.id = Number(await dbQuery(server, `SELECT id FROM events WHERE uuid = ${q(e.uuid)}`));
    if (e.goingCount > 0) {
        // Seats taken, straight into the event's seat buckets (bucket 0 holds
        // them and the whole capacity; the others none).
        await dbQuery(
            server,
            `UPDATE event_seat_buckets SET taken = CASE WHEN bucket = 0 THEN ${e.goingCount} ELSE 0 END,
                capacity = CASE WHEN capacity IS NULL THEN NULL WHEN bucket = 0 THEN ${e.maxCapacity} ELSE 0 END
             WHERE event_id = ${e.id}`,
        );
    }
    await addSlug(e, e.slug, 1);
    return e;
}

async function addSlug(e, slug, version) {
    await dbQuery(
        server,
        `INSERT INTO event_slugs (event_id, slug, version, created_at)
         VALUES (${e.id}, ${q(slug)}, ${version}, '2026-01-01T00:00:00.000000Z')`,
    );
}

async function tag(e, slug) {
    await dbQuery(
        server,
        `INSERT INTO event_interest_map (event_id, interest_id) VALUES (${e.id}, ${interestId[slug]})`,
    );
}

async function account({ active = true } = {}) {
    const phone = nextPhone();
    const { token, user_id } = await login(server, client, phone);
    if (active) {
        const res = await completeProfile(client, token);
        assert.equal(res.status, 200, summarize(res));
        await activate(server, user_id);
    }
    return { token, id: Number(user_id) };
}

const cityPath = (cc, city, query = '') => `/api/events/seo/cities/${cc}/${city}/events${query}`;
const cityPage = (cc, city, query = '', headers = AUTH_ANY) => client.get(cityPath(cc, city, query), { headers });
const metadata = (cid, headers = AUTH_ANY) => client.get(`/api/events/seo/canonical/${cid}/metadata`, { headers });
const publicSeo = (cid, query = '') => client.get(`/api/public/events/${cid}/seo${query}`);
const ics = (id, headers = {}) => client.get(`/api/events/${id}/calendar.ics`, { headers });

before(async () => {
    server = await startAccountsServer();
    client = api(server);
    host = await account();
    other = await account();
    waitlisted = await account({ active: false });
    const rows = await dbQuery(server, 'SELECT id, slug FROM event_interests');
    for (const line of rows.split('\n')) {
        const [id, slug] = line.split('|');
        interestId[slug] = Number(id);
    }
    await dbQuery(
        server,
        `INSERT INTO event_interests (uuid, name, slug, is_active, created_at, updated_at) VALUES
         ('7e1d3f2a-0000-4000-8000-00000000b001', 'Retired SEO Topic', 'retired-seo-topic', FALSE,
          '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')`,
    );
});

after(async () => {
    await server?.stop();
});

/* ------------------------------------------------------------------------
 * Authorization header: required, but the token is optional
 */

test('SEO endpoints answer 403 without an Authorization header; bad tokens are anonymous', async () => {
    const e = await insertEvent({ city: 'auth-city' });
    for (const res of [await cityPage('in', 'auth-city', '', {}), await metadata(e.canonical_id, {})])
        assertErrorBody(res, 403, 'NOT_AUTHENTICATED', { detail: 'Not authenticated' });
    assertErrorBody(await cityPage('in', 'auth-city', '', { authorization: 'Bearer ' }), 403, 'NOT_AUTHENTICATED');
    assertErrorBody(
        await metadata(e.canonical_id, { authorization: 'Basic dXNlcjpwYXNz' }),
        403,
        'INVALID_AUTH_SCHEME',
        { detail: 'Invalid authentication credentials' },
    );
    for (const headers of [AUTH_ANY, bearer(host.token), bearer(waitlisted.token), bearer(`${host.token}x`)]) {
        assert.equal(okJson(await cityPage('in', 'auth-city', '', headers)).pagination.total, 1);
        assert.equal(okJson(await metadata(e.canonical_id, headers)).seo.event_id, e.canonical_id);
    }
    // the public SEO object, the canonical page and the calendar need no header at all
    okJson(await publicSeo(e.canonical_id));
    okJson(await client.get(e.canonical_url));
    assert.equal((await ics(e.id)).status, 200);
});

/* ------------------------------------------------------------------------
 * City page
 */

test('city page: selection, order, city copy and schema.org objects', async () => {
    const day = (d, h = 18) => `2031-03-${String(d).padStart(2, '0')}T${h}:00:00Z`;
    const a = await insertEvent({ start: day(1) });
    const bb = await insertEvent({ start: day(5) });
    const c = await insertEvent({ start: day(5) }); // same start: the higher id first
    const d = await insertEvent({ start: day(3), status: 'completed' });
    await insertEvent({ start: day(2), status: 'draft' });
    await insertEvent({ start: day(2), isPublic: false });
    await insertEvent({ start: day(2), isActive: false });
    await insertEvent({ start: day(2), city: 'mumbai' });
    await insertEvent({ start: day(2), cc: 'us' });

    const body = okJson(await cityPage('in', 'bangalore', '?limit=100'));
    // only published events (other tests add some to this city too), newest
    // first, id descending on equal start times
    const ids = body.events.map((e) => e.id);
    const mine = ids.filter((id) => [a.id, bb.id, c.id, d.id].includes(id));
    assert.deepEqual(mine, [c.id, bb.id, a.id], JSON.stringify(ids));
    for (const ev of body.events) {
        assert.equal(ev.status, 'published');
        assert.equal(ev.is_public, true);
        assert.equal(ev.is_active, true);
        assert.match(ev.canonical_url, /^\/in\/bangalore\/events\//);
    }
    for (let i = 1; i < body.events.length; i++)
        assert.ok(body.events[i - 1].start_time >= body.events[i].start_time, 'ordered by start_time desc');

    const seo = body.seo;
    assert.equal(seo.title, 'Events in Bangalore Today & This Week | Loopin');
    assert.equal(seo.h1, 'Events in Bangalore');
    assert.equal(seo.city_name, 'Bangalore');
    assert.equal(seo.city_slug, 'bangalore');
    assert.equal(seo.country_code, 'in');
    assert.equal(seo.country, 'India');
    assert.equal(seo.canonical_url, `${server.url}/in/bangalore/events`);
    assert.ok(seo.static_content.length > 40);
    assert.match(seo.description, new RegExp(`^Discover ${body.pagination.total} events in Bangalore\\. `));
    assert.equal(body.interest, null);

    const crumbs = body.schema.breadcrumb;
    assert.equal(crumbs['@context'], 'https://schema.org');
    assert.equal(crumbs['@type'], 'BreadcrumbList');
    assert.deepEqual(
        crumbs.itemListElement.map((i) => [i['@type'], i.position, i.name, i.item]),
        [
            ['ListItem', 1, 'Home', `${server.url}/`],
            ['ListItem', 2, 'Events in Bangalore', `${server.url}/in/bangalore/events`],
        ],
    );
    const page = body.schema.city_page;
    assert.equal(page['@type'], 'CollectionPage');
    assert.equal(page.name, 'Events in Bangalore');
    assert.equal(page.url, `${server.url}/in/bangalore/events`);
    assert.deepEqual(page.about, { '@type': 'City', name: 'Bangalore', addressCountry: 'IN' });

    // the status filter: completed is public; drafts and cancelled are never listed
    const completed = okJson(await cityPage('in', 'bangalore', '?status=completed&limit=100'));
    assert.ok(completed.events.some((e) => e.id === d.id));
    assert.ok(completed.events.every((e) => e.status === 'completed'));
    for (const status of ['draft', 'cancelled']) {
        const res = okJson(await cityPage('in', 'bangalore', `?status=${status}`));
        assert.equal(res.pagination.total, 0);
        assert.deepEqual(res.events, []);
    }

    // the path is case-insensitive
    const upper = okJson(await cityPage('IN', 'Bangalore', '?limit=100'));
    assert.deepEqual(upper.events.map((e) => e.id), body.events.map((e) => e.id));
    assert.equal(upper.seo.city_slug, 'bangalore');
});

test('city page: the six launch cities have their own copy, any other city the generic one', async () => {
    for (const [slug, name] of [['bangalore', 'Bangalore'], ['mumbai', 'Mumbai'], ['delhi', 'Delhi'],
        ['hyderabad', 'Hyderabad'], ['chennai', 'Chennai'], ['pune', 'Pune']]) {
        const seo = okJson(await cityPage('in', slug)).seo;
        assert.equal(seo.title, `Events in ${name} Today & This Week | Loopin`);
        assert.equal(seo.city_name, name);
        assert.equal(seo.country, 'India');
    }
    const body = okJson(await cityPage('in', 'navi-mumbai-2'));
    assert.equal(body.seo.title, 'Events in Navi Mumbai 2 | Loopin');
    assert.equal(body.seo.h1, 'Events in Navi Mumbai 2');
    assert.equal(body.seo.city_name, 'Navi Mumbai 2');
    assert.equal(body.seo.static_content, 'Find the best events and meetups in Navi Mumbai 2 on Loopin.');
    assert.equal(body.seo.canonical_url, `${server.url}/in/navi-mumbai-2/events`);
    assert.deepEqual(body.events, []);
    assert.deepEqual(body.pagination, {
        page: 1, limit: 20, total: 0, total_pages: 1, has_next: false, has_prev: false,
        next_page: null, prev_page: null, next_url: null, prev_url: null,
    });
    // a launch city abroad gets the generic copy and its own country
    const abroad = okJson(await cityPage('us', 'pune')).seo;
    assert.equal(abroad.title, 'Events in Pune | Loopin');
    assert.equal(abroad.country_code, 'us');
    assert.equal(abroad.country, 'US');
});

test('city page: pagination arithmetic and URLs', async () => {
    const made = [];
    for (let i = 0; i < 5; i++)
        made.push(await insertEvent({ city: 'page-city', start: `2032-01-0${i + 1}T10:00:00Z` }));
    const newestFirst = made.map((e) => e.id).reverse();

    const p1 = okJson(await cityPage('in', 'page-city', '?limit=2'));
    assert.deepEqual(p1.events.map((e) => e.id), newestFirst.slice(0, 2));
    assert.deepEqual(p1.pagination, {
        page: 1, limit: 2, total: 5, total_pages: 3, has_next: true, has_prev: false,
        next_page: 2, prev_page: null, next_url: '/in/page-city/events?page=2', prev_url: null,
    });
    const p2 = okJson(await cityPage('in', 'page-city', '?limit=2&page=2'));
    assert.deepEqual(p2.events.map((e) => e.id), newestFirst.slice(2, 4));
    assert.equal(p2.pagination.prev_url, '/in/page-city/events?page=1');
    assert.equal(p2.pagination.next_url, '/in/page-city/events?page=3');
    const p3 = okJson(await cityPage('in', 'page-city', '?limit=2&page=3'));
    assert.deepEqual(p3.events.map((e) => e.id), newestFirst.slice(4));
    assert.equal(p3.pagination.has_next, false);
    assert.equal(p3.pagination.next_page, null);
    assert.equal(p3.pagination.next_url, null);
    assert.equal(p3.pagination.prev_page, 2);
    // past the end: no events, the real total
    const p9 = okJson(await cityPage('in', 'page-city', '?limit=2&page=9'));
    assert.deepEqual(p9.events, []);
    assert.equal(p9.pagination.total, 5);
    assert.equal(p9.pagination.total_pages, 3);
    assert.equal(p9.pagination.has_next, false);
    assert.equal(p9.pagination.has_prev, true);
    // a page number that would overflow an offset is just past the end
    const huge = okJson(await cityPage('in', 'page-city', '?limit=100&page=9223372036854775807'));
    assert.deepEqual(huge.events, []);
    // exact multiple: 5 events, limit 5 -> one page
    assert.equal(okJson(await cityPage('in', 'page-city', '?limit=5')).pagination.total_pages, 1);
    // default limit 20
    assert.equal(okJson(await cityPage('in', 'page-city')).pagination.limit, 20);
});

test('city page: query and path validation is 422', async () => {
    const cases = [
        ['?page=0', 'page', 'greater_than_equal'],
        ['?page=-3', 'page', 'greater_than_equal'],
        ['?page=abc', 'page', 'int_parsing'],
        ['?limit=0', 'limit', 'greater_than_equal'],
        ['?limit=101', 'limit', 'less_than_equal'],
        ['?limit=1.5', 'limit', 'int_parsing'],
        ['?status=open', 'status', 'enum'],
        ['?status=', 'status', 'enum'],
    ];
    for (const [query, field, type] of cases)
        assertValidationError(await cityPage('in', 'bangalore', query), { type, loc: ['query', field] });
    assertValidationError(await cityPage('ind', 'bangalore'), { loc: ['path', 'country_code'] });
    assertValidationError(await cityPage('i1', 'bangalore'), { loc: ['path', 'country_code'] });
    assertValidationError(await cityPage('in', 'new%20delhi'), { loc: ['path', 'city_slug'] });
    assertValidationError(await cityPage('in', '%C3%A9v%FF'), { loc: ['path', 'city_slug'] });
    assertValidationError(await cityPage('in', 'x'.repeat(101)), { loc: ['path', 'city_slug'] });
    // every mistake is reported at once
    const res = await cityPage('in', 'bangalore', '?page=0&limit=500&status=nope');
    assertValidationError(res);
    assert.equal(res.json.detail.length, 3);
});

test('city page: the interest filter, its URLs and 404 for unknown or inactive interests', async () => {
    const music = await insertEvent({ city: 'interest-city', start: '2033-01-02T10:00:00Z' });
    const both = await insertEvent({ city: 'interest-city', start: '2033-01-03T10:00:00Z' });
    const art = await insertEvent({ city: 'interest-city', start: '2033-01-04T10:00:00Z' });
    await insertEvent({ city: 'interest-city', start: '2033-01-05T10:00:00Z' });
    const draft = await insertEvent({ city: 'interest-city', status: 'draft' });
    await tag(music, 'music');
    await tag(both, 'music');
    await tag(both, 'art');
    await tag(art, 'art');
    await tag(draft, 'music');

    const body = okJson(await cityPage('in', 'interest-city', '?event_interest_slug=music&limit=1'));
    assert.deepEqual(body.interest, { id: interestId.music, name: 'Music', slug: 'music' });
    assert.equal(body.pagination.total, 2);
    assert.deepEqual(body.events.map((e) => e.id), [both.id]);
    assert.ok(body.events[0].event_interests.some((i) => i.slug === 'music'));
    assert.equal(body.pagination.next_url, '/in/interest-city/events/music?page=2');
    assert.equal(body.seo.h1, 'Music events in Interest City');
    assert.equal(body.seo.canonical_url, `${server.url}/in/interest-city/events/music`);
    assert.equal(body.schema.breadcrumb.itemListElement.length, 3);
    assert.equal(body.schema.breadcrumb.itemListElement[2].item, `${server.url}/in/interest-city/events/music`);

    const p2 = okJson(await cityPage('in', 'interest-city', '?event_interest_slug=music&limit=1&page=2'));
    assert.deepEqual(p2.events.map((e) => e.id), [music.id]);
    assert.equal(p2.pagination.prev_url, '/in/interest-city/events/music?page=1');

    const arts = okJson(await cityPage('in', 'interest-city', '?event_interest_slug=ART'));
    assert.deepEqual(arts.events.map((e) => e.id), [art.id, both.id]);
    assert.equal(okJson(await cityPage('in', 'interest-city')).pagination.total, 4);
    assert.equal(okJson(await cityPage('in', 'interest-city', '?event_interest_slug=')).pagination.total, 4);

    for (const slug of ['no-such-interest', 'retired-seo-topic', "music'--", '%FF%FE', 'x'.repeat(300)])
        assertErrorBody(
            await cityPage('in', 'interest-city', `?event_interest_slug=${slug}`),
            404,
            'INTEREST_NOT_FOUND',
        );
});

/* ------------------------------------------------------------------------
 * Event metadata
 */

test('metadata: seo, OpenGraph/Twitter fields, schema.org Event and the event itself', async () => {
    const venueId = await insertVenue({ name: 'Toit Hall', city: 'Bangalore', venueType: 'hybrid' });
    const description = 'Live jazz with friends. '.repeat(15); // 345 characters
    const e = await insertEvent({
        title: 'Jazz Night',
        description,
        venueId,
        covers: ['https://cdn.example.com/a.jpg', 'https://cdn.example.com/b.jpg'],
        isPaid: true,
        priceMinor: 25000,
        maxCapacity: 2,
        goingCount: 2,
    });
    const body = okJson(await metadata(e.canonical_id));
    const url = `${server.url}${e.canonical_url}`;
    const cut = description.slice(0, 157) + '...';
    assert.deepEqual(body.seo, {
        title: 'Jazz Night in Bangalore | Loopin',
        description: cut,
        canonical_url: url,
        og_title: 'Jazz Night',
        og_description: cut,
        og_image: 'https://cdn.example.com/a.jpg',
        og_url: url,
        og_type: 'website',
        og_site_name: 'Loopin',
        twitter_card: 'summary_large_image',
        twitter_title: 'Jazz Night',
        twitter_description: cut,
        twitter_image: 'https://cdn.example.com/a.jpg',
        event_id: e.canonical_id,
        event_slug: e.slug,
        event_start_time: body.seo.event_start_time,
        event_end_time: body.seo.event_end_time,
        event_location: 'Toit Hall',
    });
    assert.equal(body.seo.description.length, 160);
    assert.equal(Date.parse(body.seo.event_start_time), Date.parse(e.start));
    assert.equal(Date.parse(body.seo.event_end_time), Date.parse(e.end));
    assert.match(body.seo.event_start_time, /Z$/);

    const ev = body.schema.event;
    assert.equal(ev['@context'], 'https://schema.org');
    assert.equal(ev['@type'], 'Event');
    assert.equal(ev.name, 'Jazz Night');
    assert.equal(ev.description, description.slice(0, 500));
    assert.equal(ev.url, url);
    assert.equal(ev.image, 'https://cdn.example.com/a.jpg');
    assert.equal(Date.parse(ev.startDate), Date.parse(e.start));
    assert.equal(ev.location['@type'], 'Place');
    assert.equal(ev.location.name, 'Toit Hall');
    assert.deepEqual(ev.location.address, {
        '@type': 'PostalAddress', streetAddress: '12 MG Road', addressLocality: 'Bangalore', addressCountry: 'IN',
    });
    assert.equal(ev.location.geo['@type'], 'GeoCoordinates');
    assert.ok(Math.abs(ev.location.geo.latitude - 12.9716) < 1e-6);
    assert.ok(Math.abs(ev.location.geo.longitude - 77.5946) < 1e-6);
    assert.deepEqual(ev.offers, {
        '@type': 'Offer', price: '250.00', priceCurrency: 'INR', availability: 'https://schema.org/SoldOut', url,
    });
    assert.equal(ev.eventStatus, 'https://schema.org/EventScheduled');
    assert.equal(ev.eventAttendanceMode, 'https://schema.org/MixedEventAttendanceMode');
    assert.equal(ev.organizer['@type'], 'Person');
    assert.equal(ev.organizer.name, 'Asha Rao');

    assert.deepEqual(
        body.schema.breadcrumb.itemListElement.map((i) => [i.position, i.name, i.item]),
        [[1, 'Home', `${server.url}/`], [2, 'Events in Bangalore', `${server.url}/in/bangalore/events`], [3, 'Jazz Night', url]],
    );
    assert.equal(body.event.id, e.id);
    assert.equal(body.event.canonical_id, e.canonical_id);
    assert.equal(body.event.ticket_price, '250.00');
});

test('metadata: the 160-character cut counts characters; free events are InStock', async () => {
    const exact = 'x'.repeat(160);
    const e1 = await insertEvent({ description: exact, venueText: 'Cubbon Park' });
    const m1 = okJson(await metadata(e1.canonical_id));
    assert.equal(m1.seo.description, exact);
    assert.equal(m1.seo.title, `${e1.title} in Cubbon Park | Loopin`);
    assert.equal(m1.seo.event_location, 'Cubbon Park');
    assert.equal(m1.seo.og_image, '');
    assert.equal(m1.schema.event.image, undefined);
    assert.deepEqual(m1.schema.event.location, { '@type': 'Place', name: 'Cubbon Park' });
    assert.equal(m1.schema.event.offers.price, '0');
    assert.equal(m1.schema.event.offers.availability, 'https://schema.org/InStock');
    assert.equal(m1.schema.event.eventAttendanceMode, 'https://schema.org/OfflineEventAttendanceMode');

    const e2 = await insertEvent({ description: 'x'.repeat(161) });
    assert.equal(okJson(await metadata(e2.canonical_id)).seo.description, 'x'.repeat(157) + '...');

    const accented = 'é'.repeat(100) + '日本'.repeat(40); // 180 characters, multi-byte
    const e3 = await insertEvent({ description: accented });
    const d3 = okJson(await metadata(e3.canonical_id)).seo.description;
    assert.equal([...d3].length, 160);
    assert.equal(d3, [...accented].slice(0, 157).join('') + '...');

    const e4 = await insertEvent({ isPaid: true, priceMinor: 9900, maxCapacity: 10, goingCount: 3 });
    const offers = okJson(await metadata(e4.canonical_id)).schema.event.offers;
    assert.equal(offers.price, '99.00');
    assert.equal(offers.availability, 'https://schema.org/InStock');
});

test('metadata and public SEO: 404 for drafts, private, deleted, cancelled and unknown events', async () => {
    const hidden = [
        await insertEvent({ status: 'draft' }),
        await insertEvent({ isPublic: false }),
        await insertEvent({ isActive: false }),
        await insertEvent({ status: 'cancelled' }),
        await insertEvent({ status: 'completed' }),
    ];
    for (const e of hidden) {
        assertErrorBody(await metadata(e.canonical_id, bearer(host.token)), 404, 'EVENT_NOT_FOUND', {
            detail: `Event ${e.canonical_id} not found.`,
        });
        assertErrorBody(await publicSeo(e.canonical_id), 404, 'EVENT_NOT_FOUND');
        assertErrorBody(await client.get(e.canonical_url), 404, 'EVENT_NOT_FOUND');
    }
    for (const cid of ['ZZZZZZZZZZ', 'abc-def', 'x'.repeat(11), '%FF%FE', "1'%20OR%201=1"]) {
        assertErrorBody(await metadata(cid), 404, 'EVENT_NOT_FOUND');
        assertErrorBody(await publicSeo(cid), 404, 'EVENT_NOT_FOUND');
    }
});

/* ------------------------------------------------------------------------
 * Public SEO object and the canonical page path
 */

test('public SEO: 200 object, 301 on a wrong or old slug and on a wrong city', async () => {
    const venueId = await insertVenue({ name: 'Indiranagar Social', city: 'Bangalore' });
    const e = await insertEvent({
        title: 'Board Games Evening',
        venueId,
        covers: ['https://cdn.example.com/games.png'],
    });
    await addSlug(e, `old-${e.slug}`, 2);
    const expected = {
        event_title: 'Board Games Evening',
        about_event: e.description,
        event_image_url: 'https://cdn.example.com/games.png',
        start_time: null,
        end_time: null,
        city: 'Bangalore',
        venue_or_location: 'Indiranagar Social',
        canonical_url: `${server.url}${e.canonical_url}`,
    };
    const check = (res) => {
        const body = okJson(res);
        assert.equal(Date.parse(body.start_time), Date.parse(e.start));
        assert.equal(Date.parse(body.end_time), Date.parse(e.end));
        assert.deepEqual({ ...body, start_time: null, end_time: null }, expected);
    };
    check(await publicSeo(e.canonical_id));
    check(await publicSeo(e.canonical_id, `?url_event_slug=${e.slug}&url_city_slug=bangalore`));
    check(await publicSeo(e.canonical_id, `?url_city_slug=bangalore`));

    const location = `${server.url}${e.canonical_url}`;
    for (const query of [
        '?url_event_slug=some-other-slug',
        `?url_event_slug=old-${e.slug}`,
        `?url_event_slug=${e.slug}&url_city_slug=mumbai`,
        '?url_city_slug=Bangalore',
        '?url_event_slug=%FF',
    ]) {
        const res = await publicSeo(e.canonical_id, query);
        assert.equal(res.status, 301, summarize(res));
        assert.equal(header(res, 'location'), location, summarize(res));
        assert.deepEqual(res.json, { detail: 'Moved Permanently', location });
    }

    // no venue: city and place fall back to venue_text, then to the placeholders
    const textual = await insertEvent({ venueText: 'Lalbagh Gardens' });
    const t = okJson(await publicSeo(textual.canonical_id));
    assert.equal(t.city, 'Lalbagh Gardens');
    assert.equal(t.venue_or_location, 'Lalbagh Gardens');
    assert.equal(t.event_image_url, '');
    const bare = await insertEvent({ city: 'unknown' });
    const u = okJson(await publicSeo(bare.canonical_id));
    assert.equal(u.city, 'Unknown');
    assert.equal(u.venue_or_location, 'Location TBD');
});

test('canonical page path: 200 on the current URL, 301 for any other slug, city or country', async () => {
    const e = await insertEvent({ title: 'Sunday Run', city: 'pune' });
    await addSlug(e, `renamed-${e.slug}`, 2);
    const location = `${server.url}${e.canonical_url}`;

    const body = okJson(await client.get(e.canonical_url));
    assert.equal(body.event_title, 'Sunday Run');
    assert.equal(body.canonical_url, location);

    const variants = [
        `/in/mumbai/events/${e.slug}--${e.canonical_id}`, // wrong city
        `/us/pune/events/${e.slug}--${e.canonical_id}`, // wrong country
        `/in/pune/events/renamed-${e.slug}--${e.canonical_id}`, // an old slug
        `/in/pune/events/anything-at-all--${e.canonical_id}`, // any slug: the id decides
        `/in/pune/events/renamed-${e.slug}`, // a bare old slug
        `/in/pune/events/${e.slug}`, // the bare current slug
        `/xx/elsewhere/events/renamed-${e.slug}`,
    ];
    for (const path of variants) {
        const res = await client.get(path);
        assert.equal(res.status, 301, summarize(res));
        assert.equal(header(res, 'location'), location, summarize(res));
    }
    for (const path of [
        `/in/pune/events/never-used-slug-${e.canonical_id.toLowerCase()}`,
        `/in/pune/events/${e.slug}--ZZZZZZZZZZ`,
        '/in/pune/events/Bad%20Slug',
        '/in/pune/events/%FF%FE--abc',
    ])
        assertErrorBody(await client.get(path), 404, 'EVENT_NOT_FOUND');
});

/* ------------------------------------------------------------------------
 * Calendar
 */

// Lines of an iCalendar text, unfolded (RFC 5545 3.1).
function unfold(text) {
    return text.replace(/\r\n[ \t]/g, '').split('\r\n');
}

function prop(lines, name) {
    const line = lines.find((l) => l.startsWith(`${name}:`));
    return line === undefined ? undefined : line.slice(name.length + 1);
}

const unescapeText = (v) => v.replace(/\\([\\;,nN])/g, (_, c) => (c === 'n' || c === 'N' ? '\n' : c));

test('calendar.ics: RFC 5545 text with escaping, folding and the event fields', async () => {
    const venueId = await insertVenue({ name: 'Hall; One', city: 'Bangalore' });
    const title = 'Music, Poetry; and \\ more\nat night';
    const description = `Line one\r\nLine two, with commas; semicolons.\n${'Déjà vu — 日本語 '.repeat(12)}`;
    const e = await insertEvent({ title, description, venueId, start: '2030-06-15T13:30:00Z', hours: 2.5 });
    const res = await ics(e.id);
    assert.equal(res.status, 200, summarize(res));
    assert.equal(header(res, 'content-type'), 'text/calendar; charset=utf-8');
    assert.equal(header(res, 'content-disposition'), `attachment; filename="${e.slug}.ics"`);

    const text = res.text;
    assert.ok(!text.includes('\uFFFD'), 'no fold may split a UTF-8 sequence');
    assert.ok(text.endsWith('\r\n'));
    assert.ok(!/[^\r]\n/.test(text), 'every line ends with CRLF');
    for (const line of text.split('\r\n'))
        assert.ok(Buffer.byteLength(line, 'utf8') <= 75, `line longer than 75 octets: ${JSON.stringify(line)}`);
    assert.ok(text.split('\r\n').some((l) => l.startsWith(' ')), 'the long description is folded');

    const lines = unfold(text);
    assert.equal(lines[0], 'BEGIN:VCALENDAR');
    assert.ok(lines.includes('VERSION:2.0'));
    assert.ok(lines.some((l) => l.startsWith('PRODID:')));
    assert.ok(lines.includes('BEGIN:VEVENT') && lines.includes('END:VEVENT'));
    assert.equal(lines.at(-2), 'END:VCALENDAR');
    assert.equal(prop(lines, 'UID'), `${e.uuid}@loopin`);
    assert.match(prop(lines, 'DTSTAMP'), /^\d{8}T\d{6}Z$/);
    assert.equal(prop(lines, 'DTSTART'), '20300615T133000Z');
    assert.equal(prop(lines, 'DTEND'), '20300615T160000Z');
    assert.equal(prop(lines, 'SUMMARY'), 'Music\\, Poetry\\; and \\\\ more\\nat night');
    assert.equal(unescapeText(prop(lines, 'SUMMARY')), title);
    assert.equal(unescapeText(prop(lines, 'DESCRIPTION')), description.replace(/\r\n/g, '\n'));
    assert.equal(prop(lines, 'LOCATION'), 'Hall\\; One\\, Bangalore');
    assert.equal(prop(lines, 'URL'), `${server.url}${e.canonical_url}`);
    assert.equal(prop(lines, 'STATUS'), 'CONFIRMED');

    const postponed = await insertEvent({ status: 'postponed', venueText: 'Somewhere, Pune' });
    const pl = unfold((await ics(postponed.id)).text);
    assert.equal(prop(pl, 'STATUS'), 'TENTATIVE');
    assert.equal(prop(pl, 'LOCATION'), 'Somewhere\\, Pune');
    const completed = await insertEvent({ status: 'completed' });
    const cl = unfold((await ics(completed.id)).text);
    assert.equal(prop(cl, 'STATUS'), 'CONFIRMED');
    assert.equal(prop(cl, 'LOCATION'), undefined);
});

test('calendar.ics: only published events the caller may see', async () => {
    const draft = await insertEvent({ status: 'draft' });
    const cancelled = await insertEvent({ status: 'cancelled' });
    const priv = await insertEvent({ isPublic: false });
    const deleted = await insertEvent({ isActive: false });
    for (const e of [draft, cancelled, priv, deleted]) {
        for (const headers of [{}, bearer(other.token), bearer(waitlisted.token), AUTH_ANY])
            assertErrorBody(await ics(e.id, headers), 404, 'EVENT_NOT_FOUND', { detail: `Event ${e.id} not found.` });
    }
    // drafts and cancelled events stay hidden from their host too; a private one is the host's
    assertErrorBody(await ics(draft.id, bearer(host.token)), 404, 'EVENT_NOT_FOUND');
    assertErrorBody(await ics(cancelled.id, bearer(host.token)), 404, 'EVENT_NOT_FOUND');
    assert.equal((await ics(priv.id, bearer(host.token))).status, 200);
    assertErrorBody(await ics(99999999), 404, 'EVENT_NOT_FOUND');
    assertValidationError(await ics('abc'), { loc: ['path', 'event_id'] });
});

/* ------------------------------------------------------------------------
 * End of file
 */

test('no request in this file answered 5xx', () => {
    const bad = client.responses.filter((r) => r.status >= 500);
    assert.deepEqual(bad.map(summarize), []);
});
