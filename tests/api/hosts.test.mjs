// hosts.test.mjs: "become a host" leads (docs/accounts.md, API.md section
// 4): the public form with its 422s and deduplication by normalised phone,
// and GET /api/hosts/host-leads for staff superusers only, newest first,
// with offset/limit and the total, on SQLite and PostgreSQL.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, dbQuery } from './lib/server.mjs';
import { summarize } from './lib/http.mjs';
import { assertErrorBody, assertValidationError, okJson } from './lib/expect.mjs';
import { startAccountsServer, phoneFactory, login, bearer, makeStaff } from './lib/accounts.mjs';

let server;
let client;
const nextPhone = phoneFactory();

const ISO_Z = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
const CREATED = "Thank you for your interest in becoming a host! We'll contact you soon.";
const ALREADY = "Thank you! We already have your information. We'll contact you soon!";

before(async () => {
    server = await startAccountsServer();
    client = api(server);
});

after(async () => {
    await server?.stop();
});

const submit = (json) => client.post('/api/hosts/become-a-host', { json });
const leads = (token, query = '') =>
    client.get(`/api/hosts/host-leads${query}`, token ? { headers: bearer(token) } : {});

async function superuserToken() {
    const { token, user_id } = await login(server, client, nextPhone());
    await makeStaff(server, user_id, { superuser: true });
    return token;
}

test('become-a-host stores a lead (no auth) with trimmed names and a normalised phone', async () => {
    const phone = nextPhone();
    const spaced = `${phone.slice(1, 3)} (${phone.slice(3, 8)}) ${phone.slice(8)}`; // no '+', separators
    const body = okJson(await submit({ first_name: '  Meera ', last_name: 'Iyer', phone_number: spaced, message: 'Rooftop gigs' }));
    assert.equal(body.success, true);
    assert.equal(body.message, CREATED);
    const d = body.data;
    assert.deepEqual(Object.keys(d).sort(), ['first_name', 'id', 'last_name', 'message', 'phone_number', 'submitted_at']);
    assert.equal(typeof d.id, 'number');
    assert.equal(d.first_name, 'Meera');
    assert.equal(d.last_name, 'Iyer');
    assert.equal(d.phone_number, phone);
    assert.equal(d.message, 'Rooftop gigs');
    assert.match(d.submitted_at, ISO_Z);
});

test('become-a-host: the message is optional and may be null', async () => {
    const a = okJson(await submit({ first_name: 'No', last_name: 'Message', phone_number: nextPhone() }));
    assert.equal(a.message, CREATED);
    assert.equal(a.data.message, null);
    const b = okJson(await submit({ first_name: 'Null', last_name: 'Message', phone_number: nextPhone(), message: null }));
    assert.equal(b.data.message, null);
});

test('become-a-host deduplicates by normalised phone', async () => {
    const phone = nextPhone();
    const first = okJson(await submit({ first_name: 'Arjun', last_name: 'Das', phone_number: phone }));
    assert.equal(first.message, CREATED);
    for (const variant of [phone, phone.slice(1), `${phone.slice(0, 3)} ${phone.slice(3, 8)}-${phone.slice(8)}`]) {
        const again = okJson(await submit({ first_name: 'Someone', last_name: 'Else', phone_number: variant, message: 'hi' }));
        assert.equal(again.success, true);
        assert.equal(again.message, ALREADY);
        assert.deepEqual(Object.keys(again.data).sort(), ['first_name', 'last_name', 'phone_number', 'submitted_at']);
        assert.equal(again.data.first_name, 'Arjun', 'the lead on file is shown');
        assert.equal(again.data.phone_number, phone);
        assert.equal(again.data.submitted_at, first.data.submitted_at);
    }
    assert.equal(await dbQuery(server, `SELECT count(*) FROM host_leads WHERE phone_number = '${phone}'`), '1');
});

test('become-a-host: concurrent submissions of one phone store one lead', async () => {
    const phone = nextPhone();
    const answers = await Promise.all(
        Array.from({ length: 6 }, (_, i) => submit({ first_name: `Racer`, last_name: `No${'x'.repeat(i + 1)}`, phone_number: phone })),
    );
    const messages = answers.map((r) => okJson(r).message);
    assert.equal(messages.filter((m) => m === CREATED).length, 1, messages.join(' | '));
    assert.equal(messages.filter((m) => m === ALREADY).length, 5);
    assert.equal(await dbQuery(server, `SELECT count(*) FROM host_leads WHERE phone_number = '${phone}'`), '1');
});

test('become-a-host: invalid input is 422 in FastAPI shape', async () => {
    const phone = nextPhone();
    const missing = await submit({});
    assertValidationError(missing, { type: 'missing', loc: ['body', 'first_name'], msg: 'Field required' });
    assert.deepEqual(missing.json.detail.map((d) => d.loc[1]), ['first_name', 'last_name', 'phone_number']);
    const cases = [
        [{ first_name: '', last_name: 'X', phone_number: phone }, 'first_name', 'string_too_short'],
        [{ first_name: '   ', last_name: 'X', phone_number: phone }, 'first_name', 'string_too_short'],
        [{ first_name: 'x'.repeat(101), last_name: 'X', phone_number: phone }, 'first_name', 'string_too_long'],
        [{ first_name: 'X', last_name: 'y'.repeat(101), phone_number: phone }, 'last_name', 'string_too_long'],
        [{ first_name: 7, last_name: 'X', phone_number: phone }, 'first_name', 'string_type'],
        [{ first_name: 'X', last_name: null, phone_number: phone }, 'last_name', 'missing'],
        [{ first_name: 'X', last_name: 'Y', phone_number: 'call me' }, 'phone_number', 'value_error'],
        [{ first_name: 'X', last_name: 'Y', phone_number: '0123456789' }, 'phone_number', 'value_error'],
        [{ first_name: 'X', last_name: 'Y', phone_number: '+12345678' }, 'phone_number', 'value_error'],
        [{ first_name: 'X', last_name: 'Y', phone_number: '+1234567890123456' }, 'phone_number', 'value_error'],
        [{ first_name: 'X', last_name: 'Y', phone_number: 919876543210 }, 'phone_number', 'string_type'],
        [{ first_name: 'X', last_name: 'Y', phone_number: phone, message: 'm'.repeat(1001) }, 'message', 'string_too_long'],
        [{ first_name: 'X', last_name: 'Y', phone_number: phone, message: 42 }, 'message', 'string_type'],
    ];
    for (const [json, field, type] of cases) {
        const res = await submit(json);
        assertValidationError(res, { loc: ['body', field], type });
        assert.equal(res.json.detail.length, 1, summarize(res));
    }
    const bad = await submit({ first_name: 'X', last_name: 'Y', phone_number: 'nope' });
    assert.equal(bad.json.detail[0].msg, 'Value error, Invalid phone number format. Use international format, e.g. +919876543210');
    assertValidationError(await submit(['not', 'an', 'object']), { type: 'dict_type' });
    const raw = await client.post('/api/hosts/become-a-host', { headers: { 'content-type': 'application/json' }, body: '{' });
    assert.equal(raw.status, 422, summarize(raw));
    assert.equal(await dbQuery(server, `SELECT count(*) FROM host_leads WHERE phone_number = '${phone}'`), '0');
    const ok = okJson(await submit({ first_name: 'x'.repeat(100), last_name: 'Y', phone_number: phone, message: 'm'.repeat(1000) }));
    assert.equal(ok.message, CREATED, 'the limits themselves are allowed');
});

test('host-leads: refused without a staff superuser', async () => {
    assertErrorBody(await leads(null), 403, 'NOT_AUTHENTICATED', { detail: 'Not authenticated' });
    const plain = await login(server, client, nextPhone());
    const detail = 'This endpoint requires admin privileges';
    assertErrorBody(await leads(plain.token), 403, 'ADMIN_REQUIRED', { detail });
    const staff = await login(server, client, nextPhone());
    await makeStaff(server, staff.user_id, { superuser: false });
    assertErrorBody(await leads(staff.token), 403, 'ADMIN_REQUIRED', { detail });
    const superOnly = await login(server, client, nextPhone());
    await makeStaff(server, superOnly.user_id, { staff: false, superuser: true });
    assertErrorBody(await leads(superOnly.token), 403, 'ADMIN_REQUIRED', { detail });
});

test('host-leads: newest first, with the total, offset and limit', async () => {
    const token = await superuserToken();
    const mine = [];
    for (let i = 0; i < 3; i++) {
        okJson(await client.post('/_test/clock', { json: { advance_seconds: 5 } }));
        mine.push(okJson(await submit({ first_name: `Order${'x'.repeat(i)}`, last_name: 'Test', phone_number: nextPhone() })).data.id);
    }
    const total = Number(await dbQuery(server, 'SELECT count(*) FROM host_leads'));
    const all = okJson(await leads(token));
    assert.equal(all.success, true);
    assert.equal(all.message, `Retrieved ${all.data.leads.length} host leads`);
    assert.equal(all.data.total, total);
    assert.equal(all.data.leads.length, total);
    assert.deepEqual(all.data.leads.slice(0, 3).map((l) => l.id), [...mine].reverse(), 'newest first');
    const stamps = all.data.leads.map((l) => l.created_at);
    assert.deepEqual(stamps, [...stamps].sort().reverse());
    const lead = all.data.leads[0];
    assert.deepEqual(Object.keys(lead).sort(), [
        'created_at', 'first_name', 'id', 'is_contacted', 'is_converted', 'last_name', 'message', 'phone_number', 'updated_at',
    ]);
    assert.equal(lead.is_contacted, false);
    assert.equal(lead.is_converted, false);
    assert.match(lead.created_at, ISO_Z);
    assert.match(lead.updated_at, ISO_Z);

    const page = okJson(await leads(token, '?offset=1&limit=2'));
    assert.deepEqual(page.data.leads.map((l) => l.id), all.data.leads.slice(1, 3).map((l) => l.id));
    assert.equal(page.data.total, total);
    assert.equal(page.message, 'Retrieved 2 host leads');
    assert.equal(okJson(await leads(token, `?offset=${total}`)).data.leads.length, 0);
    okJson(await leads(token, '?limit=500'));
});

test('host-leads: bad offset or limit is 422', async () => {
    const token = await superuserToken();
    for (const [q, name, type] of [
        ['?limit=0', 'limit', 'greater_than_equal'],
        ['?limit=501', 'limit', 'less_than_equal'],
        ['?limit=ten', 'limit', 'int_parsing'],
        ['?limit=', 'limit', 'int_parsing'],
        ['?offset=-1', 'offset', 'greater_than_equal'],
        ['?offset=1.5', 'offset', 'int_parsing'],
    ]) {
        const res = await leads(token, q);
        assertValidationError(res, { loc: ['query', name], type });
    }
});

test('no request answered 5xx', () => {
    const bad = client.responses.filter((r) => r.status >= 500);
    assert.deepEqual(bad.map(summarize), []);
});
