// admin_notifications.test.mjs: the notifications sent, in the admin API
// (issue 12 point 2; src/admin/notifications_api.c): filters by type,
// recipient, reference and read state, search, CSV, and who may read it.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, summarize } from './lib/server.mjs';
import { assertErrorBody, assertValidationError } from './lib/expect.mjs';
import { startAccountsServer, phoneFactory, bearer } from './lib/accounts.mjs';
import { newAccount, createEvent, tag } from './lib/events.mjs';

const nextPhone = phoneFactory();
let server, client, staff, host, guest, ev;

before(async () => {
    server = await startAccountsServer();
    client = api(server);
    staff = await newAccount(server, client, nextPhone, { staff: true });
    host = await newAccount(server, client, nextPhone, { name: 'Host Person' });
    guest = await newAccount(server, client, nextPhone, { name: 'Guest Person' });
    ev = await createEvent(client, host.token, { title: `Notes ${tag()}`, status: 'published' });
    const r = await client.post(`/api/events/${ev.id}/requests`, { headers: bearer(guest.token), json: { seats_requested: 1 } });
    assert.equal(r.status, 201, summarize(r)); // the host is told
});

after(async () => {
    await server?.stop();
});

const list = (q, who = staff) => client.get(`/api/admin/notifications?${q}`, { headers: bearer(who.token) });

test('staff see what was sent to whom; filters, search and CSV; others may not', async () => {
    assertErrorBody(await list('', host), 403, 'ADMIN_REQUIRED');
    const toHost = await list(`recipient_id=${host.id}&type=event_request`);
    assert.equal(toHost.status, 200, summarize(toHost));
    assert.equal(toHost.json.total, 1);
    const n = toHost.json.data[0];
    assert.equal(n.recipient_phone, host.phone);
    assert.equal(n.is_read, false);
    assert.equal((await list(`recipient_id=${host.id}&is_read=true&type=event_request`)).json.total, 0);
    assert.equal((await list(`reference_type=${n.reference_type}&reference_id=${n.reference_id}`)).json.total >= 1, true);
    assert.ok((await list(`search=${encodeURIComponent(n.title.slice(0, 5))}&recipient_id=${host.id}`)).json.total >= 1);
    const csv = await list(`recipient_id=${host.id}&format=csv`);
    assert.match(csv.headers.get('content-type'), /^text\/csv/);
    assertValidationError(await list('type=shout'), { loc: ['query', 'type'] });
    assertValidationError(await list('recipient_id=-1'), { loc: ['query', 'recipient_id'] });
});
