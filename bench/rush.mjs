// bench/rush.mjs: the hot-event rush and the door, over HTTP, spread over
// several `loopin serve` processes (bench/run.sh, durable part).
//
//   node bench/rush.mjs confirm <ports> <event_id> <secret> <first>-<last> <concurrency> <tickets_out>
//     each user first..last (seeded with an accepted request, bench/seed.sql.sh
//     pg-rush) calls POST /api/events/{id}/confirm-attendance {"seats":1}
//     once; the ticket codes (ticket_secret) of the 200s go to tickets_out,
//     one per line.
//   node bench/rush.mjs checkin <ports> <event_id> <secret> <host_id> <concurrency> <tickets_in>
//     the host checks every ticket in once: POST /api/events/{id}/check-in
//     {"code", "nonce" (unique), "type": "entry"}.
//
// <ports> is a comma-separated list; request i goes to ports[i % n] over a
// keep-alive agent per port (concurrency / n sockets each). Tokens and bodies
// are made before the clock starts. Prints one JSON line: counts by outcome
// (status and error_code, or check-in status/reason), seconds, rate of
// successes, latency p50/p90/p99/max in ms, and this process's CPU time.
import http from 'node:http';
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

const [mode, portsArg, eventArg, secret, who, concArg, file] = process.argv.slice(2);
if (!['confirm', 'checkin'].includes(mode) || !file) {
    console.error('usage: see the comment at the top of bench/rush.mjs');
    process.exit(2);
}
const ports = portsArg.split(',').map(Number);
const eventId = Number(eventArg);
const concurrency = Number(concArg);

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

// The work: [path, token, body] per request.
const jobs = [];
if (mode === 'confirm') {
    const [first, last] = who.split('-').map(Number);
    const body = JSON.stringify({ seats: 1 });
    for (let u = first; u <= last; u++) jobs.push([`/api/events/${eventId}/confirm-attendance`, token(u), body]);
} else {
    const host = token(Number(who));
    const codes = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    const run = randomBytes(4).toString('hex');
    codes.forEach((code, i) =>
        jobs.push([`/api/events/${eventId}/check-in`, host, JSON.stringify({ code, nonce: `bench-${run}-${i}`, type: 'entry' })]));
}

const agents = ports.map(() => new http.Agent({ keepAlive: true, maxSockets: Math.ceil(concurrency / ports.length) }));

function post(i, [path, tok, body]) {
    return new Promise((resolve) => {
        const t0 = process.hrtime.bigint();
        const req = http.request(
            {
                host: '127.0.0.1',
                port: ports[i % ports.length],
                agent: agents[i % ports.length],
                method: 'POST',
                path,
                headers: { authorization: `Bearer ${tok}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
            },
            (res) => {
                const chunks = [];
                res.on('data', (c) => chunks.push(c));
                res.on('end', () => {
                    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
                    let json = null;
                    try {
                        json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
                    } catch {
                        /* not JSON: counted by status */
                    }
                    resolve({ status: res.statusCode, json, ms });
                });
            },
        );
        req.on('error', (e) => resolve({ status: 0, json: { error_code: e.code ?? 'SOCKET' }, ms: Number(process.hrtime.bigint() - t0) / 1e6 }));
        req.end(body);
    });
}

const outcome = {};
const tickets = [];
const lat = [];
let next = 0;
let good = 0;
const cpu0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
async function worker() {
    while (next < jobs.length) {
        const i = next++;
        const r = await post(i, jobs[i]);
        lat.push(r.ms);
        let k;
        if (mode === 'confirm') {
            k = r.status === 200 ? '200' : `${r.status} ${r.json?.error_code ?? ''}`.trim();
            if (r.status === 200) {
                good++;
                tickets.push(r.json.ticket_secret);
            }
        } else {
            k = r.status === 200 ? `${r.json.status}${r.json.reason ? ' ' + r.json.reason : ''}` : `${r.status} ${r.json?.error_code ?? ''}`.trim();
            if (r.status === 200 && r.json.status === 'ok') good++;
        }
        outcome[k] = (outcome[k] ?? 0) + 1;
    }
}
await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, worker));
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
const cpu = process.cpuUsage(cpu0);
agents.forEach((a) => a.destroy());
if (mode === 'confirm') writeFileSync(file, tickets.join('\n') + (tickets.length ? '\n' : ''));

lat.sort((a, b) => a - b);
const pct = (p) => (lat.length ? +lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))].toFixed(2) : null);
console.log(
    JSON.stringify({
        mode,
        requests: jobs.length,
        ok: good,
        outcome,
        seconds: +seconds.toFixed(3),
        per_second: +(good / seconds).toFixed(1),
        requests_per_second: +(jobs.length / seconds).toFixed(1),
        p50_ms: pct(50),
        p90_ms: pct(90),
        p99_ms: pct(99),
        max_ms: lat.length ? +lat[lat.length - 1].toFixed(2) : null,
        client_cpu_s: +((cpu.user + cpu.system) / 1e6).toFixed(3),
    }),
);
