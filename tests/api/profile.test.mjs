// profile.test.mjs: POST /api/auth/complete-profile (every rule and message,
// all or nothing, stored pictures, the account waitlist), GET and PUT
// /api/auth/profile (rules, null handling, 422 per field, 400 for bad
// interests, a profile is only ever its owner's) and GET
// /api/auth/event-interests, on SQLite and PostgreSQL (docs/accounts.md).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { api, dbQuery, dbKind } from './lib/server.mjs';
import { summarize } from './lib/http.mjs';
import { assertErrorBody, assertValidationError, okJson } from './lib/expect.mjs';
import {
    startAccountsServer,
    phoneFactory,
    login,
    bearer,
    completeProfile,
    activate,
    TINY_PNG,
    TINY_JPEG,
    TINY_GIF,
} from './lib/accounts.mjs';

let server;
let client;
const nextPhone = phoneFactory();
const interest = {}; // name -> id
let inactiveId;

const ISO_Z = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
const MiB = 1024 * 1024;

before(async () => {
    server = await startAccountsServer();
    client = api(server);
    const rows = await dbQuery(server, 'SELECT id, name FROM event_interests ORDER BY id');
    for (const line of rows.split('\n')) {
        const [id, name] = line.split('|');
        interest[name] = Number(id);
    }
    await dbQuery(
        server,
        `INSERT INTO event_interests (uuid, name, slug, is_active, created_at, updated_at) VALUES
         ('7e1d3f2a-0000-4000-8000-00000000a001', 'Retired Topic', 'retired-topic', FALSE,
          '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')`,
    );
    inactiveId = Number(await dbQuery(server, "SELECT id FROM event_interests WHERE slug = 'retired-topic'"));
});

after(async () => {
    await server?.stop();
});

async function newUser() {
    const phone = nextPhone();
    const { token, user_id } = await login(server, client, phone);
    return { phone, token, id: user_id };
}

const getProfile = (token) => client.get('/api/auth/profile', { headers: bearer(token) });
const putProfile = (token, json) => client.put('/api/auth/profile', { headers: bearer(token), json });

async function mediaFiles() {
    try {
        return (await readdir(join(server.tmpDir, 'media', 'profiles'))).sort();
    } catch (e) {
        if (e.code === 'ENOENT') return [];
        throw e;
    }
}

function assertFailure(res, message) {
    const what = summarize(res);
    assert.equal(res.status, 200, what);
    assert.equal(res.json?.success, false, what);
    assert.equal(res.json.message, message, what);
    assert.equal(res.json.data, null, what);
    assert.equal(res.json.token, null, what);
    assert.equal(res.json.error_code, 'VALIDATION_FAILED', what);
    assert.equal(res.json.detail, message, what);
}

const png = (filename = 'me.png', data = TINY_PNG) => ({ data, filename, type: 'image/png' });

async function dbRow(sql) {
    return (await dbQuery(server, sql)).split('|');
}

/* ------------------------------------------------------------------------
 * complete-profile: authentication and request shape
 */

test('complete-profile needs a valid bearer token', async () => {
    const form = new FormData();
    form.append('name', 'Asha Rao');
    assertErrorBody(await client.post('/api/auth/complete-profile', { body: form }), 403, 'NOT_AUTHENTICATED', {
        detail: 'Not authenticated',
    });
    const bad = await client.post('/api/auth/complete-profile', { headers: bearer('not.a.token'), body: form });
    assertErrorBody(bad, 401, 'INVALID_TOKEN', { detail: 'Invalid token' });
});

test('complete-profile: missing required fields are one 422 listing each', async () => {
    const u = await newUser();
    const form = new FormData();
    form.append('phone_number', u.phone);
    form.append('name', ''); // an empty form value counts as missing
    const res = await client.post('/api/auth/complete-profile', { headers: bearer(u.token), body: form });
    assertValidationError(res, { type: 'missing', loc: ['body', 'name'], msg: 'Field required' });
    const locs = res.json.detail.map((d) => d.loc.join('.'));
    assert.deepEqual(locs, ['body.name', 'body.birth_date', 'body.gender', 'body.event_interests', 'body.profile_pictures']);
});

test('complete-profile: zero pictures is a 422 for profile_pictures', async () => {
    const u = await newUser();
    const res = await completeProfile(client, u.token, { pictures: [] });
    assertValidationError(res, { type: 'missing', loc: ['body', 'profile_pictures'], msg: 'Field required' });
});

test('complete-profile: text fields that are not UTF-8 are 422', async () => {
    const u = await newUser();
    const boundary = 'loopin-test-boundary';
    const part = (name, value, file) =>
        Buffer.concat([
            Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"` +
                (file ? `; filename="${file}"\r\nContent-Type: image/png` : '') + '\r\n\r\n'),
            Buffer.isBuffer(value) ? value : Buffer.from(value),
            Buffer.from('\r\n'),
        ]);
    const body = Buffer.concat([
        part('name', 'Asha Rao'),
        part('birth_date', '1995-04-12'),
        part('gender', 'female'),
        part('event_interests', '[1]'),
        part('phone_number', u.phone),
        part('bio', Buffer.from([0x41, 0xff, 0xfe, 0x42])),
        part('profile_pictures', TINY_PNG, 'me.png'),
        Buffer.from(`--${boundary}--\r\n`),
    ]);
    const res = await client.post('/api/auth/complete-profile', {
        headers: { ...bearer(u.token), 'content-type': `multipart/form-data; boundary=${boundary}` },
        body,
    });
    assertValidationError(res, { type: 'string_unicode', loc: ['body', 'bio'] });
    assert.equal(okJson(await getProfile(u.token)).name, '');
});

test('complete-profile: a JSON body is 415', async () => {
    const u = await newUser();
    const res = await client.post('/api/auth/complete-profile', { headers: bearer(u.token), json: { name: 'x' } });
    assert.equal(res.status, 415, summarize(res));
});

/* ------------------------------------------------------------------------
 * complete-profile: every rule, and nothing changes on failure
 */

test('complete-profile: each rule answers 200 success:false with its message and changes nothing', async () => {
    const u = await newUser();
    const before = okJson(await getProfile(u.token));
    const filesBefore = await mediaFiles();
    const other = nextPhone();
    const big = Buffer.alloc(5 * MiB + 1);
    TINY_PNG.copy(big);
    const cases = [
        [{ phone_number: other }, 'Phone number does not match authenticated user.'],
        [{ phone_number: 'not a phone' }, 'Phone number does not match authenticated user.'],
        [{ name: '   ' }, 'Name cannot be empty'],
        [{ name: ' A ' }, 'Name must be at least 2 characters long'],
        [{ name: 'x'.repeat(101) }, 'Name must be at most 100 characters long'],
        [{ name: 'R2D2' }, 'Name contains invalid characters. Only letters, spaces, hyphens, and apostrophes are allowed'],
        [{ birth_date: '12-04-1995' }, 'Invalid date format. Use YYYY-MM-DD'],
        [{ birth_date: '1995-02-30' }, 'Invalid date format. Use YYYY-MM-DD'],
        [{ birth_date: '2099-01-01' }, 'User must be 16 years or older'],
        [{ gender: 'robot' }, 'Gender must be one of: male, female, other, prefer_not_to_say'],
        [{ pictures: Array.from({ length: 7 }, (_, i) => png(`p${i}.png`)) }, 'Maximum 6 profile pictures allowed'],
        [{ event_interests: '[]' }, 'At least one event interest is required'],
        [{ event_interests: '[1,2,3,4,5,6]' }, 'Maximum 5 event interests allowed'],
        [{ event_interests: 'music' }, 'Invalid event_interests format: not valid JSON. Expected JSON array.'],
        [{ event_interests: '{"id":1}' }, 'Invalid event_interests format: event_interests must be a JSON array. Expected JSON array.'],
        [{ event_interests: '[1,"2"]' }, 'Invalid event_interests format: event interest ids must be integers. Expected JSON array.'],
        [{ bio: 'b'.repeat(501) }, 'Bio must be at most 500 characters'],
        [{ location: 'l'.repeat(101) }, 'Location must be at most 100 characters'],
        [{ event_interests: '[1, 999999]' }, 'One or more selected event interests (1) are invalid or inactive. Please select from available interests.'],
        [{ event_interests: `[${inactiveId}, 999998, 2]` }, 'One or more selected event interests (2) are invalid or inactive. Please select from available interests.'],
        [{ pictures: [png('photo.png', TINY_JPEG)] }, 'Failed to upload 1 file(s). Please check file formats and sizes.'],
        [{ pictures: [{ data: TINY_GIF, filename: 'a.gif', type: 'image/gif' }] }, 'Failed to upload 1 file(s). Please check file formats and sizes.'],
        [{ pictures: [png('big.png', big)] }, 'Failed to upload 1 file(s). Please check file formats and sizes.'],
        [{ pictures: [png('empty.png', Buffer.alloc(0))] }, 'Failed to upload 1 file(s). Please check file formats and sizes.'],
        [{ pictures: [png('ok.png'), { data: TINY_PNG, filename: 'a.jpg', type: 'image/png' }, { data: TINY_PNG, filename: 'b.txt', type: 'text/plain' }] },
            'Failed to upload 2 file(s). Please check file formats and sizes.'],
    ];
    for (const [overrides, message] of cases) assertFailure(await completeProfile(client, u.token, overrides), message);
    assert.deepEqual(okJson(await getProfile(u.token)), before, 'the profile is unchanged');
    assert.deepEqual(await mediaFiles(), filesBefore, 'no picture was stored');
    const [n] = await dbRow(`SELECT count(*) FROM user_event_interests WHERE user_id = ${u.id}`);
    assert.equal(n, '0');
});

test('complete-profile: the first failing rule wins (phone before name before date)', async () => {
    const u = await newUser();
    assertFailure(
        await completeProfile(client, u.token, { phone_number: nextPhone(), name: '1', birth_date: 'x' }),
        'Phone number does not match authenticated user.',
    );
    assertFailure(await completeProfile(client, u.token, { name: '1', birth_date: 'x' }), 'Name must be at least 2 characters long');
});

test('complete-profile: 16 today is old enough, 16 tomorrow is not (test clock)', async () => {
    const now = new Date(okJson(await client.post('/_test/clock', { json: { advance_seconds: 0 } })).now);
    // noon UTC of the next day: always a move forward, so issued tokens stay valid
    const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1, 12));
    okJson(await client.post('/_test/clock', { json: { set: today.toISOString() } }));
    const ymd = (d) => d.toISOString().slice(0, 10);
    const sixteen = new Date(Date.UTC(today.getUTCFullYear() - 16, today.getUTCMonth(), today.getUTCDate()));
    const tomorrow16 = new Date(sixteen.getTime() + 86400e3);
    const u = await newUser();
    assertFailure(await completeProfile(client, u.token, { birth_date: ymd(tomorrow16) }), 'User must be 16 years or older');
    const res = await completeProfile(client, u.token, { birth_date: ymd(sixteen) });
    assert.equal(res.json?.success, true, summarize(res));
    assert.equal(okJson(await getProfile(u.token)).birth_date, ymd(sixteen));
});

/* ------------------------------------------------------------------------
 * complete-profile: success, stored pictures, waitlist
 */

test('complete-profile succeeds, stores the pictures and puts the account on the waitlist', async () => {
    const u = await newUser();
    const filesBefore = await mediaFiles();
    const spaced = `${u.phone.slice(0, 3)} ${u.phone.slice(3, 8)}-${u.phone.slice(8)}`; // same number, other format
    const res = await completeProfile(client, u.token, {
        phone_number: spaced,
        name: '  Mary-Jane O\'Brien ',
        gender: 'FEMALE',
        event_interests: `[${interest.Travel}, ${interest.Music}, ${interest.Music}]`,
        bio: '  likes jazz  ',
        location: undefined,
        pictures: [png('me.png'), { data: TINY_JPEG, filename: 'Second.JPEG', type: 'image/jpeg' }],
    });
    const body = okJson(res);
    assert.equal(body.success, true, summarize(res));
    assert.equal(body.message, 'Profile completed successfully. You can now use the app!');
    assert.equal(body.token, null);
    const d = body.data;
    assert.equal(d.user_id, u.id);
    assert.equal(d.profile_id, u.id);
    assert.equal(d.name, "Mary-Jane O'Brien");
    assert.equal(d.phone_number, u.phone);
    assert.equal(d.gender, 'female');
    assert.equal(d.event_interests_count, 2, 'duplicate ids collapse');
    assert.equal(d.profile_pictures_count, 2);
    assert.equal(d.profile_complete, true);
    assert.equal(d.profile_pictures.length, 2);
    // Named by the SHA-256 of their bytes: the same picture is one file.
    const sha = (b) => createHash('sha256').update(b).digest('hex');
    assert.equal(d.profile_pictures[0], `${server.url}/media/profiles/${sha(TINY_PNG)}.png`);
    assert.equal(d.profile_pictures[1], `${server.url}/media/profiles/${sha(TINY_JPEG)}.jpg`);
    const files = await mediaFiles();
    for (const f of [`${sha(TINY_PNG)}.png`, `${sha(TINY_JPEG)}.jpg`]) assert.ok(files.includes(f), f);
    assert.ok(files.length <= filesBefore.length + 2);

    const pic = await fetch(d.profile_pictures[0]);
    assert.equal(pic.status, 200);
    assert.equal(pic.headers.get('content-type'), 'image/png');
    assert.deepEqual(Buffer.from(await pic.arrayBuffer()), TINY_PNG);
    const jpg = await fetch(d.profile_pictures[1]);
    assert.equal(jpg.headers.get('content-type'), 'image/jpeg');

    const p = okJson(await getProfile(u.token));
    assert.equal(p.is_active, false, 'waitlisted');
    assert.equal(p.name, "Mary-Jane O'Brien");
    assert.equal(p.bio, 'likes jazz');
    assert.equal(p.location, '');
    assert.deepEqual(p.profile_pictures, d.profile_pictures);
    assert.deepEqual(p.event_interests.map((i) => i.name), ['Music', 'Travel'], 'ordered by name');
    const [started, promote, active] = await dbRow(
        `SELECT waitlist_started_at, waitlist_promote_at, is_active FROM user_profiles WHERE user_id = ${u.id}`,
    );
    const minutes = (Date.parse(promote.replace(' ', 'T').replace(/\+00$/, 'Z')) -
        Date.parse(started.replace(' ', 'T').replace(/\+00$/, 'Z'))) / 60e3;
    assert.ok(minutes >= 210 && minutes <= 240, `promotion ${minutes} minutes after entry`);
    assert.ok(active === '0' || active === 'f', `profile is_active: ${active}`);
    const [audits] = await dbRow(`SELECT count(*) FROM audit_log WHERE action = 'profile.complete' AND actor_user_id = ${u.id}`);
    assert.equal(audits, '1');
});

test('complete-profile again never re-waitlists, and keeps an active account active', async () => {
    const u = await newUser();
    assert.equal(okJson(await completeProfile(client, u.token)).success, true);
    const first = await dbRow(`SELECT waitlist_started_at, waitlist_promote_at FROM user_profiles WHERE user_id = ${u.id}`);
    const again = okJson(await completeProfile(client, u.token, { name: 'Asha Nair' }));
    assert.equal(again.success, true, JSON.stringify(again));
    assert.deepEqual(
        await dbRow(`SELECT waitlist_started_at, waitlist_promote_at FROM user_profiles WHERE user_id = ${u.id}`),
        first,
    );
    assert.equal(okJson(await getProfile(u.token)).name, 'Asha Nair');
    await activate(server, u.id);
    assert.equal(okJson(await completeProfile(client, u.token, { name: 'Asha Menon' })).success, true);
    const p = okJson(await getProfile(u.token));
    assert.equal(p.is_active, true);
    assert.equal(p.name, 'Asha Menon');
});

test('complete-profile: a 5 MiB picture is accepted', async () => {
    const u = await newUser();
    const big = Buffer.alloc(5 * MiB);
    TINY_PNG.copy(big);
    const body = okJson(await completeProfile(client, u.token, { pictures: [png('big.png', big)] }));
    assert.equal(body.success, true, JSON.stringify(body));
    const pic = await fetch(body.data.profile_pictures[0]);
    assert.equal(Buffer.from(await pic.arrayBuffer()).length, 5 * MiB);
});

test('complete-profile is all or nothing: a failed write leaves no file and no change', async () => {
    const u = await newUser();
    assert.equal(okJson(await completeProfile(client, u.token, { name: 'First Version' })).success, true);
    const before = okJson(await getProfile(u.token));
    const filesBefore = await mediaFiles();
    // A bad picture among good ones: nothing is stored.
    assertFailure(
        await completeProfile(client, u.token, { name: 'Second Version', pictures: [png('a.png'), png('b.png', TINY_GIF)] }),
        'Failed to upload 1 file(s). Please check file formats and sizes.',
    );
    assert.deepEqual(okJson(await getProfile(u.token)), before);
    assert.deepEqual(await mediaFiles(), filesBefore);

    // The database refuses the write after the pictures were stored (a
    // trigger injects the failure; 500 is right here). Stored files stay:
    // they are named by content and may be another profile's (these are the
    // same bytes as the first version's picture, so the same file).
    const faulty = api(server);
    if (dbKind() === 'sqlite') {
        await dbQuery(server, `CREATE TRIGGER test_fail_profile BEFORE UPDATE ON user_profiles WHEN NEW.user_id = ${u.id}
                               BEGIN SELECT RAISE(ABORT, 'injected failure'); END`);
    } else {
        await dbQuery(server, `CREATE FUNCTION test_fail_profile() RETURNS trigger LANGUAGE plpgsql AS
                               $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$;
                               CREATE TRIGGER test_fail_profile BEFORE UPDATE ON user_profiles FOR EACH ROW
                               WHEN (NEW.user_id = ${u.id}) EXECUTE FUNCTION test_fail_profile()`);
    }
    try {
        const res = await completeProfile(faulty, u.token, { name: 'Third Version', pictures: [png('a.png'), png('b.png')] });
        assertErrorBody(res, 500, 'INTERNAL_SERVER_ERROR');
    } finally {
        await dbQuery(server, dbKind() === 'sqlite' ? 'DROP TRIGGER test_fail_profile'
            : 'DROP TRIGGER test_fail_profile ON user_profiles; DROP FUNCTION test_fail_profile()');
    }
    assert.deepEqual(await mediaFiles(), filesBefore, 'the same bytes are the same file');
    assert.deepEqual(okJson(await getProfile(u.token)), before);
});

/* ------------------------------------------------------------------------
 * event-interests
 */

test('event-interests: active interests only, ordered by name', async () => {
    const u = await newUser();
    const body = okJson(await client.get('/api/auth/event-interests', { headers: bearer(u.token) }));
    assert.equal(body.success, true);
    assert.equal(body.message, 'Event interests retrieved successfully');
    const names = body.data.map((i) => i.name);
    assert.deepEqual(names, [...names].sort(), 'sorted by name');
    assert.ok(!names.includes('Retired Topic'), 'inactive interests are hidden');
    for (const n of ['Music', 'Comedy', 'Food & Drink', 'Technology', 'Startups']) assert.ok(names.includes(n), n);
    assert.equal(body.data.length, 20);
    for (const i of body.data) {
        assert.deepEqual(Object.keys(i).sort(), ['id', 'name']);
        assert.equal(i.id, interest[i.name]);
    }
    assertErrorBody(await client.get('/api/auth/event-interests'), 403, 'NOT_AUTHENTICATED');
});

test('event-interests: 403 Inactive user while waitlisted, with no promotion attempt', async () => {
    const u = await newUser();
    assert.equal(okJson(await completeProfile(client, u.token)).success, true);
    const list = () => client.get('/api/auth/event-interests', { headers: bearer(u.token) });
    assertErrorBody(await list(), 403, 'INACTIVE_USER', { detail: 'Inactive user' });
    okJson(await client.post('/_test/clock', { json: { advance_seconds: 241 * 60 } }));
    assertErrorBody(await list(), 403, 'INACTIVE_USER', { detail: 'Inactive user' });
    // GET /api/auth/profile does attempt promotion; then the list opens.
    assert.equal(okJson(await getProfile(u.token)).is_active, true);
    assert.equal(okJson(await list()).success, true);
});

/* ------------------------------------------------------------------------
 * GET and PUT /api/auth/profile
 */

test('GET profile: the shell of a new account, and token errors', async () => {
    const u = await newUser();
    const p = okJson(await getProfile(u.token));
    assert.deepEqual(Object.keys(p).sort(), [
        'bio', 'birth_date', 'created_at', 'event_interests', 'gender', 'id', 'is_active', 'is_verified',
        'location', 'name', 'phone_number', 'profile_pictures', 'updated_at',
    ]);
    assert.equal(p.id, u.id);
    assert.equal(p.phone_number, u.phone);
    assert.equal(p.name, '');
    assert.equal(p.birth_date, null);
    assert.deepEqual(p.event_interests, []);
    assert.deepEqual(p.profile_pictures, []);
    assert.equal(p.is_verified, true);
    assert.equal(p.is_active, true);
    assert.match(p.created_at, ISO_Z);
    assert.match(p.updated_at, ISO_Z);
    assertErrorBody(await client.get('/api/auth/profile'), 403, 'NOT_AUTHENTICATED');
    assertErrorBody(await client.get('/api/auth/profile', { headers: bearer('x.y.z') }), 401, 'INVALID_TOKEN');
});

test('PUT profile applies every field, trimmed and lower-cased as documented', async () => {
    const u = await newUser();
    const before = okJson(await getProfile(u.token));
    const pictures = ['https://cdn.example.com/a.jpg', 'http://localhost:9000/b.png', 'http://10.0.0.1:8080/c.webp'];
    const p = okJson(await putProfile(u.token, {
        name: '  Ravi Kumar ',
        bio: 'Trekking and tech',
        location: 'Pune',
        birth_date: '1990-01-31',
        gender: 'Prefer_Not_To_Say',
        event_interests: [interest.Technology, interest.Art, interest.Art],
        profile_pictures: pictures,
        unknown_key: 'ignored',
    }));
    assert.equal(p.name, 'Ravi Kumar');
    assert.equal(p.bio, 'Trekking and tech');
    assert.equal(p.location, 'Pune');
    assert.equal(p.birth_date, '1990-01-31');
    assert.equal(p.gender, 'prefer_not_to_say');
    assert.deepEqual(p.event_interests.map((i) => i.name), ['Art', 'Technology']);
    for (const i of p.event_interests) {
        assert.deepEqual(Object.keys(i).sort(), ['created_at', 'id', 'is_active', 'name', 'updated_at']);
        assert.equal(i.is_active, true);
        assert.match(i.created_at, ISO_Z);
    }
    assert.deepEqual(p.profile_pictures, pictures);
    assert.equal(p.is_active, true, 'PUT does not waitlist');
    assert.ok(p.updated_at >= before.updated_at);
    assert.deepEqual(okJson(await getProfile(u.token)), p);
    const [audits] = await dbRow(`SELECT count(*) FROM audit_log WHERE action = 'profile.update' AND actor_user_id = ${u.id}`);
    assert.equal(audits, '1');
});

test('PUT profile: only keys present apply; null clears as documented', async () => {
    const u = await newUser();
    const full = okJson(await putProfile(u.token, {
        name: 'Neha Shah', bio: 'Bio', location: 'Goa', birth_date: '1992-05-05', gender: 'female',
        event_interests: [interest.Dance], profile_pictures: ['https://img.example.org/n.png'],
    }));
    const onlyBio = okJson(await putProfile(u.token, { bio: 'New bio' }));
    assert.deepEqual({ ...onlyBio, bio: 'Bio', updated_at: full.updated_at }, full);
    const empty = okJson(await putProfile(u.token, {}));
    assert.deepEqual(empty, onlyBio, 'an empty body changes nothing');
    const cleared = okJson(await putProfile(u.token, { bio: null, location: null, gender: null, birth_date: null }));
    assert.equal(cleared.bio, '');
    assert.equal(cleared.location, '');
    assert.equal(cleared.gender, '');
    assert.equal(cleared.birth_date, null);
    assert.equal(cleared.name, 'Neha Shah');
    assert.deepEqual(cleared.event_interests.map((i) => i.name), ['Dance']);
    assert.deepEqual(cleared.profile_pictures, ['https://img.example.org/n.png']);
});

test('PUT profile: one 422 detail per bad field, and nothing changes', async () => {
    const u = await newUser();
    const before = okJson(await putProfile(u.token, { name: 'Kiran Rao', bio: 'ok' }));
    const res = await putProfile(u.token, {
        name: 'A',
        bio: 'b'.repeat(501),
        location: 'l'.repeat(101),
        birth_date: '2020-01-01',
        gender: 'robot',
        event_interests: [],
        profile_pictures: ['ftp://example.com/a.png'],
    });
    assertValidationError(res);
    const byField = Object.fromEntries(res.json.detail.map((d) => [d.loc[1], d]));
    assert.deepEqual(Object.keys(byField).sort(), ['bio', 'birth_date', 'event_interests', 'gender', 'location', 'name', 'profile_pictures']);
    for (const d of res.json.detail) assert.equal(d.loc[0], 'body');
    assert.equal(byField.name.msg, 'Value error, Name must be at least 2 characters long');
    assert.equal(byField.name.type, 'value_error');
    assert.equal(byField.bio.type, 'string_too_long');
    assert.equal(byField.bio.msg, 'String should have at most 500 characters');
    assert.equal(byField.location.msg, 'String should have at most 100 characters');
    assert.equal(byField.birth_date.msg, 'Value error, User must be 16 years or older');
    assert.equal(byField.gender.msg, 'Value error, Gender must be one of: male, female, other, prefer_not_to_say');
    assert.equal(byField.event_interests.type, 'too_short');
    assert.equal(byField.profile_pictures.type, 'value_error');
    assert.deepEqual(okJson(await getProfile(u.token)), before);
});

test('PUT profile: more 422s (types, list sizes, bad URLs, bad body)', async () => {
    const u = await newUser();
    const cases = [
        [{ name: null }, 'name', 'string_type'],
        [{ name: 42 }, 'name', 'string_type'],
        [{ name: 'J0hn' }, 'name', 'value_error'],
        [{ name: 'x'.repeat(101) }, 'name', 'value_error'],
        [{ bio: 5 }, 'bio', 'string_type'],
        [{ birth_date: '31-01-1990' }, 'birth_date', 'value_error'],
        [{ birth_date: 19900131 }, 'birth_date', 'date_type'],
        [{ gender: 1 }, 'gender', 'string_type'],
        [{ event_interests: [1, 2, 3, 4, 5, 6] }, 'event_interests', 'too_long'],
        [{ event_interests: [1, '2'] }, 'event_interests', 'int_type'],
        [{ event_interests: '1,2' }, 'event_interests', 'list_type'],
        [{ event_interests: null }, 'event_interests', 'list_type'],
        [{ profile_pictures: [] }, 'profile_pictures', 'too_short'],
        [{ profile_pictures: Array(7).fill('https://example.com/a.png') }, 'profile_pictures', 'too_long'],
        [{ profile_pictures: [1] }, 'profile_pictures', 'string_type'],
        [{ profile_pictures: ['https://example'] }, 'profile_pictures', 'value_error'],
        [{ profile_pictures: ['https://exa mple.com/a.png'] }, 'profile_pictures', 'value_error'],
        [{ profile_pictures: ['https://999.1.1.1/a.png'] }, 'profile_pictures', 'value_error'],
        [{ profile_pictures: ['javascript:alert(1)'] }, 'profile_pictures', 'value_error'],
        [{ profile_pictures: 'https://example.com/a.png' }, 'profile_pictures', 'list_type'],
    ];
    for (const [json, field, type] of cases) {
        const res = await putProfile(u.token, json);
        assertValidationError(res, { loc: ['body', field], type });
        assert.equal(res.json.detail.length, 1, summarize(res));
    }
    assertValidationError(await putProfile(u.token, [1, 2]), { type: 'dict_type' });
    const raw = await client.put('/api/auth/profile', {
        headers: { ...bearer(u.token), 'content-type': 'application/json' }, body: '{"name": ',
    });
    assert.equal(raw.status, 422, summarize(raw));
    const p = okJson(await getProfile(u.token));
    assert.equal(p.name, '');
    assert.equal(p.bio, '');
});

test('PUT profile: unknown or inactive interests are 400 INVALID_INTERESTS and change nothing', async () => {
    const u = await newUser();
    const before = okJson(await putProfile(u.token, { name: 'Dev Patel', event_interests: [interest.Gaming] }));
    for (const ids of [[interest.Music, 999999], [inactiveId], [0], [-3]]) {
        const res = await putProfile(u.token, { name: 'Changed Name', event_interests: ids });
        assertErrorBody(res, 400, 'INVALID_INTERESTS', { detail: 'One or more event interest IDs are invalid or inactive' });
    }
    assert.deepEqual(okJson(await getProfile(u.token)), before);
});

test('PUT profile works while waitlisted', async () => {
    const u = await newUser();
    assert.equal(okJson(await completeProfile(client, u.token)).success, true);
    const p = okJson(await putProfile(u.token, { location: 'Mumbai' }));
    assert.equal(p.location, 'Mumbai');
    assert.equal(p.is_active, false);
});

test('a profile is only ever its owner\'s: GET and PUT never cross users', async () => {
    const a = await newUser();
    const b = await newUser();
    okJson(await putProfile(b.token, { name: 'Bee Person', bio: 'B bio' }));
    const bBefore = okJson(await getProfile(b.token));
    // ids smuggled into the query or body are ignored
    const res = await client.put(`/api/auth/profile?user_id=${b.id}&id=${b.id}`, {
        headers: bearer(a.token),
        json: { id: b.id, user_id: b.id, name: 'Ay Person', bio: 'A bio' },
    });
    const pa = okJson(res);
    assert.equal(pa.id, a.id);
    assert.equal(pa.phone_number, a.phone);
    assert.equal(pa.name, 'Ay Person');
    const ga = okJson(await client.get(`/api/auth/profile?user_id=${b.id}`, { headers: bearer(a.token) }));
    assert.equal(ga.id, a.id);
    assert.equal(ga.bio, 'A bio');
    assert.deepEqual(okJson(await getProfile(b.token)), bBefore, "B's profile is unchanged");
    assert.equal(bBefore.phone_number, b.phone);
    // complete-profile with B's phone on A's token is refused
    assertFailure(await completeProfile(client, a.token, { phone_number: b.phone }), 'Phone number does not match authenticated user.');
    assert.deepEqual(okJson(await getProfile(b.token)), bBefore);
});

test('no request answered 5xx', () => {
    const bad = client.responses.filter((r) => r.status >= 500);
    assert.deepEqual(bad.map(summarize), []);
});
