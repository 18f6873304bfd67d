// accounts.mjs: getting real accounts in API tests. A server started with
// startAccountsServer() delivers SMS to a file outbox (LOOPIN_SMS_BACKEND=file)
// that readCode() reads; signup/login run the OTP flow to a token;
// completeProfile() posts a valid multipart profile with a real tiny PNG;
// makeStaff() sets the staff flags directly in the database.

import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, dbQuery } from './server.mjs';
import { summarize } from './http.mjs';

/* ------------------------------------------------------------------------
 * Images: real, tiny files for uploads
 */

// A valid 1x1 PNG (67 bytes).
export const TINY_PNG = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
    'base64',
);
// JPEG/JFIF start (SOI + APP0) and end: enough for content sniffing.
export const TINY_JPEG = Buffer.from('ffd8ffe000104a46494600010100000100010000ffd9', 'hex');
// A 1x1 GIF: a real image, but not a type the API accepts.
export const TINY_GIF = Buffer.from('R0lGODlhAQABAAAAACwAAAAAAQABAAACAkQBADs=', 'base64');

/* ------------------------------------------------------------------------
 * Server with an SMS outbox
 */

// startServer() plus an SMS outbox file; the server gets `outbox` (the
// path). OTP limits are raised so a test file may create many accounts from
// one IP; pass env to override. stop() also removes the outbox.
export async function startAccountsServer(opts = {}) {
    const dir = await mkdtemp(join(tmpdir(), 'loopin-outbox-'));
    const outbox = join(dir, 'outbox.jsonl');
    const env = {
        LOOPIN_SMS_BACKEND: 'file',
        LOOPIN_SMS_OUTBOX: outbox,
        LOOPIN_OTP_PER_IP_HOUR: '100000',
        LOOPIN_OTP_PER_PHONE_HOUR: '1000',
        LOOPIN_OTP_COOLDOWN_SECONDS: '0',
        ...(opts.env ?? {}),
    };
    let server;
    try {
        server = await startServer({ ...opts, env });
    } catch (e) {
        await rm(dir, { recursive: true, force: true });
        throw e;
    }
    server.outbox = outbox;
    const stop = server.stop;
    server.stop = async (o) => {
        try {
            return await stop(o);
        } finally {
            await rm(dir, { recursive: true, force: true });
        }
    };
    return server;
}

// Distinct valid phones (E.164, +91 9xxxxxxxxx) for one test file.
export function phoneFactory() {
    const block = randomInt(100, 999);
    let n = randomInt(0, 1000) * 1000;
    return () => `+919${block}${String(n++ % 1000000).padStart(6, '0')}`;
}

const CODE_RE = /verification code is: (\d{4})\b/;

// The 4-digit code in the last SMS the server sent to phone (E.164).
export async function readCode(server, phone) {
    let text = '';
    try {
        text = await readFile(server.outbox, 'utf8');
    } catch (e) {
        if (e.code !== 'ENOENT') throw e;
    }
    const last = text
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l))
        .filter((m) => m.to === phone)
        .at(-1);
    assert.ok(last, `no SMS was sent to ${phone}`);
    const m = CODE_RE.exec(last.body ?? '');
    assert.ok(m, `no code in the SMS to ${phone}: ${JSON.stringify(last.body)}`);
    return m[1];
}

/* ------------------------------------------------------------------------
 * Flows
 */

// POST /api/auth/signup; asserts a code was sent. Resolves to the response.
export async function signup(client, phone) {
    const res = await client.post('/api/auth/signup', { json: { phone_number: phone } });
    assert.equal(res.status, 200, summarize(res));
    assert.equal(res.json?.success, true, summarize(res));
    return res;
}

// signup + verify-otp (works for new and existing accounts): resolves to
// {token, user_id, res}.
export async function login(server, client, phone) {
    await signup(client, phone);
    const code = await readCode(server, phone);
    const res = await client.post('/api/auth/verify-otp', { json: { phone_number: phone, otp_code: code } });
    assert.equal(res.status, 200, summarize(res));
    assert.equal(res.json?.success, true, summarize(res));
    assert.equal(typeof res.json.token, 'string', summarize(res));
    return { token: res.json.token, user_id: res.json.data.user_id, res };
}

export const bearer = (token) => ({ authorization: `Bearer ${token}` });

// A valid complete-profile form for phone. overrides: field -> value, where
// undefined leaves a field out; `pictures` is a list of {data, filename,
// type} (default: one tiny PNG) and `fields` extra [name, value] pairs.
export function profileForm(phone, overrides = {}) {
    const { pictures, fields = [], ...rest } = overrides;
    const values = {
        name: 'Asha Rao',
        birth_date: '1995-04-12',
        gender: 'female',
        event_interests: '[1,2,3]',
        phone_number: phone,
        bio: 'Loves live music',
        location: 'Bengaluru',
        ...rest,
    };
    const form = new FormData();
    for (const [k, v] of Object.entries(values)) if (v !== undefined) form.append(k, v);
    for (const [k, v] of fields) form.append(k, v);
    const pics = pictures ?? [{ data: TINY_PNG, filename: 'me.png', type: 'image/png' }];
    for (const p of pics) form.append('profile_pictures', new Blob([p.data], { type: p.type }), p.filename);
    return form;
}

// The phone_number claim of a token (no verification).
export function tokenPhone(token) {
    return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')).phone_number;
}

// POST /api/auth/complete-profile with a valid body (see profileForm) for
// the token's own phone unless overrides say otherwise; resolves to the
// response.
export function completeProfile(client, token, overrides = {}) {
    return client.post('/api/auth/complete-profile', {
        headers: bearer(token),
        body: profileForm(tokenPhone(token), overrides),
    });
}

// Sets is_staff (and is_superuser when asked) on users.id = userId.
export async function makeStaff(server, userId, { superuser = false, staff = true } = {}) {
    const b = (v) => (v ? 'TRUE' : 'FALSE');
    await dbQuery(
        server,
        `UPDATE users SET is_staff = ${b(staff)}, is_superuser = ${b(superuser)} WHERE id = ${Number(userId)}`,
    );
}

// Ends the account waitlist for userId now (both flags, both timestamps).
export async function activate(server, userId) {
    const id = Number(userId);
    await dbQuery(server, `UPDATE users SET is_active = TRUE WHERE id = ${id}`);
    await dbQuery(
        server,
        `UPDATE user_profiles SET is_active = TRUE, waitlist_started_at = NULL, waitlist_promote_at = NULL WHERE user_id = ${id}`,
    );
}
