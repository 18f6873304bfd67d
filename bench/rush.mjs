// bench/rush.mjs: the hot-event rush, the door and paid admission, over
// HTTP, spread over several `loopin serve` processes (bench/run.sh, durable
// part).
//
//   node bench/rush.mjs confirm <ports> <event_id> <secret> <first>-<last> <concurrency> <tickets_out>
//     each user first..last (seeded with an accepted request, bench/seed.sql.sh
//     pg-rush) calls POST /api/events/{id}/confirm-attendance {"seats":1}
//     once; the ticket codes (ticket_secret) of the 200s go to tickets_out,
//     one per line.
//   node bench/rush.mjs checkin <ports> <event_id> <secret> <host_id> <concurrency> <tickets_in>
//     the host checks every ticket in once: POST /api/events/{id}/check-in
//     {"code", "nonce" (unique), "type": "entry"}.
//   node bench/rush.mjs pay <ports> <event_id> <secret> <first>-<last> <concurrency> <paid_out>
//     a paid purchase per user (seeded with an accepted request and its
//     capacity reservation): POST /api/payments/orders {event_id, amount (the
//     base fare, as the app sends it), reservation_key}, then PayU's success
//     answer for that order, posted as PayU posts it (a form, signed with the
//     reverse hash of API.md 14.8) to the order's surl on the next process
//     (the buyer's browser coming back through a load balancer). A purchase
//     succeeds when that answer is the "Payment successful" page. The paid
//     order ids go to paid_out, one per line.
//   node bench/rush.mjs orders <ports> <event_id> <secret> <first>-<last> <concurrency> <orders_out>
//     the order alone, per user; the 201s' provider forms (payu_redirect.payload)
//     go to orders_out, one JSON object per line.
//   node bench/rush.mjs callbacks <ports> <event_id> <secret> - <concurrency> <orders_in>
//     PayU's success answer for every order of orders_in, delivered three
//     times at once (three consecutive requests, so on three processes):
//     the browser's form post to the surl, the same bytes to
//     /api/payments/payu/webhook (a byte-identical redelivery), and the same
//     fields as JSON to the webhook (the same callback in other bytes). Each
//     answer counts when it says paid (or, for a delivery that lost the race,
//     duplicate): the "Payment successful" page, or the webhook's outcome.
//
// <ports> is a comma-separated list; request i goes to ports[i % n] over a
// keep-alive agent per port (concurrency / n sockets each). Tokens, bodies
// and (callbacks) the signed answers are made before the clock starts. PayU's
// salt comes from BENCH_PAYU_SALT (the servers' LOOPIN_PAYU_SALT), the base
// fare from BENCH_PAID_PRICE_MINOR (49900). Prints one JSON line: counts by
// outcome (status and error_code, check-in status/reason, or callback
// answer), which outcomes are successes (good), seconds, rate of successes,
// latency p50/p90/p99/max in ms (pay: the whole purchase; parts: the order
// and the callback apart), the seats the phase takes, and this process's CPU
// time.
import http from 'node:http';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

const MODES = ['confirm', 'checkin', 'pay', 'orders', 'callbacks'];
const [mode, portsArg, eventArg, secret, who, concArg, file] = process.argv.slice(2);
if (!MODES.includes(mode) || !file) {
    console.error('usage: see the comment at the top of bench/rush.mjs');
    process.exit(2);
}
const ports = portsArg.split(',').map(Number);
const eventId = Number(eventArg);
const concurrency = Number(concArg);
const run = randomBytes(4).toString('hex');

// Access tokens as the server signs them (src/auth/keys.c, jwt.c; bench/token.mjs).
const key = createHmac('sha256', secret).update('loopin:jwt').digest();
const b64 = (s) => Buffer.from(s).toString('base64url');
const header = b64('{"alg":"HS256","typ":"JWT"}');
function token(userId) {
    const now = Math.floor(Date.now() / 1000);
    const claims = { user_id: userId, iat: now, exp: now + 3600, jti: randomBytes(16).toString('hex') };
    const signed = `${header}.${b64(JSON.stringify(claims))}`;
    return `${signed}.${createHmac('sha256', key).update(signed).digest('base64url')}`;
}
const bearer = (tok) => ({ authorization: `Bearer ${tok}`, 'content-type': 'application/json' });
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const JSON_TYPE = { 'content-type': 'application/json' };

// ---- PayU (docs/money.md, API.md 14.8; the server: src/money/payu.c) ----
const payuSalt = process.env.BENCH_PAYU_SALT ?? '';
const price = (Number(process.env.BENCH_PAID_PRICE_MINOR ?? 49900) / 100).toFixed(2);
// The reverse hash: sha512(SALT|status||||||udf5..udf1|email|firstname|productinfo|amount|txnid|key).
const reverseHash = (f) =>
    createHash('sha512')
        .update(`${payuSalt}|${f.status}|||||||||||${f.email}|${f.firstname}|${f.productinfo}|${f.amount}|${f.txnid}|${f.key}`)
        .digest('hex');
// The seeded reservation's key (bench/seed.sql.sh pg-rush: md5('rush-c' || event || '-' || user)::uuid).
function reservationKey(userId) {
    const h = createHash('md5').update(`rush-c${eventId}-${userId}`).digest('hex');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
let payments = 0;
// What PayU posts back after a successful card payment for the order whose
// provider form is p (the fields of PayU's success post; the ones Loopin
// reads are key, txnid, amount, productinfo, firstname, email, status,
// mihpayid, mode and hash).
function successAnswer(p) {
    const n = ++payments;
    const f = {
        mihpayid: `${run}${String(n).padStart(8, '0')}`,
        mode: 'CC',
        status: 'success',
        unmappedstatus: 'captured',
        key: p.key,
        txnid: p.txnid,
        amount: p.amount,
        net_amount_debit: p.amount,
        addedon: new Date().toISOString().slice(0, 19).replace('T', ' '),
        productinfo: p.productinfo,
        firstname: p.firstname,
        lastname: '',
        email: p.email,
        phone: p.phone,
        udf1: '',
        udf2: '',
        udf3: '',
        udf4: '',
        udf5: '',
        field9: 'Transaction Completed Successfully',
        payment_source: 'payu',
        PG_TYPE: 'CC-PG',
        bank_ref_num: `${run}${n}`,
        bankcode: 'CC',
        error: 'E000',
        error_Message: 'No Error',
    };
    f.hash = reverseHash(f);
    return f;
}
const SUCCESS_PAGE = '<title>Payment successful</title>';
const title = (text) => /<title>([^<]*)<\/title>/.exec(text ?? '')?.[1] ?? '';

// ---- the work: one job per measured unit ----
const jobs = [];
const range = () => who.split('-').map(Number);
if (mode === 'confirm') {
    const [first, last] = range();
    const body = JSON.stringify({ seats: 1 });
    for (let u = first; u <= last; u++) jobs.push({ path: `/api/events/${eventId}/confirm-attendance`, headers: bearer(token(u)), body });
} else if (mode === 'checkin') {
    const host = bearer(token(Number(who)));
    const codes = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    codes.forEach((code, i) =>
        jobs.push({ path: `/api/events/${eventId}/check-in`, headers: host, body: JSON.stringify({ code, nonce: `bench-${run}-${i}`, type: 'entry' }) }));
} else if (mode === 'pay' || mode === 'orders') {
    const [first, last] = range();
    for (let u = first; u <= last; u++)
        jobs.push({
            path: '/api/payments/orders',
            headers: bearer(token(u)),
            body: JSON.stringify({ event_id: eventId, amount: price, reservation_key: reservationKey(u) }),
        });
} else {
    const orders = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    for (const p of orders) {
        const f = successAnswer(p);
        const form = new URLSearchParams(f).toString();
        jobs.push(
            { path: new URL(p.surl).pathname, headers: FORM, body: form, kind: 'page' },
            { path: '/api/payments/payu/webhook', headers: FORM, body: form, kind: 'webhook' },
            { path: '/api/payments/payu/webhook', headers: JSON_TYPE, body: JSON.stringify(f), kind: 'webhook' },
        );
    }
}

const agents = ports.map(() => new http.Agent({ keepAlive: true, maxSockets: Math.ceil(concurrency / ports.length) }));
const since = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

function post(i, path, headers, body) {
    return new Promise((resolve) => {
        const t0 = process.hrtime.bigint();
        const req = http.request(
            {
                host: '127.0.0.1',
                port: ports[i % ports.length],
                agent: agents[i % ports.length],
                method: 'POST',
                path,
                headers: { ...headers, 'content-length': Buffer.byteLength(body) },
            },
            (res) => {
                const chunks = [];
                res.on('data', (c) => chunks.push(c));
                res.on('end', () => {
                    const ms = since(t0);
                    const text = Buffer.concat(chunks).toString('utf8');
                    let json = null;
                    try {
                        json = JSON.parse(text);
                    } catch {
                        /* not JSON (a page): counted by status and title */
                    }
                    resolve({ status: res.statusCode, json, text, ms });
                });
            },
        );
        req.on('error', (e) => resolve({ status: 0, json: { error_code: e.code ?? 'SOCKET' }, text: '', ms: since(t0) }));
        req.end(body);
    });
}

const failed = (r) => `${r.status} ${r.json?.error_code ?? title(r.text)}`.trim();
const outcome = {};
const out = []; // tickets (confirm), paid order ids (pay), provider forms (orders)
const lat = [];
const parts = { order: [], callback: [] };
let next = 0;
let good = 0;

// One job: its outcome key, and whether it succeeded.
async function one(i, job) {
    if (mode === 'pay') {
        const t0 = process.hrtime.bigint();
        const o = await post(i, job.path, job.headers, job.body);
        parts.order.push(o.ms);
        if (o.status !== 201) return [`order ${failed(o)}`, false, since(t0)];
        const p = o.json.data.payu_redirect.payload;
        const c = await post(i + 1, new URL(p.surl).pathname, FORM, new URLSearchParams(successAnswer(p)).toString());
        parts.callback.push(c.ms);
        const ok = c.status === 200 && c.text.includes(SUCCESS_PAGE);
        if (ok) out.push(p.txnid);
        return [ok ? 'paid' : `callback ${failed(c)}`, ok, since(t0)];
    }
    const r = await post(i, job.path, job.headers, job.body);
    if (mode === 'confirm') {
        if (r.status === 200) out.push(r.json.ticket_secret);
        return [r.status === 200 ? '200' : failed(r), r.status === 200, r.ms];
    }
    if (mode === 'checkin') {
        if (r.status !== 200) return [failed(r), false, r.ms];
        return [`${r.json.status}${r.json.reason ? ' ' + r.json.reason : ''}`, r.json.status === 'ok', r.ms];
    }
    if (mode === 'orders') {
        if (r.status === 201) out.push(JSON.stringify(r.json.data.payu_redirect.payload));
        return [r.status === 201 ? '201' : failed(r), r.status === 201, r.ms];
    }
    if (job.kind === 'page') {
        const ok = r.status === 200 && r.text.includes(SUCCESS_PAGE);
        return [ok ? 'page: Payment successful' : `page ${failed(r)}`, ok, r.ms];
    }
    const oc = r.status === 200 ? r.json?.outcome : null;
    return [oc ? `webhook ${oc}` : `webhook ${failed(r)}`, oc === 'paid' || oc === 'duplicate', r.ms];
}

const GOOD = {
    confirm: ['200'],
    checkin: ['ok'],
    pay: ['paid'],
    orders: ['201'],
    callbacks: ['page: Payment successful', 'webhook paid', 'webhook duplicate'],
};
const cpu0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
async function worker() {
    while (next < jobs.length) {
        const i = next++;
        const [k, ok, ms] = await one(i, jobs[i]);
        lat.push(ms);
        if (ok) good++;
        outcome[k] = (outcome[k] ?? 0) + 1;
    }
}
await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, worker));
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
const cpu = process.cpuUsage(cpu0);
agents.forEach((a) => a.destroy());
if (['confirm', 'pay', 'orders'].includes(mode)) writeFileSync(file, out.join('\n') + (out.length ? '\n' : ''));

const pct = (xs, p) => (xs.length ? +xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))].toFixed(2) : null);
for (const xs of [lat, parts.order, parts.callback]) xs.sort((a, b) => a - b);
// the seats the phase takes: a confirmation or a purchase one each; the
// callbacks one per order (the check in bench/run.sh verifies each order paid once)
const seats = mode === 'callbacks' ? jobs.length / 3 : mode === 'confirm' || mode === 'pay' ? good : 0;
console.log(
    JSON.stringify({
        mode,
        requests: jobs.length,
        ok: good,
        good: GOOD[mode],
        outcome,
        seats,
        seconds: +seconds.toFixed(3),
        per_second: +(good / seconds).toFixed(1),
        requests_per_second: +(jobs.length / seconds).toFixed(1),
        p50_ms: pct(lat, 50),
        p90_ms: pct(lat, 90),
        p99_ms: pct(lat, 99),
        max_ms: lat.length ? +lat[lat.length - 1].toFixed(2) : null,
        ...(mode === 'pay' && {
            parts: {
                order: { p50_ms: pct(parts.order, 50), p99_ms: pct(parts.order, 99) },
                callback: { p50_ms: pct(parts.callback, 50), p99_ms: pct(parts.callback, 99) },
            },
        }),
        client_cpu_s: +((cpu.user + cpu.system) / 1e6).toFixed(3),
    }),
);
