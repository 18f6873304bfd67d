// bank_accounts.test.mjs: a host's bank accounts (issue 10 point 6; API.md
// section 10 with section 15 item 19 fixed; docs/bank_accounts.md): the
// {success, data, message} answers, every field rule (digits only on create
// AND update, the IFSC code trimmed and upper-cased), one primary per host
// (the first account automatically, switching, races), deletion as
// deactivation with the newest account promoted, accounts that payouts refer
// to kept, the sealed number (never in the database, the logs or the audit
// trail in plain), other people's accounts answering 404, on both databases.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt, randomUUID } from 'node:crypto';
import { api, dbQuery, summarize } from './lib/server.mjs';
import { assertValidationError, assertErrorBody } from './lib/expect.mjs';
import { assertNo5xx } from './lib/otp.mjs';
import { startAccountsServer, phoneFactory, bearer } from './lib/accounts.mjs';
import { newAccount, createEvent, UUID_RE, ISO_Z } from './lib/events.mjs';

const BASE = '/api/payouts/bank-accounts';
const ACCOUNT_KEYS = [
    'account_holder_name', 'bank_name', 'created_at', 'id', 'ifsc_code', 'is_active', 'is_primary',
    'is_verified', 'masked_account_number', 'updated_at', 'uuid',
].sort();
const NOT_FOUND = "Bank account not found or you don't have permission to access it.";
const IFSC_MSG = 'Value error, Invalid IFSC code format. Must be 11 characters: 4 letters, 0, then 6 alphanumeric';

const nextPhone = phoneFactory();
const numbersUsed = new Set();
let server, client, waitlisted;

before(async () => {
    server = await startAccountsServer();
    client = api(server);
    waitlisted = await newAccount(server, client, nextPhone, { active: false });
});

after(async () => {
    try {
        assertNo5xx(client);
        const log = server.stderr();
        for (const n of numbersUsed) assert.ok(!log.includes(n), `account number ${n} appears in the server log`);
    } finally {
        await server?.stop();
    }
});

const host = () => newAccount(server, client, nextPhone, { name: 'Bank Host' });
// A fresh random number of `digits` digits (remembered, so the log check can look for it).
const number = (digits = 12) => {
    let n = '5';
    while (n.length < digits) n += String(randomInt(0, 10));
    numbersUsed.add(n);
    return n;
};
const body = (fields = {}) => ({
    bank_name: 'State Bank of India',
    account_number: number(),
    ifsc_code: 'SBIN0001234',
    account_holder_name: 'Bank Host',
    is_primary: false,
    ...fields,
});
const post = (token, json) => client.post(BASE, { headers: bearer(token), json });
const list = (token) => client.get(BASE, { headers: bearer(token) });
const get = (token, id) => client.get(`${BASE}/${id}`, { headers: bearer(token) });
const put = (token, id, json) => client.put(`${BASE}/${id}`, { headers: bearer(token), json });
const del = (token, id) => client.del(`${BASE}/${id}`, { headers: bearer(token) });

async function create(token, fields = {}) {
    const res = await post(token, body(fields));
    assert.equal(res.status, 201, summarize(res));
    return res.json.data;
}

// {id: is_primary} of the host's rows, active or not, straight from the database.
async function primaries(hostId) {
    const rows = await dbQuery(
        server,
        `SELECT id, CASE WHEN is_primary THEN 1 ELSE 0 END, CASE WHEN is_active THEN 1 ELSE 0 END FROM bank_accounts WHERE host_id = ${hostId} ORDER BY id`,
    );
    return rows.split('\n').filter(Boolean).map((l) => l.split('|').map(Number));
}

const primaryIds = async (hostId) => (await primaries(hostId)).filter(([, p]) => p === 1).map(([id]) => id);

async function insertPayout(hostId, accountId, token, status = 'pending') {
    const ev = await createEvent(client, token, { title: `Payout ${randomUUID().slice(0, 8)}` });
    const t = '2030-01-01T00:00:00.000000Z';
    await dbQuery(
        server,
        `INSERT INTO host_payout_requests (uuid, host_id, bank_account_id, event_id, host_name, event_name, event_date, event_location, total_capacity, base_ticket_fare_minor, final_ticket_fare_minor, platform_fee_bps, total_tickets_sold, platform_fee_amount_minor, final_earning_minor, status, created_at, updated_at) VALUES ('${randomUUID()}', ${hostId}, ${accountId}, ${ev.id}, 'Bank Host', 'An event', '${t}', 'Somewhere', 10, 10000, 11000, 1000, 1, 1000, 10000, '${status}', '${t}', '${t}')`,
    );
    return ev;
}

// ---------------------------------------------------------------------------

test('create: 201 with the bank account object, the number only masked; the first account is primary', async () => {
    const h = await host();
    const num = number(14);
    const res = await post(h.token, body({ account_number: num, ifsc_code: '  hdfc0abc123 ', bank_name: '  HDFC Bank  ' }));
    assert.equal(res.status, 201, summarize(res));
    assert.equal(res.json.success, true);
    assert.equal(res.json.message, 'Bank account created successfully');
    const a = res.json.data;
    assert.deepEqual(Object.keys(a).sort(), ACCOUNT_KEYS);
    assert.match(a.uuid, UUID_RE);
    assert.equal(a.bank_name, 'HDFC Bank', 'trimmed');
    assert.equal(a.ifsc_code, 'HDFC0ABC123', 'trimmed and upper-cased');
    assert.equal(a.masked_account_number, `****${num.slice(-4)}`);
    assert.equal(a.account_holder_name, 'Bank Host');
    assert.equal(a.is_primary, true, 'the first account becomes primary although is_primary was false');
    assert.equal(a.is_verified, false);
    assert.equal(a.is_active, true);
    assert.match(a.created_at, ISO_Z);
    assert.match(a.updated_at, ISO_Z);
    assert.ok(!res.text.includes(num), 'the full number is never answered');

    const second = await create(h.token);
    assert.equal(second.is_primary, false, 'a second account is not primary unless asked');
    const one = await get(h.token, a.id);
    assert.equal(one.status, 200, summarize(one));
    assert.equal(one.json.success, true);
    assert.equal(one.json.message, 'Bank account retrieved successfully');
    assert.deepEqual(one.json.data, a);
    const all = await list(h.token);
    assert.equal(all.status, 200, summarize(all));
    assert.equal(all.json.message, 'Bank accounts retrieved successfully');
    assert.deepEqual(all.json.data.map((x) => x.id), [a.id, second.id], 'primary first');
});

test('the number is sealed at rest: v1 text, random nonce, never the digits; binds its row', async () => {
    const h = await host();
    const num = number(18);
    const a = await create(h.token, { account_number: num });
    const b = await create(h.token, { account_number: num });
    const [encA, last4] = (await dbQuery(server, `SELECT account_number_enc, account_last4 FROM bank_accounts WHERE id = ${a.id}`)).split('|');
    const encB = await dbQuery(server, `SELECT account_number_enc FROM bank_accounts WHERE id = ${b.id}`);
    assert.equal(last4, num.slice(-4));
    for (const enc of [encA, encB]) {
        assert.match(enc, /^v1:[A-Za-z0-9+/]+=*$/, 'versioned base64 text');
        assert.ok(enc.length >= 16 && enc.length <= 512);
        assert.ok(!enc.includes(num) && !enc.includes(num.slice(0, 9)), 'no digits in the sealed text');
        assert.ok(!Buffer.from(enc.slice(3), 'base64').toString('latin1').includes(num.slice(0, 9)), 'not merely encoded');
    }
    assert.notEqual(encA, encB, 'the same number seals differently (a nonce per row)');
    assert.equal(encA.length, encB.length, 'padded: the length does not depend on the number');
    const short = await create(h.token, { account_number: number(9) });
    const encShort = await dbQuery(server, `SELECT account_number_enc FROM bank_accounts WHERE id = ${short.id}`);
    assert.equal(encShort.length, encA.length, 'a 9-digit number seals to the same length as an 18-digit one');
    const row = await dbQuery(server, `SELECT * FROM bank_accounts WHERE host_id = ${h.id}`);
    assert.ok(!row.includes(num), 'no column holds the plain number');

    // Resending the same number keeps the sealed text and the verification
    // (the stored number was opened and compared); a new number reseals.
    await dbQuery(server, `UPDATE bank_accounts SET is_verified = true WHERE id IN (${a.id}, ${b.id})`);
    const same = await put(h.token, a.id, { account_number: num });
    assert.equal(same.status, 200, summarize(same));
    assert.equal(same.json.data.is_verified, true, 'unchanged number: still verified');
    assert.equal(await dbQuery(server, `SELECT account_number_enc FROM bank_accounts WHERE id = ${a.id}`), encA);
    // A sealed text copied from another row does not open there (the row's
    // uuid is inside): the same digits count as a new number.
    await dbQuery(server, `UPDATE bank_accounts SET account_number_enc = '${encA}' WHERE id = ${b.id}`);
    const moved = await put(h.token, b.id, { account_number: num });
    assert.equal(moved.status, 200, summarize(moved));
    assert.equal(moved.json.data.is_verified, false, 'a copied sealed text does not open under another row');
    const resealed = await dbQuery(server, `SELECT account_number_enc FROM bank_accounts WHERE id = ${b.id}`);
    assert.notEqual(resealed, encA);
    const again = await put(h.token, b.id, { account_number: num });
    assert.equal(again.status, 200);
    assert.equal(await dbQuery(server, `SELECT account_number_enc FROM bank_accounts WHERE id = ${b.id}`), resealed, 'the resealed text opens');

    const other = number(11);
    const changed = await put(h.token, a.id, { account_number: other });
    assert.equal(changed.status, 200, summarize(changed));
    assert.equal(changed.json.data.masked_account_number, `****${other.slice(-4)}`);
    assert.equal(changed.json.data.is_verified, false, 'a new number clears the verification');
    assert.notEqual(await dbQuery(server, `SELECT account_number_enc FROM bank_accounts WHERE id = ${a.id}`), encA);
});

test('create: every field rule and bad input answers 422 in FastAPI shape, nothing stored', async () => {
    const h = await host();
    const field = (res, name, type) => {
        assertValidationError(res);
        const d = res.json.detail.find((x) => x.loc[1] === name);
        assert.ok(d, `a detail for ${name}: ${summarize(res)}`);
        assert.deepEqual(d.loc, ['body', name]);
        if (type) assert.equal(d.type, type, summarize(res));
        return d;
    };
    const missing = await post(h.token, {});
    assertValidationError(missing);
    assert.deepEqual(missing.json.detail.map((d) => [d.type, d.loc[1]]).sort(), [
        ['missing', 'account_holder_name'], ['missing', 'account_number'], ['missing', 'bank_name'], ['missing', 'ifsc_code'],
    ]);
    // names
    field(await post(h.token, body({ bank_name: 'A' })), 'bank_name', 'string_too_short');
    field(await post(h.token, body({ bank_name: '   A   ' })), 'bank_name', 'string_too_short');
    const long = field(await post(h.token, body({ bank_name: 'B'.repeat(101) })), 'bank_name', 'string_too_long');
    assert.equal(long.msg, 'String should have at most 100 characters');
    field(await post(h.token, body({ bank_name: 42 })), 'bank_name', 'string_type');
    field(await post(h.token, body({ bank_name: null })), 'bank_name', 'missing');
    field(await post(h.token, body({ bank_name: 'Bank\nName' })), 'bank_name', 'value_error');
    field(await post(h.token, body({ account_holder_name: 'x' })), 'account_holder_name', 'string_too_short');
    field(await post(h.token, body({ account_holder_name: 'H'.repeat(101) })), 'account_holder_name', 'string_too_long');
    field(await post(h.token, body({ account_holder_name: ['Bank Host'] })), 'account_holder_name', 'string_type');
    // the number: digits only, 9..18, a string
    const letters = field(await post(h.token, body({ account_number: '12345678A9' })), 'account_number', 'value_error');
    assert.equal(letters.msg, 'Value error, Account number must contain only digits');
    assert.equal(letters.input, '12345678A9');
    field(await post(h.token, body({ account_number: ' 123456789' })), 'account_number', 'value_error');
    field(await post(h.token, body({ account_number: '1234 5678 9012' })), 'account_number', 'value_error');
    field(await post(h.token, body({ account_number: '-123456789' })), 'account_number', 'value_error');
    field(await post(h.token, body({ account_number: '１２３４５６７８９' })), 'account_number', 'value_error');
    field(await post(h.token, body({ account_number: '12345678' })), 'account_number', 'string_too_short');
    field(await post(h.token, body({ account_number: '1'.repeat(19) })), 'account_number', 'string_too_long');
    field(await post(h.token, body({ account_number: 123456789012 })), 'account_number', 'string_type');
    // IFSC
    for (const bad of ['SBIN1001234', '1BIN0001234', 'SB1N0001234', 'SBIN000123-', 'SBIN000 234', 'ŠBIN0001234'])
        assert.equal(field(await post(h.token, body({ ifsc_code: bad })), 'ifsc_code', 'value_error').msg, IFSC_MSG, bad);
    field(await post(h.token, body({ ifsc_code: 'SBIN000123' })), 'ifsc_code', 'string_too_short');
    field(await post(h.token, body({ ifsc_code: 'SBIN00012345' })), 'ifsc_code', 'string_too_long');
    field(await post(h.token, body({ ifsc_code: 12345678901 })), 'ifsc_code', 'string_type');
    // is_primary
    field(await post(h.token, body({ is_primary: 'maybe' })), 'is_primary', 'bool_parsing');
    field(await post(h.token, body({ is_primary: 5 })), 'is_primary', 'bool_type');
    field(await post(h.token, body({ is_primary: null })), 'is_primary', 'bool_type');
    // all at once: every field reported
    const many = await post(h.token, { bank_name: 'A', account_number: 'abc', ifsc_code: 'x', account_holder_name: 7, is_primary: [] });
    assertValidationError(many);
    assert.equal(many.json.detail.length, 5, summarize(many));
    // not a JSON object, not JSON, not JSON at all
    assertValidationError(await post(h.token, [body()]), { type: 'dict_type' });
    const broken = await client.post(BASE, { headers: { ...bearer(h.token), 'content-type': 'application/json' }, body: '{"bank_name":' });
    assertValidationError(broken, { type: 'json_invalid' });
    const form = await client.post(BASE, { headers: { ...bearer(h.token), 'content-type': 'application/x-www-form-urlencoded' }, body: 'bank_name=SBI' });
    assertErrorBody(form, 415);
    assert.equal(Number(await dbQuery(server, `SELECT count(*) FROM bank_accounts WHERE host_id = ${h.id}`)), 0, 'nothing was stored');

    // accepted spellings: lower-case IFSC, unknown keys ignored, is_primary omitted, as text
    const ok = await post(h.token, { ...body({ ifsc_code: 'icic0sf1234', extra: 'ignored' }), is_primary: undefined });
    assert.equal(ok.status, 201, summarize(ok));
    assert.equal(ok.json.data.ifsc_code, 'ICIC0SF1234');
    const text = await post(h.token, body({ is_primary: 'true', account_number: number(9), bank_name: 'ॐ बैंक' }));
    assert.equal(text.status, 201, summarize(text));
    assert.equal(text.json.data.is_primary, true);
    assert.equal(text.json.data.bank_name, 'ॐ बैंक');
    const max = await post(h.token, body({ bank_name: 'ब'.repeat(100), account_holder_name: 'H'.repeat(100), account_number: number(18) }));
    assert.equal(max.status, 201, `100 characters (multi-byte) fit: ${summarize(max)}`);
});

test('update: partial, validated as on create (digits only too), null and {} change nothing', async () => {
    const h = await host();
    const a = await create(h.token, { bank_name: 'Axis Bank' });
    const field = (res, name, type) => {
        assertValidationError(res);
        const d = res.json.detail.find((x) => x.loc[1] === name);
        assert.ok(d, `a detail for ${name}: ${summarize(res)}`);
        assert.equal(d.type, type, summarize(res));
    };
    field(await put(h.token, a.id, { account_number: '12345ABCDE' }), 'account_number', 'value_error');
    field(await put(h.token, a.id, { account_number: '123456789 ' }), 'account_number', 'value_error');
    field(await put(h.token, a.id, { account_number: '1234567' }), 'account_number', 'string_too_short');
    field(await put(h.token, a.id, { account_number: '9'.repeat(19) }), 'account_number', 'string_too_long');
    field(await put(h.token, a.id, { account_number: 123456789 }), 'account_number', 'string_type');
    field(await put(h.token, a.id, { ifsc_code: 'SBIN1001234' }), 'ifsc_code', 'value_error');
    field(await put(h.token, a.id, { bank_name: ' x ' }), 'bank_name', 'string_too_short');
    field(await put(h.token, a.id, { account_holder_name: 'Z'.repeat(101) }), 'account_holder_name', 'string_too_long');
    field(await put(h.token, a.id, { is_primary: 'perhaps' }), 'is_primary', 'bool_parsing');
    field(await put(h.token, a.id, { is_active: 3 }), 'is_active', 'bool_type');
    assertValidationError(await put(h.token, a.id, 'SBIN0001234'), { type: 'dict_type' });
    assertValidationError(await put(h.token, 'abc', { bank_name: 'Axis' }));

    const unchanged = await get(h.token, a.id);
    assert.deepEqual(unchanged.json.data, a, 'refused updates changed nothing');
    const empty = await put(h.token, a.id, {});
    assert.equal(empty.status, 200, summarize(empty));
    assert.equal(empty.json.message, 'Bank account updated successfully');
    assert.deepEqual(empty.json.data, a);
    const nulls = await put(h.token, a.id, { bank_name: null, account_number: null, ifsc_code: null, account_holder_name: null, is_primary: null, is_active: null });
    assert.equal(nulls.status, 200, summarize(nulls));
    assert.deepEqual(nulls.json.data, a, 'null means unchanged');

    const num = number(10);
    const res = await put(h.token, a.id, { bank_name: '  Kotak Mahindra Bank ', ifsc_code: 'kkbk0000811', account_holder_name: 'New Holder', account_number: num });
    assert.equal(res.status, 200, summarize(res));
    const d = res.json.data;
    assert.equal(d.bank_name, 'Kotak Mahindra Bank');
    assert.equal(d.ifsc_code, 'KKBK0000811');
    assert.equal(d.account_holder_name, 'New Holder');
    assert.equal(d.masked_account_number, `****${num.slice(-4)}`);
    assert.equal(d.is_primary, true);
    assert.ok(d.updated_at >= a.updated_at);
    assert.ok(!res.text.includes(num));

    // a new IFSC code alone also clears the verification; a name change does not
    await dbQuery(server, `UPDATE bank_accounts SET is_verified = true WHERE id = ${a.id}`);
    assert.equal((await put(h.token, a.id, { bank_name: 'Kotak Bank' })).json.data.is_verified, true);
    assert.equal((await put(h.token, a.id, { ifsc_code: 'KKBK0000811' })).json.data.is_verified, true, 'the same IFSC code');
    assert.equal((await put(h.token, a.id, { ifsc_code: 'KKBK0000812' })).json.data.is_verified, false);
});

test('primary: one per host, switching on create and update, never removed by a PUT', async () => {
    const h = await host();
    const a = await create(h.token);
    const b = await create(h.token);
    assert.deepEqual(await primaryIds(h.id), [a.id]);
    const c = await create(h.token, { is_primary: true });
    assert.equal(c.is_primary, true);
    assert.deepEqual(await primaryIds(h.id), [c.id], 'creating a primary clears the old one');
    assert.equal((await get(h.token, a.id)).json.data.is_primary, false);

    const sw = await put(h.token, b.id, { is_primary: true });
    assert.equal(sw.status, 200, summarize(sw));
    assert.equal(sw.json.data.is_primary, true);
    assert.deepEqual(await primaryIds(h.id), [b.id]);
    assert.deepEqual((await list(h.token)).json.data.map((x) => [x.id, x.is_primary]), [[b.id, true], [c.id, false], [a.id, false]], 'primary first, then newest');
    const keep = await put(h.token, b.id, { is_primary: true });
    assert.equal(keep.status, 200);
    assert.deepEqual(await primaryIds(h.id), [b.id], 'setting it again changes nothing');

    const unset = await put(h.token, b.id, { is_primary: false });
    assertErrorBody(unset, 400, 'PRIMARY_ACCOUNT_REQUIRED');
    assert.deepEqual(Object.keys(unset.json).sort(), ['detail', 'error_code'], 'API.md 10: the {"detail"} body');
    assert.deepEqual(await primaryIds(h.id), [b.id]);
    const fine = await put(h.token, a.id, { is_primary: false });
    assert.equal(fine.status, 200, 'a non-primary account may say so');

    // another host's primary is untouched by all of this
    const other = await host();
    const o = await create(other.token);
    await put(h.token, a.id, { is_primary: true });
    assert.deepEqual(await primaryIds(other.id), [o.id]);
    assert.deepEqual(await primaryIds(h.id), [a.id]);
});

test('primary under races: parallel creates and switches leave exactly one primary, never a 5xx', async () => {
    const h = await host();
    const first = await Promise.all(Array.from({ length: 6 }, () => post(h.token, body())));
    for (const r of first) assert.equal(r.status, 201, summarize(r));
    assert.equal((await primaryIds(h.id)).length, 1, 'the first-account race makes one primary');
    assert.equal(first.filter((r) => r.json.data.is_primary).length, 1);

    const h2 = await host();
    const made = [];
    for (let i = 0; i < 4; i++) made.push(await create(h2.token));
    const results = await Promise.all([
        ...made.map((m) => put(h2.token, m.id, { is_primary: true })),
        post(h2.token, body({ is_primary: true })),
        post(h2.token, body({ is_primary: true })),
    ]);
    for (const r of results) assert.ok(r.status === 200 || r.status === 201 || r.status === 409, summarize(r));
    const ids = await primaryIds(h2.id);
    assert.equal(ids.length, 1, `one primary: ${ids}`);
    assert.deepEqual((await list(h2.token)).json.data.filter((x) => x.is_primary).map((x) => x.id), ids);
});

test('delete: deactivates, clears primary, promotes the newest; the last one leaves none; then the next is primary', async () => {
    const h = await host();
    const a = await create(h.token);
    const b = await create(h.token);
    const c = await create(h.token);
    assert.deepEqual(await primaryIds(h.id), [a.id]);

    const res = await del(h.token, a.id);
    assert.equal(res.status, 200, summarize(res));
    assert.equal(res.json.success, true);
    assert.equal(res.json.message, 'Bank account deleted successfully');
    assert.deepEqual(res.json.data, { id: a.id, is_active: false, is_primary: false, retained_for_payouts: false, new_primary_id: c.id });
    assert.deepEqual(await primaryIds(h.id), [c.id], 'the newest active account became primary');
    assert.deepEqual(await primaries(h.id), [[a.id, 0, 0], [b.id, 0, 1], [c.id, 1, 1]], 'no inactive primary (API.md 15 item 19)');
    assert.deepEqual((await list(h.token)).json.data.map((x) => x.id), [c.id, b.id], 'the list holds active accounts only');
    const gone = await get(h.token, a.id);
    assert.equal(gone.status, 200, 'GET one still shows a deactivated account');
    assert.equal(gone.json.data.is_active, false);
    assert.equal(gone.json.data.is_primary, false);
    assert.equal(Number(await dbQuery(server, `SELECT count(*) FROM bank_accounts WHERE id = ${a.id}`)), 1, 'never removed');

    const again = await del(h.token, a.id);
    assert.equal(again.status, 200, 'deleting again is harmless');
    assert.equal(again.json.data.new_primary_id, null);
    assert.deepEqual(await primaryIds(h.id), [c.id]);

    const nonPrimary = await del(h.token, b.id);
    assert.equal(nonPrimary.json.data.new_primary_id, null, 'a non-primary leaves the primary alone');
    assert.deepEqual(await primaryIds(h.id), [c.id]);
    const last = await del(h.token, c.id);
    assert.equal(last.json.data.new_primary_id, null);
    assert.deepEqual(await primaryIds(h.id), [], 'no active account, no primary');
    assert.deepEqual((await list(h.token)).json.data, []);

    const d = await create(h.token);
    assert.equal(d.is_primary, true, 'the first account after all were deleted is primary');

    // an inactive account cannot be made primary; reactivating can
    const inactive = await put(h.token, a.id, { is_primary: true });
    assertErrorBody(inactive, 400, 'BANK_ACCOUNT_INACTIVE');
    assertErrorBody(await put(h.token, a.id, { is_primary: true, is_active: false }), 400, 'BANK_ACCOUNT_INACTIVE');
    const back = await put(h.token, a.id, { is_active: true });
    assert.equal(back.status, 200, summarize(back));
    assert.equal(back.json.data.is_active, true);
    assert.equal(back.json.data.is_primary, false, 'reactivated beside a primary: not primary');
    const both = await put(h.token, b.id, { is_active: true, is_primary: true });
    assert.equal(both.json.data.is_primary, true);
    assert.deepEqual(await primaryIds(h.id), [b.id]);
    // PUT is_active false behaves as DELETE
    const off = await put(h.token, b.id, { is_active: false });
    assert.equal(off.status, 200, summarize(off));
    assert.equal(off.json.data.is_primary, false);
    assert.equal((await primaryIds(h.id)).length, 1, 'another account was promoted');
    assert.deepEqual(await primaryIds(h.id), [d.id], 'the newest active one');
});

test('an account that payout requests refer to is deactivated, kept, and says so; its number is frozen while a payout runs', async () => {
    const h = await host();
    const a = await create(h.token);
    const b = await create(h.token);
    await insertPayout(h.id, a.id, h.token, 'pending');

    const num = number();
    const frozen = await put(h.token, a.id, { account_number: num });
    assertErrorBody(frozen, 409, 'BANK_ACCOUNT_IN_USE');
    assertErrorBody(await put(h.token, a.id, { ifsc_code: 'UTIB0000123' }), 409, 'BANK_ACCOUNT_IN_USE');
    const name = await put(h.token, a.id, { bank_name: 'Renamed Bank', ifsc_code: 'sbin0001234' });
    assert.equal(name.status, 200, `the name may change, and the same IFSC code is no change: ${summarize(name)}`);

    const res = await del(h.token, a.id);
    assert.equal(res.status, 200, summarize(res));
    assert.equal(res.json.message, 'Bank account deactivated. It is kept, not removed, because payout requests refer to it.');
    assert.deepEqual(res.json.data, { id: a.id, is_active: false, is_primary: false, retained_for_payouts: true, new_primary_id: b.id });
    assert.equal(Number(await dbQuery(server, `SELECT count(*) FROM bank_accounts WHERE id = ${a.id}`)), 1);
    assert.equal(Number(await dbQuery(server, `SELECT count(*) FROM host_payout_requests WHERE bank_account_id = ${a.id}`)), 1);

    await dbQuery(server, `UPDATE host_payout_requests SET status = 'cancelled' WHERE bank_account_id = ${a.id}`);
    const after = await put(h.token, a.id, { account_number: num });
    assert.equal(after.status, 200, `no payout in progress any more: ${summarize(after)}`);
    assert.equal(after.json.data.masked_account_number, `****${num.slice(-4)}`);
});

test('another person\'s account and unknown ids are 404 on every route, and stay untouched', async () => {
    const owner = await host();
    const intruder = await host();
    const mine = await create(owner.token, { bank_name: 'Owner Bank' });
    const theirs = await create(intruder.token);
    for (const id of [mine.id, 99999999]) {
        for (const res of [
            await get(intruder.token, id),
            await put(intruder.token, id, { bank_name: 'Stolen Bank' }),
            await put(intruder.token, id, { is_primary: true }),
            await del(intruder.token, id),
        ]) {
            assertErrorBody(res, 404, 'BANK_ACCOUNT_NOT_FOUND', { detail: NOT_FOUND });
            assert.deepEqual(Object.keys(res.json).sort(), ['detail', 'error_code']);
        }
    }
    const still = await get(owner.token, mine.id);
    assert.deepEqual(still.json.data, mine, 'unchanged');
    assert.deepEqual((await list(intruder.token)).json.data.map((x) => x.id), [theirs.id], 'a list shows only one\'s own');
    assert.deepEqual(await primaryIds(intruder.id), [theirs.id]);
    assertValidationError(await get(owner.token, 'x1'));
    assertValidationError(await del(owner.token, '1.5'));
    assertErrorBody(await get(owner.token, 0), 404, 'BANK_ACCOUNT_NOT_FOUND');
    assertErrorBody(await get(owner.token, -4), 404, 'BANK_ACCOUNT_NOT_FOUND');
});

test('authorisation: a token is required and a waitlisted account is refused', async () => {
    for (const res of [
        await client.get(BASE),
        await client.post(BASE, { json: body() }),
        await client.get(`${BASE}/1`),
        await client.put(`${BASE}/1`, { json: { bank_name: 'Any Bank' } }),
        await client.del(`${BASE}/1`),
    ])
        assertErrorBody(res, 403, 'NOT_AUTHENTICATED');
    assertErrorBody(await client.get(BASE, { headers: bearer('not-a-token') }), 401);
    assertErrorBody(await post(waitlisted.token, body()), 403, 'ACCOUNT_WAITLISTED');
    assertErrorBody(await list(waitlisted.token), 403, 'ACCOUNT_WAITLISTED');
    assert.equal(Number(await dbQuery(server, `SELECT count(*) FROM bank_accounts WHERE host_id = ${waitlisted.id}`)), 0);
});

test('at most 10 active accounts per host', async () => {
    const h = await host();
    const made = [];
    for (let i = 0; i < 10; i++) made.push(await create(h.token));
    const over = await post(h.token, body());
    assertErrorBody(over, 400, 'BANK_ACCOUNT_LIMIT');
    await del(h.token, made[3].id);
    assert.equal((await post(h.token, body())).status, 201, 'room again after a delete');
    assertErrorBody(await put(h.token, made[3].id, { is_active: true }), 400, 'BANK_ACCOUNT_LIMIT', {});
});

test('audit: create, update and delete are recorded without the number', async () => {
    const h = await host();
    const num = number(16);
    const a = await create(h.token, { account_number: num });
    await create(h.token);
    const other = number(16);
    await put(h.token, a.id, { account_number: other, bank_name: 'Audit Bank' });
    await del(h.token, a.id);
    const rows = await dbQuery(
        server,
        `SELECT action, severity, payload FROM audit_log WHERE object_type = 'bank_account' AND object_id = ${a.id} AND actor_user_id = ${h.id} ORDER BY id`,
    );
    const lines = rows.split('\n').map((l) => l.split('|'));
    assert.deepEqual(lines.map((l) => l[0]), ['bank_account.create', 'bank_account.update', 'bank_account.delete']);
    assert.equal(lines[1][1], 'high', 'a new number is a high-severity change');
    const update = JSON.parse(lines[1][2]);
    assert.deepEqual(update.changed.sort(), ['account_number', 'bank_name']);
    const removed = JSON.parse(lines[2][2]);
    assert.equal(removed.was_primary, true);
    assert.equal(typeof removed.new_primary_id, 'number');
    for (const n of [num, other]) assert.ok(!rows.includes(n), 'no account number in the audit trail');
    for (const l of lines)
        assert.deepEqual(Object.keys(JSON.parse(l[2])).filter((k) => /number|last4|masked/.test(k)), [], 'nor a field of it');
});
