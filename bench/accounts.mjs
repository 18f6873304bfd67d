// bench/accounts.mjs <base-url> <outbox> <n>: times n sign-up round trips
// (POST /api/auth/signup, read the code from the SMS outbox file,
// POST /api/auth/verify-otp) one after another, prints p50/p99 in ms, and
// prints the last token on the final line for wrk to use.
import { readFile } from 'node:fs/promises';

const [base, outbox, nArg] = process.argv.slice(2);
const n = Number(nArg ?? 200);
const post = (path, body) =>
    fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
        .then((r) => r.json());

async function codeFor(phone) {
    const lines = (await readFile(outbox, 'utf8')).trim().split('\n');
    for (let i = lines.length - 1; i >= 0; i--) {
        const m = JSON.parse(lines[i]);
        if (m.to === phone) return /code is: (\d{4})/.exec(m.body)[1];
    }
    throw new Error(`no code for ${phone}`);
}

const times = [];
let token = '';
const block = 1000 + Math.floor(Math.random() * 8000);
for (let i = 0; i < n; i++) {
    const phone = `+91${block}${String(i).padStart(6, '0')}`;
    const t0 = performance.now();
    const s = await post('/api/auth/signup', { phone_number: phone });
    if (!s.success) throw new Error(JSON.stringify(s));
    const v = await post('/api/auth/verify-otp', { phone_number: phone, otp_code: await codeFor(phone) });
    if (!v.success) throw new Error(JSON.stringify(v));
    times.push(performance.now() - t0);
    token = v.token;
}
times.sort((a, b) => a - b);
const pct = (p) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))].toFixed(2);
console.log(`signup+verify round trip (${n} sequential, incl. reading the outbox): p50 ${pct(50)} ms, p99 ${pct(99)} ms`);
console.log(token);
