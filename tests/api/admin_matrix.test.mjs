// admin_matrix.test.mjs: the authorisation matrix of the whole admin API
// (issue 12, "Bad input and authorisation"), taken from the routes the
// binary declares (`loopin routes --json`), so a new admin route is covered
// the day it is added:
//   - anonymous, a plain user, a waitlisted user and a host are refused on
//     every /api/admin route (403), staff on every superuser route;
//   - every state-changing admin route refuses the console's cookie without
//     the session's CSRF token (403 CSRF_FAILED), whatever its body;
//   - and with a staff session the read routes answer (no route needs more).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { api, dbQuery, summarize } from './lib/server.mjs';
import { startAccountsServer, phoneFactory, bearer } from './lib/accounts.mjs';
import { newAccount, createEvent, tag } from './lib/events.mjs';

const run = promisify(execFile);
const HASH = '$argon2id$v=19$m=65536,t=3,p=1$fx4aP+y1E5KVZB0AMtQy0g$/V4d73OeSttlNy6dHymtJCSG7LmmsGv7MfQr++D4qow';
const nextPhone = phoneFactory();
let server, client, routes, people, cookie;

before(async () => {
    server = await startAccountsServer();
    client = api(server);
    const { stdout } = await run(process.env.LOOPIN_BIN, ['routes', '--json'], { env: { PATH: process.env.PATH } });
    routes = JSON.parse(stdout).filter((r) => r.path.startsWith('/api/admin') && r.path !== '/api/admin/session');
    const user = await newAccount(server, client, nextPhone, { name: 'Plain Person' });
    const waitlisted = await newAccount(server, client, nextPhone, { active: false, name: 'Waiting Person' });
    const host = await newAccount(server, client, nextPhone, { name: 'Host Person' });
    await createEvent(client, host.token, { title: `Matrix ${tag()}` });
    const staff = await newAccount(server, client, nextPhone, { staff: true, name: 'Staff Person' });
    people = { user, waitlisted, host, staff };
    await dbQuery(server, `UPDATE users SET password_hash = '${HASH}' WHERE id = ${staff.id}`);
    const s = await client.post('/api/admin/session', { json: { phone_number: staff.phone, password: 'correct horse battery staple' } });
    assert.equal(s.status, 200, summarize(s));
    cookie = s.headers.get('set-cookie').split(';')[0];
});

after(async () => {
    await server?.stop();
});

// A concrete path for a pattern: every parameter 1 (its type is all the router checks first).
const concrete = (p) => p.replace(/\{([^}:]+)(:[a-z]+)?\}/g, (m, name) => (name === 'board' ? 'users' : name === 'order_id' ? 'ORDER1' : '1'));
const call = (r, headers) => client.request(r.method, concrete(r.path), { headers, ...(r.body.length ? { json: {} } : {}) });

test('every admin route is declared staff or superuser', () => {
    assert.ok(routes.length >= 30, `only ${routes.length} admin routes`);
    for (const r of routes) assert.ok(['staff', 'superuser'].includes(r.auth), `${r.method} ${r.path}: ${r.auth}`);
});

test('anonymous, user, waitlisted and host are refused everywhere; staff on superuser routes', async () => {
    const wrong = [];
    for (const r of routes) {
        const cases = [
            [{}, 'NOT_AUTHENTICATED'],
            [bearer(people.user.token), 'ADMIN_REQUIRED'],
            [bearer(people.waitlisted.token), 'ACCOUNT_WAITLISTED'],
            [bearer(people.host.token), 'ADMIN_REQUIRED'],
        ];
        if (r.auth === 'superuser') cases.push([bearer(people.staff.token), 'ADMIN_REQUIRED']);
        for (const [headers, code] of cases) {
            const res = await call(r, headers);
            if (res.status !== 403 || res.json?.error_code !== code)
                wrong.push(`${r.method} ${r.path} with ${code}: ${res.status} ${res.json?.error_code}`);
        }
    }
    assert.deepEqual(wrong, []);
});

test('a state change by cookie without the CSRF token is refused on every admin route', async () => {
    const wrong = [];
    for (const r of routes.filter((x) => !['GET', 'HEAD'].includes(x.method))) {
        for (const csrf of [undefined, 'x'.repeat(43)]) {
            const res = await call(r, { cookie, ...(csrf ? { 'x-csrf-token': csrf } : {}) });
            if (res.status !== 403 || res.json?.error_code !== 'CSRF_FAILED')
                wrong.push(`${r.method} ${r.path} (csrf ${csrf ? 'wrong' : 'missing'}): ${res.status} ${res.json?.error_code}`);
        }
    }
    assert.deepEqual(wrong, []);
});

test('with the staff session every read route answers without a 5xx', async () => {
    const wrong = [];
    for (const r of routes.filter((x) => x.method === 'GET' && x.auth === 'staff')) {
        const res = await call(r, { cookie });
        if (res.status >= 500 || res.status === 401 || res.status === 403) wrong.push(`${r.path}: ${res.status} ${res.json?.error_code}`);
    }
    assert.deepEqual(wrong, []);
});
