// venues.test.mjs: venues (docs/events.md "Venues", API.md section 5):
// creating with every field rule as a FastAPI 422, the Venue object
// (coordinates as 6-place decimal strings, country_code, city_slug), the
// listing with its city/type filters (LIKE metacharacters are literal),
// paging and order, GET by id (404 VENUE_NOT_FOUND for unknown and inactive
// venues) and the auth rules, on SQLite and PostgreSQL.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { api, dbQuery, summarize } from './lib/server.mjs';
import { assertErrorBody, assertValidationError, okJson } from './lib/expect.mjs';
import { assertNo5xx } from './lib/otp.mjs';
import { startAccountsServer, phoneFactory, login, completeProfile, activate, bearer } from './lib/accounts.mjs';

const nextPhone = phoneFactory();
let server;
let client;
let token; // an active account
let waitlistedToken;

const ISO_Z = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const VENUE_KEYS = [
    'address', 'capacity', 'city', 'city_slug', 'country_code', 'created_at', 'id', 'is_active',
    'latitude', 'longitude', 'metadata', 'name', 'updated_at', 'uuid', 'venue_type',
].sort();

// A random marker that keeps each test's venues apart in the shared database.
const tag = () => `t${randomBytes(4).toString('hex')}`;

async function account({ active }) {
    const { token: t, user_id } = await login(server, client, nextPhone());
    const res = await completeProfile(client, t);
    assert.equal(res.json?.success, true, summarize(res));
    if (active) await activate(server, user_id);
    return t;
}

before(async () => {
    server = await startAccountsServer();
    client = api(server);
    token = await account({ active: true });
    waitlistedToken = await account({ active: false });
});

after(async () => {
    await server?.stop();
});

const auth = (t = token) => ({ headers: bearer(t) });
const create = (json, t = token) => client.post('/api/events/venues', { json, ...auth(t) });
const list = (query = '', t = token) => client.get(`/api/events/venues${query}`, auth(t));
const getOne = (id, t = token) => client.get(`/api/events/venues/${id}`, auth(t));
const qs = (params) => `?${new URLSearchParams(params)}`;

async function created(json) {
    return okJson(await create(json), 201);
}

const venueCount = async () => Number(await dbQuery(server, 'SELECT count(*) FROM venues'));

/* ------------------------------------------------------------------------
 * Creating
 */

test('POST creates a venue and answers the full Venue object (201)', async () => {
    const body = {
        name: '  Blue Frog  ',
        address: ' 3 Church Street ',
        city: ' Bengaluru ',
        venue_type: 'Outdoor',
        capacity: 250,
        latitude: 12.9716,
        longitude: 77.5946,
        metadata: { parking: true, floors: [1, 2], note: 'rooftop' },
        country_code: 'IN',
        is_active: false, // ignored
    };
    const v = await created(body);
    assert.deepEqual(Object.keys(v).sort(), VENUE_KEYS);
    assert.equal(typeof v.id, 'number');
    assert.match(v.uuid, UUID_RE);
    assert.equal(v.name, 'Blue Frog');
    assert.equal(v.address, '3 Church Street');
    assert.equal(v.city, 'Bengaluru');
    assert.equal(v.country_code, 'in');
    assert.equal(v.city_slug, 'bengaluru');
    assert.equal(v.venue_type, 'outdoor');
    assert.equal(v.capacity, 250);
    assert.equal(v.latitude, '12.971600');
    assert.equal(v.longitude, '77.594600');
    assert.deepEqual(v.metadata, body.metadata);
    assert.equal(v.is_active, true);
    assert.match(v.created_at, ISO_Z);
    assert.equal(v.updated_at, v.created_at);
    assert.deepEqual(okJson(await getOne(v.id)), v, 'GET answers the same object');
});

test('POST defaults: indoor, capacity 0, no coordinates, {} metadata, country in', async () => {
    const v = await created({ name: 'Plain', address: '', city: 'Pune' });
    assert.equal(v.venue_type, 'indoor');
    assert.equal(v.capacity, 0);
    assert.equal(v.latitude, null);
    assert.equal(v.longitude, null);
    assert.deepEqual(v.metadata, {});
    assert.equal(v.country_code, 'in');
    assert.equal(v.city_slug, 'pune');
    assert.equal(v.address, '');
    const nulls = await created({
        name: 'Nulls', address: 'x', city: 'Pune', venue_type: null, capacity: null,
        latitude: null, longitude: null, metadata: null, country_code: null,
    });
    assert.equal(nulls.venue_type, 'indoor');
    assert.equal(nulls.capacity, 0);
    assert.equal(nulls.latitude, null);
    assert.deepEqual(nulls.metadata, {});
    assert.equal(nulls.country_code, 'in');
});

test('POST coordinates: 0 stays 0, strings accepted, 6 places after rounding, limits allowed', async () => {
    const zero = await created({ name: 'Null Island', address: 'sea', city: 'Nowhere', latitude: 0, longitude: 0 });
    assert.equal(zero.latitude, '0.000000');
    assert.equal(zero.longitude, '0.000000');
    const str = await created({ name: 'Str', address: 'a', city: 'Sydney', latitude: '-33.8688', longitude: '151.2093' });
    assert.equal(str.latitude, '-33.868800');
    assert.equal(str.longitude, '151.209300');
    const round = await created({ name: 'Round', address: 'a', city: 'X', latitude: 12.1234567, longitude: -0.0000004 });
    assert.equal(round.latitude, '12.123457');
    assert.equal(round.longitude, '0.000000', 'rounds to zero without a minus sign');
    const edges = await created({ name: 'Edges', address: 'a', city: 'X', latitude: -90, longitude: 180 });
    assert.equal(edges.latitude, '-90.000000');
    assert.equal(edges.longitude, '180.000000');
    const other = await created({ name: 'Edges2', address: 'a', city: 'X', latitude: '90', longitude: -180.0 });
    assert.equal(other.latitude, '90.000000');
    assert.equal(other.longitude, '-180.000000');
    assert.deepEqual(okJson(await getOne(round.id)), round, 'stored as answered');
});

test('POST venue_type is case-insensitive and stored lower-case', async () => {
    for (const [sent, stored] of [['HYBRID', 'hybrid'], ['Virtual', 'virtual'], ['oUtDoOr', 'outdoor'], ['indoor', 'indoor']]) {
        const v = await created({ name: `Type ${sent}`, address: 'a', city: 'Goa', venue_type: sent });
        assert.equal(v.venue_type, stored);
    }
});

test('POST capacity accepts integral numbers and integer strings; country code is lower-cased', async () => {
    assert.equal((await created({ name: 'Cap', address: 'a', city: 'X', capacity: 3.0 })).capacity, 3);
    assert.equal((await created({ name: 'Cap', address: 'a', city: 'X', capacity: '12' })).capacity, 12);
    assert.equal((await created({ name: 'Cap', address: 'a', city: 'X', capacity: 2147483647 })).capacity, 2147483647);
    assert.equal((await created({ name: 'US', address: 'a', city: 'Austin', country_code: 'US' })).country_code, 'us');
});

test('POST city_slug follows the slug rules, "unknown" when nothing is left', async () => {
    assert.equal((await created({ name: 'Sao', address: 'a', city: 'São Paulo' })).city_slug, 'sao-paulo');
    assert.equal((await created({ name: 'NY', address: 'a', city: 'New  York_City' })).city_slug, 'new-york-city');
    assert.equal((await created({ name: 'Bang', address: 'a', city: '!!!' })).city_slug, 'unknown');
    const long = await created({ name: 'Long', address: 'a', city: 'c'.repeat(100) });
    assert.ok(long.city_slug.length >= 1 && long.city_slug.length <= 100);
});

test('POST length limits count characters and allow the limits themselves', async () => {
    const v = await created({ name: 'é'.repeat(150), address: 'a'.repeat(500), city: 'ü'.repeat(100) });
    assert.equal(v.name, 'é'.repeat(150));
    assert.equal(v.address.length, 500);
    assert.equal(v.city, 'ü'.repeat(100));
});

test('POST: every bad field is one 422 detail in FastAPI shape, nothing stored', async () => {
    const ok = { name: 'Valid', address: 'Somewhere', city: 'Pune' };
    const cases = [
        [{ ...ok, name: undefined }, 'name', 'missing'],
        [{ ...ok, name: null }, 'name', 'missing'],
        [{ ...ok, name: '' }, 'name', 'string_too_short'],
        [{ ...ok, name: '   ' }, 'name', 'string_too_short'],
        [{ ...ok, name: 'n'.repeat(151) }, 'name', 'string_too_long'],
        [{ ...ok, name: 42 }, 'name', 'string_type'],
        [{ ...ok, address: undefined }, 'address', 'missing'],
        [{ ...ok, address: 'a'.repeat(501) }, 'address', 'string_too_long'],
        [{ ...ok, address: ['x'] }, 'address', 'string_type'],
        [{ ...ok, city: undefined }, 'city', 'missing'],
        [{ ...ok, city: '' }, 'city', 'string_too_short'],
        [{ ...ok, city: ' \t ' }, 'city', 'string_too_short'],
        [{ ...ok, city: 'c'.repeat(101) }, 'city', 'string_too_long'],
        [{ ...ok, venue_type: 'stadium' }, 'venue_type', 'enum'],
        [{ ...ok, venue_type: '' }, 'venue_type', 'enum'],
        [{ ...ok, venue_type: 3 }, 'venue_type', 'enum'],
        [{ ...ok, capacity: -1 }, 'capacity', 'greater_than_equal'],
        [{ ...ok, capacity: 1.5 }, 'capacity', 'int_from_float'],
        [{ ...ok, capacity: 'x' }, 'capacity', 'int_parsing'],
        [{ ...ok, capacity: '-3' }, 'capacity', 'greater_than_equal'],
        [{ ...ok, capacity: true }, 'capacity', 'int_type'],
        [{ ...ok, capacity: 2147483648 }, 'capacity', 'less_than_equal'],
        [{ ...ok, capacity: 1e300 }, 'capacity', 'less_than_equal'],
        [{ ...ok, capacity: -1e300 }, 'capacity', 'greater_than_equal'],
        [{ ...ok, capacity: '99999999999999999999' }, 'capacity', 'int_parsing'],
        [{ ...ok, latitude: 91 }, 'latitude', 'less_than_equal'],
        [{ ...ok, latitude: -90.5 }, 'latitude', 'greater_than_equal'],
        [{ ...ok, latitude: '91.0' }, 'latitude', 'less_than_equal'],
        [{ ...ok, latitude: 'north' }, 'latitude', 'decimal_parsing'],
        [{ ...ok, latitude: 'NaN' }, 'latitude', 'decimal_parsing'],
        [{ ...ok, latitude: '' }, 'latitude', 'decimal_parsing'],
        [{ ...ok, latitude: true }, 'latitude', 'decimal_type'],
        [{ ...ok, latitude: 1e300 }, 'latitude', 'less_than_equal'],
        [{ ...ok, latitude: '-1e999' }, 'latitude', 'greater_than_equal'],
        [{ ...ok, latitude: '0x10' }, 'latitude', 'decimal_parsing'],
        [{ ...ok, longitude: -181 }, 'longitude', 'greater_than_equal'],
        [{ ...ok, longitude: 180.1 }, 'longitude', 'less_than_equal'],
        [{ ...ok, longitude: { x: 1 } }, 'longitude', 'decimal_type'],
        [{ ...ok, metadata: [] }, 'metadata', 'dict_type'],
        [{ ...ok, metadata: 'x' }, 'metadata', 'dict_type'],
        [{ ...ok, metadata: 7 }, 'metadata', 'dict_type'],
        [{ ...ok, metadata: { blob: 'b'.repeat(16 * 1024) } }, 'metadata', 'value_error'],
        [{ ...ok, country_code: 'IND' }, 'country_code', 'string_pattern_mismatch'],
        [{ ...ok, country_code: 'i1' }, 'country_code', 'string_pattern_mismatch'],
        [{ ...ok, country_code: 91 }, 'country_code', 'string_type'],
    ];
    const before = await venueCount();
    for (const [json, field, type] of cases) {
        const res = await create(json);
        assertValidationError(res, { loc: ['body', field], type });
        assert.equal(res.json.detail.length, 1, summarize(res));
    }
    assert.equal(await venueCount(), before, 'no venue was stored');
    // the messages the apps show
    const msg = async (json) => (await create(json)).json.detail[0].msg;
    assert.equal(await msg({ ...ok, venue_type: 'x' }), "Input should be 'indoor', 'outdoor', 'virtual' or 'hybrid'");
    assert.equal(await msg({ ...ok, capacity: -1 }), 'Input should be greater than or equal to 0');
    assert.equal(await msg({ ...ok, latitude: 91 }), 'Input should be less than or equal to 90');
    assert.equal(await msg({ ...ok, longitude: -181 }), 'Input should be greater than or equal to -180');
    assert.equal(await msg({ ...ok, name: '' }), 'String should have at least 1 character');
    assert.equal(await msg({ ...ok, name: 'n'.repeat(151) }), 'String should have at most 150 characters');
});

test('POST: several bad fields give one detail each, in field order', async () => {
    const res = await create({ capacity: -1, latitude: 91, longitude: -181, venue_type: 'cave', metadata: [] });
    assertValidationError(res, { loc: ['body', 'name'], type: 'missing' });
    assert.deepEqual(
        res.json.detail.map((d) => d.loc[1]),
        ['name', 'address', 'city', 'venue_type', 'capacity', 'latitude', 'longitude', 'metadata'],
    );
});

test('POST: a body that is not an object, or not JSON, is 422; another media type 415', async () => {
    for (const json of [['a'], 'venue', 42, null]) {
        const res = await create(json);
        assertValidationError(res, { type: 'dict_type' });
    }
    const raw = await client.post('/api/events/venues', {
        headers: { ...bearer(token), 'content-type': 'application/json' },
        body: '{"name": ',
    });
    assertValidationError(raw);
    const form = await client.post('/api/events/venues', {
        headers: { ...bearer(token), 'content-type': 'application/x-www-form-urlencoded' },
        body: 'name=x&address=y&city=z',
    });
    assert.equal(form.status, 415, summarize(form));
});

/* ------------------------------------------------------------------------
 * Listing
 */

test('GET list: active venues by name then id, with total, offset and limit', async () => {
    const t = tag();
    const made = [];
    for (const name of ['Gamma', 'Alpha', 'Beta', 'Alpha'])
        made.push(await created({ name, address: 'a', city: `${t} Town` }));
    const all = okJson(await list(qs({ city: t })));
    assert.deepEqual(Object.keys(all).sort(), ['data', 'limit', 'offset', 'total']);
    assert.equal(all.total, 4);
    assert.equal(all.offset, 0);
    assert.equal(all.limit, 20);
    const [gamma, alpha1, beta, alpha2] = made;
    assert.deepEqual(all.data.map((v) => v.id), [alpha1.id, alpha2.id, beta.id, gamma.id]);
    assert.deepEqual(all.data[0], alpha1, 'list items are full Venue objects');

    const page = okJson(await list(qs({ city: t, offset: 1, limit: 2 })));
    assert.equal(page.total, 4);
    assert.equal(page.offset, 1);
    assert.equal(page.limit, 2);
    assert.deepEqual(page.data.map((v) => v.id), [alpha2.id, beta.id]);

    const past = okJson(await list(qs({ city: t, offset: 10 })));
    assert.equal(past.total, 4);
    assert.deepEqual(past.data, []);
    const max = okJson(await list(qs({ city: t, limit: 100 })));
    assert.equal(max.limit, 100);
    assert.equal(max.data.length, 4);

    await dbQuery(server, `UPDATE venues SET is_active = FALSE WHERE id = ${beta.id}`);
    const after = okJson(await list(qs({ city: t })));
    assert.equal(after.total, 3);
    assert.deepEqual(after.data.map((v) => v.id), [alpha1.id, alpha2.id, gamma.id]);
});

test('GET list: unfiltered listing counts every active venue', async () => {
    const all = okJson(await list(qs({ limit: 100 })));
    const active = Number(await dbQuery(server, 'SELECT count(*) FROM venues WHERE is_active = TRUE'));
    assert.equal(all.total, active);
    assert.ok(all.data.every((v) => v.is_active === true));
    assert.equal(all.data.length, Math.min(100, active));
});

test('GET list: city is a case-insensitive "contains"; % _ \\ and quotes are literal', async () => {
    const t = tag();
    const cities = {
        percent: `${t} 100%club`,
        plain: `${t} 100Xclub`,
        under: `${t} a_b`,
        axb: `${t} axb`,
        quote: `${t} O'Reilly`,
        backslash: `${t} back\\slash`,
    };
    const ids = {};
    for (const [k, city] of Object.entries(cities))
        ids[k] = (await created({ name: `City ${k}`, address: 'a', city })).id;
    const find = async (city) => {
        const body = okJson(await list(qs({ city })));
        assert.equal(body.total, body.data.length);
        return body.data.map((v) => v.id).sort((a, b) => a - b);
    };
    const sorted = (...xs) => xs.sort((a, b) => a - b);
    assert.deepEqual(await find(t.toUpperCase()), sorted(...Object.values(ids)), 'case-insensitive');
    assert.deepEqual(await find(`${t} 100%`), [ids.percent], '% is not a wildcard');
    assert.deepEqual(await find(`${t} a_b`), [ids.under], '_ is not a wildcard');
    assert.deepEqual(await find(`${t} o'reilly`), [ids.quote]);
    assert.deepEqual(await find(`${t} back\\s`), [ids.backslash]);
    assert.deepEqual(await find(`${t} AXB`), [ids.axb]);
    assert.deepEqual(await find(`${t}%`), [], 'a trailing % is literal too');
    for (const city of ['%', '_', "'", '\\', "' OR 1=1 --", '%%', '\\%', '"; DROP TABLE venues; --']) {
        const body = okJson(await list(qs({ city, limit: 100 })));
        for (const v of body.data) assert.ok(v.city.toLowerCase().includes(city.toLowerCase()), `${city} in ${v.city}`);
    }
    assert.deepEqual((await find('%')).filter((id) => Object.values(ids).includes(id)), [ids.percent]);
    assert.deepEqual(await find(`${t} nothing here`), []);
    const empty = okJson(await list(qs({ city: '' })));
    assert.ok(empty.total >= Object.keys(ids).length, 'an empty city filters nothing');
});

test('GET list: venue_type filter (case-insensitive) combines with city', async () => {
    const t = tag();
    const a = await created({ name: 'A', address: 'a', city: `${t} one`, venue_type: 'virtual' });
    await created({ name: 'B', address: 'a', city: `${t} one`, venue_type: 'indoor' });
    const c = await created({ name: 'C', address: 'a', city: `${t} two`, venue_type: 'virtual' });
    const both = okJson(await list(qs({ city: t, venue_type: 'VIRTUAL' })));
    assert.equal(both.total, 2);
    assert.deepEqual(both.data.map((v) => v.id), [a.id, c.id]);
    const one = okJson(await list(qs({ city: `${t} two`, venue_type: 'virtual' })));
    assert.deepEqual(one.data.map((v) => v.id), [c.id]);
    const none = okJson(await list(qs({ city: t, venue_type: 'hybrid' })));
    assert.equal(none.total, 0);
    assert.deepEqual(none.data, []);
    const typed = okJson(await list(qs({ venue_type: 'virtual', limit: 100 })));
    assert.ok(typed.data.every((v) => v.venue_type === 'virtual'));
});

test('GET list: bad query values are 422 with loc query', async () => {
    const cases = [
        [{ limit: '0' }, 'limit', 'greater_than_equal'],
        [{ limit: '101' }, 'limit', 'less_than_equal'],
        [{ limit: 'ten' }, 'limit', 'int_parsing'],
        [{ offset: '-1' }, 'offset', 'greater_than_equal'],
        [{ offset: '1.5' }, 'offset', 'int_parsing'],
        [{ venue_type: 'stadium' }, 'venue_type', 'enum'],
        [{ venue_type: '' }, 'venue_type', 'enum'],
    ];
    for (const [params, field, type] of cases) {
        const res = await list(qs(params));
        assertValidationError(res, { loc: ['query', field], type });
        assert.equal(res.json.detail.length, 1, summarize(res));
    }
    const several = await list(qs({ limit: '0', offset: '-1', venue_type: 'x' }));
    assert.deepEqual(several.json.detail.map((d) => d.loc[1]).sort(), ['limit', 'offset', 'venue_type']);
    const badUtf8 = await list('?city=%FF%FE');
    assertValidationError(badUtf8, { loc: ['query', 'city'], type: 'string_unicode' });
});

/* ------------------------------------------------------------------------
 * GET by id
 */

test('GET by id: 404 VENUE_NOT_FOUND for unknown and inactive venues, 422 for a bad id', async () => {
    const expectNotFound = (res) => {
        assertErrorBody(res, 404, 'VENUE_NOT_FOUND', { detail: 'Venue not found.' });
        assert.deepEqual(res.json, {
            success: false, error: 'Venue not found.', detail: 'Venue not found.', error_code: 'VENUE_NOT_FOUND', details: {},
        });
    };
    expectNotFound(await getOne(999999999));
    expectNotFound(await getOne(0));
    expectNotFound(await getOne(-5));
    const v = await created({ name: 'Soon gone', address: 'a', city: 'Delhi' });
    assert.equal(okJson(await getOne(v.id)).id, v.id);
    await dbQuery(server, `UPDATE venues SET is_active = FALSE WHERE id = ${v.id}`);
    expectNotFound(await getOne(v.id));
    const bad = await getOne('abc');
    assertValidationError(bad, { type: 'int_parsing' });
    assert.equal((await getOne('99999999999999999999999')).status, 422);
});

/* ------------------------------------------------------------------------
 * Auth
 */

test('auth: no token 403, bad token 401, waitlisted 403 ACCOUNT_WAITLISTED on every venue route', async () => {
    const v = await created({ name: 'Auth', address: 'a', city: 'Chennai' });
    const calls = [
        (h) => client.get('/api/events/venues', { headers: h }),
        (h) => client.post('/api/events/venues', { headers: h, json: { name: 'X', address: 'a', city: 'Y' } }),
        (h) => client.get(`/api/events/venues/${v.id}`, { headers: h }),
    ];
    const before = await venueCount();
    for (const call of calls) {
        assertErrorBody(await call({}), 403, 'NOT_AUTHENTICATED', { detail: 'Not authenticated' });
        assertErrorBody(await call({ authorization: 'Bearer not.a.token' }), 401, 'INVALID_TOKEN');
        assertErrorBody(await call(bearer(waitlistedToken)), 403, 'ACCOUNT_WAITLISTED');
    }
    assert.equal(await venueCount(), before, 'refused callers stored nothing');
    // 422 does not leak before auth: a bad body without a token is still 403
    const res = await client.post('/api/events/venues', { json: [] });
    assertErrorBody(res, 403, 'NOT_AUTHENTICATED');
});

test('no request answered 5xx', () => {
    assertNo5xx(client);
});
