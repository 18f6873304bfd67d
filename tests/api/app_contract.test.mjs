// app_contract.test.mjs: the real mobile app's own requests, replayed as it
// sends them (LOOPINX-CIRCLE/frontend, ../shared/APP.md): JSON headers on
// every call, multipart for profiles and events with its field names and
// string encodings, and every answer parsed the way its models parse them
// (an integer parse that throws, numbers or null for coordinates, bools as
// bools). See docs/client-compatibility.md.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, summarize, dbQuery } from './lib/server.mjs';
import { startAccountsServer, phoneFactory, readCode, activate, TINY_PNG } from './lib/accounts.mjs';

const nextPhone = phoneFactory();
let server, client, app, interests;

// The app's client: Content-Type and Accept JSON on every request, GETs too.
function appClient(token) {
    const h = { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
    return {
        get: (path) => client.get(path, { headers: { ...h, 'content-type': 'application/json' } }),
        post: (path, json) => client.post(path, { headers: h, json: json ?? {} }),
        put: (path, json) => client.put(path, { headers: h, json: json ?? {} }),
        multipart: (path, form) => client.post(path, { headers: h, body: form }),
    };
}

// How the app decides success: a 2xx without success:false.
function appOk(res) {
    assert.ok(res.status >= 200 && res.status < 300 && res.json?.success !== false, summarize(res));
    return res.json;
}

// Event.fromJson / EventHost.fromJson / EventLocation.fromJson, as strict.
function intParse(v, what) {
    if (Number.isInteger(v)) return v;
    const n = Number.parseInt(String(v), 10);
    if (Number.isNaN(n) || v === undefined || v === null) throw new Error(`int.parse(${v}) for ${what}`);
    return n;
}
function parseEvent(json) {
    assert.equal(typeof json, 'object');
    const host = json.host;
    const location = json.location;
    if (location !== null && location !== undefined) {
        for (const k of ['latitude', 'longitude'])
            assert.ok(location[k] === null || typeof location[k] === 'number', `location.${k} is ${typeof location[k]}`);
        assert.ok(typeof (location.venue_name ?? location.name ?? '') === 'string');
    }
    for (const k of ['is_paid', 'allow_plus_one', 'is_public', 'is_active'])
        assert.equal(typeof json[k], 'boolean', `${k} must be a bool`);
    assert.ok(json.payout_status === null || typeof json.payout_status === 'string');
    return {
        id: intParse(json.id, 'id'),
        hostId: intParse(host.id, 'host.id'),
        hostUserId: intParse(host.user_id, 'host.user_id'),
        location,
        status: json.status,
        covers: (json.cover_images ?? []).map(String),
        interests: (json.event_interests ?? []).map((i) => intParse(i.id, 'interest.id')),
    };
}

before(async () => {
    server = await startAccountsServer();
    client = api(server);
    const phone = nextPhone();
    const anon = appClient();
    // sign-up and verify exactly as auth_service.dart does
    const signup = appOk(await anon.post('/api/auth/signup', { phone_number: phone }));
    assert.deepEqual(Object.keys(signup.data).sort(), ['otp_sent', 'phone_number', 'user_status']);
    const code = await readCode(server, phone);
    const verified = appOk(await anon.post('/api/auth/verify-otp', { phone_number: phone, otp_code: code }));
    assert.equal(typeof verified.token, 'string');
    assert.equal(verified.data.needs_profile_completion, true);
    app = { phone, token: verified.token, userId: intParse(verified.data.user_id, 'user_id') };
    interests = appOk(await appClient(app.token).get('/api/auth/event-interests')).data.map((i) => i.id);
});

after(async () => {
    await server?.stop();
});

test('complete-profile as the app sends it; a returning waitlisted user gets is_verified false', async () => {
    const form = new FormData();
    form.append('phone_number', app.phone);
    form.append('name', 'Asha Rao');
    form.append('birth_date', '1995-04-12');
    form.append('gender', 'female');
    form.append('event_interests', JSON.stringify(interests.slice(0, 2)));
    form.append('profile_pictures', new Blob([TINY_PNG], { type: 'image/png' }), 'me.png');
    const res = await appClient(app.token).multipart('/api/auth/complete-profile', form);
    assert.equal('detail' in (res.json ?? {}), false, summarize(res));
    appOk(res);
    // a returning user: the app shows its waitlist screen when is_verified is false
    const code = await (async () => {
        appOk(await appClient().post('/api/auth/signup', { phone_number: app.phone }));
        return readCode(server, app.phone);
    })();
    const again = appOk(await appClient().post('/api/auth/verify-otp', { phone_number: app.phone, otp_code: code }));
    assert.equal(again.data.needs_profile_completion, false);
    assert.equal(again.data.is_verified, false, 'waitlisted: the app must show its waitlist screen');
    assert.equal(again.data.is_active, false);
    await activate(server, app.userId);
    const profile = appOk(await appClient(app.token).get('/api/auth/profile'));
    const p = profile.data && typeof profile.data === 'object' ? profile.data : profile;
    intParse(p.id, 'profile.id');
    assert.equal(typeof p.is_active, 'boolean');
});

// event_create_service.dart: every field as a string, status always draft,
// interests always "[]", place id "", country "IN", a city the app fills in.
function appEventForm(fields = {}, covers = 0) {
    const values = {
        title: 'Rooftop Jam',
        description: 'Bring your instruments.',
        start_time: '2032-06-01T18:30:00.000Z',
        duration_hours: '3.0',
        venue_name: 'Blue Frog',
        location_address: 'Kamala Mills, Lower Parel, Mumbai',
        location_city: 'Blue Frog',
        location_latitude: '19.0760',
        location_longitude: '72.8777',
        location_place_id: '',
        location_country_code: 'IN',
        max_capacity: '50',
        is_paid: 'false',
        ticket_price: '0.0',
        platform_fee: '0.0',
        allow_plus_one: 'true',
        gst_number: '',
        allowed_genders: 'all',
        status: 'draft',
        is_public: 'true',
        event_interest_ids: '[]',
        ...fields,
    };
    const form = new FormData();
    for (const [k, v] of Object.entries(values)) form.append(k, v);
    for (let i = 0; i < covers; i++) form.append('cover_images', new Blob([TINY_PNG], { type: 'image/png' }), `c${i}.png`);
    return form;
}

test('POST /api/events with the app\'s fields: its place becomes the venue, coordinates as sent', async () => {
    const res = await appClient(app.token).multipart('/api/events', appEventForm({ event_interest_ids: `[${interests[0]}, 999999]` }, 1));
    const created = appOk(res);
    const ev = parseEvent(created);
    assert.equal(ev.hostUserId, app.userId);
    assert.equal(ev.status, 'draft');
    assert.deepEqual(ev.interests, [interests[0]], 'the stale id was skipped');
    assert.deepEqual(created.location, {
        venue_name: 'Blue Frog', name: 'Blue Frog', address: 'Kamala Mills, Lower Parel, Mumbai', city: 'Blue Frog',
        latitude: 19.076, longitude: 72.8777,
    });
    assert.equal(created.venue?.name, 'Blue Frog');
    assert.match(created.canonical_url, /^\/in\/blue-frog\/events\//, 'the city as sent, not "unknown"');
    // the same name and address again: the same venue, not a new one
    const again = appOk(await appClient(app.token).multipart('/api/events', appEventForm({ title: 'Rooftop Jam II' })));
    assert.equal(again.venue.id, created.venue.id);
    assert.deepEqual(again.cover_images, [], 'no cover is fine');
});

test('a place id finds its venue whatever the name; GSTIN lower case is stored upper case', async () => {
    const placeId = `ChIJ${Date.now()}`;
    const a = appOk(await appClient(app.token).multipart('/api/events',
        appEventForm({ venue_name: 'Antisocial', location_place_id: placeId, gst_number: '27aapfu0939f1zv' })));
    assert.equal(a.gst_number, '27AAPFU0939F1ZV');
    const b = appOk(await appClient(app.token).multipart('/api/events',
        appEventForm({ venue_name: 'Antisocial Khar', location_address: 'elsewhere', location_place_id: placeId })));
    assert.equal(b.venue.id, a.venue.id);
    const n = await dbQuery(server, `SELECT count(*) FROM venues WHERE place_id = '${placeId}'`);
    assert.equal(Number(n), 1);
});

test('the home list, detail, share URL and RSVP update as the app calls them; a draft made in the app is seen', async () => {
    const created = appOk(await appClient(app.token).multipart('/api/events', appEventForm({ title: 'Seen Draft' })));
    // another signed-in user's home list (no query), parsed like the app
    const phone = nextPhone();
    appOk(await appClient().post('/api/auth/signup', { phone_number: phone }));
    const code = await readCode(server, phone);
    const other = appOk(await appClient().post('/api/auth/verify-otp', { phone_number: phone, otp_code: code }));
    const list = appOk(await appClient(other.token).get('/api/events'));
    const parsed = list.data.map(parseEvent);
    assert.ok(parsed.some((e) => e.id === created.id), 'the app\'s draft is visible to others');
    const detail = parseEvent(appOk(await appClient(other.token).get(`/api/events/${created.id}`)));
    assert.equal(detail.id, created.id);
    const share = appOk(await appClient(other.token).get(`/api/events/${created.id}/share-url`));
    assert.match(share.canonical_url ?? share.canonical_path, /\/events\//);
    const rsvp = await appClient(app.token).put(`/api/events/${created.id}`, { rsvp_expiry_policy: '48h' });
    assert.equal('detail' in (rsvp.json ?? {}), false, summarize(rsvp));
    appOk(rsvp);
});
