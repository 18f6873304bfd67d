// otp.mjs: helpers for the account API tests (auth*.test.mjs): an SMS outbox
// per test file (LOOPIN_SMS_BACKEND=file) to read the codes the server sent,
// unique phone numbers, the test clock, the sign-up flow, JWT pieces, and the
// checks "no 5xx" and "no code leaked into a log".

import assert from 'node:assert/strict';
import { createHmac, randomInt } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { summarize } from './http.mjs';

/* ------------------------------------------------------------------------
 * SMS outbox
 */

// A fresh outbox file in its own temp dir: {path, env, remove()}. `env` is
// what startServer needs ({LOOPIN_SMS_BACKEND, LOOPIN_SMS_OUTBOX}).
export async function makeOutbox() {
    const dir = await mkdtemp(join(tmpdir(), 'loopin-sms-'));
    const path = join(dir, 'outbox.jsonl');
    return {
        path,
        env: { LOOPIN_SMS_BACKEND: 'file', LOOPIN_SMS_OUTBOX: path },
        remove: () => rm(dir, { recursive: true, force: true }),
    };
}

const SMS_BODY = /^Your Loopin verification code is: (\d{4})\. This code expires in 10 minutes\.$/;

// Every message in the outbox, oldest first: [{to, body, sent_at, code}].
// A missing file is an empty outbox. `code` is null when the body does not
// have the documented wording. `outbox` is a makeOutbox() result or a path.
export async function readOutbox(outbox) {
    const path = typeof outbox === 'string' ? outbox : outbox.path;
    let text;
    try {
        text = await readFile(path, 'utf8');
    } catch (e) {
        if (e.code === 'ENOENT') return [];
        throw e;
    }
    return text
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => {
            const m = JSON.parse(l);
            const code = SMS_BODY.exec(m.body ?? '');
            return { ...m, code: code ? code[1] : null };
        });
}

// The messages sent to one (E.164) phone, oldest first.
export async function messagesTo(outbox, phone) {
    return (await readOutbox(outbox)).filter((m) => m.to === phone);
}

// The code in the latest message to phone (asserts there is one).
export async function lastCode(outbox, phone) {
    const msgs = await messagesTo(outbox, phone);
    assert.ok(msgs.length > 0, `no SMS was sent to ${phone}`);
    const last = msgs.at(-1);
    assert.ok(last.code, `SMS to ${phone} does not have the documented wording: ${JSON.stringify(last.body)}`);
    return last.code;
}

// A 4-digit code that is not `code`.
export function otherCode(code, step = 1) {
    return String((Number(code) + step) % 10000).padStart(4, '0');
}

/* ------------------------------------------------------------------------
 * Phones
 */

// A generator of distinct valid phones "+91 9xxxxxxxxx" (E.164, 12 digits)
// for one test file; a random block keeps files apart should two of them
// ever share a database.
export function phoneFactory() {
    const block = randomInt(100, 999);
    let n = randomInt(0, 1000) * 1000;
    return () => `+919${block}${String(n++ % 1000000).padStart(6, '0')}`;
}

/* ------------------------------------------------------------------------
 * Clock and flows
 */

// Moves the server's test clock forward by `seconds`.
export async function advance(client, seconds) {
    const res = await client.post('/_test/clock', { json: { advance_seconds: seconds } });
    assert.equal(res.status, 200, `clock: ${summarize(res)}`);
    return res.json;
}

// POST /api/auth/signup and assert the code was sent; resolves to
// {res, code}.
export async function requestCode(client, outbox, phone, path = '/api/auth/signup') {
    const res = await client.post(path, { json: { phone_number: phone } });
    assert.equal(res.status, 200, summarize(res));
    assert.equal(res.json?.success, true, summarize(res));
    return { res, code: await lastCode(outbox, phone) };
}

// signup + verify-otp: resolves to {token, userId, res}.
export async function signupAndVerify(client, outbox, phone) {
    const { code } = await requestCode(client, outbox, phone);
    const res = await client.post('/api/auth/verify-otp', { json: { phone_number: phone, otp_code: code } });
    assert.equal(res.status, 200, summarize(res));
    assert.equal(res.json?.success, true, summarize(res));
    assert.equal(typeof res.json.token, 'string', summarize(res));
    return { token: res.json.token, userId: res.json.data.user_id, res };
}

// login + verify-login for an existing account: resolves to {token, userId, res}.
export async function loginAndVerify(client, outbox, phone) {
    const { code } = await requestCode(client, outbox, phone, '/api/auth/login');
    const res = await client.post('/api/auth/verify-login', { json: { phone_number: phone, otp_code: code } });
    assert.equal(res.status, 200, summarize(res));
    assert.equal(res.json?.success, true, summarize(res));
    return { token: res.json.token, userId: res.json.data.user_id, res };
}

// The AuthResponse failure envelope: {success:false, message, data:null,
// token:null, detail (= message), error_code}.
export function assertAuthFailure(res, status, errorCode, message) {
    const what = summarize(res);
    assert.equal(res.status, status, `status: ${what}`);
    assert.ok(res.json && typeof res.json === 'object', `body must be JSON: ${what}`);
    assert.equal(res.json.success, false, `success: ${what}`);
    assert.equal(res.json.data, null, `data: ${what}`);
    assert.equal(res.json.token, null, `token: ${what}`);
    assert.equal(res.json.error_code, errorCode, `error_code: ${what}`);
    if (message !== undefined) assert.equal(res.json.message, message, `message: ${what}`);
    assert.equal(res.json.detail, res.json.message, `detail must equal message: ${what}`);
}

// A 429 from the OTP limits: the failure envelope plus Retry-After within
// [min, max] seconds. Returns the Retry-After value.
export function assertLimited(res, errorCode, message, { min = 1, max = Infinity } = {}) {
    assertAuthFailure(res, 429, errorCode, message);
    const ra = res.headers.get('retry-after');
    assert.match(ra ?? '', /^\d+$/, `Retry-After must be a number of seconds: ${summarize(res)}`);
    const n = Number(ra);
    assert.ok(n >= min && n <= max, `Retry-After ${n} not in [${min}, ${max}]: ${summarize(res)}`);
    return n;
}

/* ------------------------------------------------------------------------
 * JWT pieces
 */

export const b64url = (bufOrString) => Buffer.from(bufOrString).toString('base64url');
export const unb64url = (s) => Buffer.from(s, 'base64url').toString('utf8');

// {header, payload, parts} of a compact JWT (no verification).
export function decodeJwt(token) {
    const parts = token.split('.');
    assert.equal(parts.length, 3, `not a compact JWT: ${token}`);
    return { header: JSON.parse(unb64url(parts[0])), payload: JSON.parse(unb64url(parts[1])), parts };
}

// header.payload signed with HMAC-SHA256 under `secret`.
export function signHs256(header, payload, secret) {
    const signing = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
    return `${signing}.${createHmac('sha256', secret).update(signing).digest('base64url')}`;
}

/* ------------------------------------------------------------------------
 * End-of-file checks
 */

// No response of this client was a 5xx.
export function assertNo5xx(client) {
    const bad = client.responses.filter((r) => r.status >= 500);
    assert.deepEqual(bad.map(summarize), [], 'no request may answer 5xx');
}

const CLOCK_PATH = '/_test/clock';

// Finds `code` as a stand-alone number (not part of a longer run of letters
// or digits) in text.
export function containsCode(text, code) {
    return new RegExp(`(?<![0-9A-Za-z_])${code}(?![0-9A-Za-z_])`).test(text);
}

// Responses (other than the test clock's, which shows dates) that show one
// of the codes sent. What the client sent is its own: the `input` a 422
// echoes back is left out.
export function responsesShowingCodes(client, codes) {
    return client.responses
        .filter((r) => r.path !== CLOCK_PATH)
        .flatMap((r) => {
            let text = r.text;
            if (r.status === 422 && r.json && Array.isArray(r.json.detail))
                text = JSON.stringify({ ...r.json, detail: r.json.detail.map(({ input, ...rest }) => rest) });
            return [...codes].filter((c) => containsCode(text, c)).map((c) => `${c} in ${summarize(r)}`);
        });
}

// Log lines in stderr that show one of the codes. Lines before "listening"
// (migrations: versions like "0003") cannot hold a code and are skipped. JSON
// log lines are checked without the fields that are numbers or times by
// nature (ts, duration_ms, bytes, port, workers, pid, version, job id); any other
// line is checked whole. The SMS wording itself must never appear.
export function stderrShowingCodes(stderr, codes) {
    const found = [];
    const lines = stderr.split('\n');
    const listening = lines.findIndex((l) => l.includes('"msg":"listening"'));
    for (const line of lines.slice(listening + 1)) {
        if (!line.trim()) continue;
        if (/verification code is/i.test(line)) {
            found.push(`SMS text in: ${line}`);
            continue;
        }
        let checked = line;
        try {
            const o = JSON.parse(line);
            for (const k of ['ts', 'duration_ms', 'bytes', 'port', 'workers', 'pid', 'version', 'id']) delete o[k];
            checked = JSON.stringify(o);
        } catch {
            /* not JSON: check the whole line */
        }
        for (const c of codes) if (containsCode(checked, c)) found.push(`${c} in: ${line}`);
    }
    return found;
}
