// invitations.test.mjs: invitations (issue 9 part 2; API.md section 8 with
// the app's shapes, docs/invitations.md): direct invitations with expiry,
// the host's list, mine, answering (going checks a seat, the seat is taken by
// confirm-attendance), share links with a use limit under a race, the people
// search, with every refusal and permission, on both databases.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, dbQuery, summarize } from './lib/server.mjs';
import { assertValidationError } from './lib/expect.mjs';
import { assertNo5xx } from './lib/otp.mjs';
import { startAccountsServer, phoneFactory, bearer } from './lib/accounts.mjs';
import { newAccount, createEvent, assertLoopinError, tag } from './lib/events.mjs';

const nextPhone = phoneFactory();
let server, client, host, staff, waitlisted, guests;

before(async () => {
    server = await startAccountsServer();
    client = api(server);
    host = await newAccount(server, client, nextPhone, { name: 'Host Person' });
    staff = await newAccount(server, client, nextPhone, { staff: true });
    waitlisted = await newAccount(server, client, nextPhone, { active: false });
    guests = [];
    for (let i = 0; i < 8; i++) guests.push(await newAccount(server, client, nextPhone, { name: `Invitee ${'ABCDEFGH'[i]}` }));
});

after(async () => {
    await server?.stop();
});

const published = (fields = {}) => createEvent(client, host.token, { title: `Invited ${tag()}`, status: 'published', ...fields });
const invite = (token, ev, json) => client.post(`/api/events/${ev.id}/invitations`, { headers: bearer(token), json });
const respond = (token, id, json) => client.put(`/api/events/invitations/${id}/respond`, { headers: bearer(token), json });
const get = (token, path) => client.get(path, { headers: bearer(token) });

test('invite: created, skipped, per-user errors, notifications; the host list and mine', async () => {
    const ev = await published({ allowed_genders: 'female' });
    await dbQuery(server, `UPDATE user_profiles SET gender = 'female' WHERE user_id IN (${guests[0].id}, ${guests[1].id})`);
    await dbQuery(server, `UPDATE user_profiles SET gender = 'male' WHERE user_id = ${guests[2].id}`);
    const res = await invite(host.token, ev, { user_ids: [guests[0].id, guests[1].id, guests[2].id, host.id, guests[0].id], message: 'Come!', expiry_policy: '48h' });
    assert.equal(res.status, 200, summarize(res));
    assert.equal(res.json.success, true);
    assert.equal(res.json.created_count, 2);
    assert.deepEqual(res.json.errors.map((e) => [e.user_id, e.error]).sort(), [[guests[2].id, 'GENDER_NOT_ALLOWED'], [host.id, 'CANNOT_INVITE_SELF']].sort());
    const inv = res.json.invites[0];
    assert.deepEqual(Object.keys(inv).sort(), ['expires_at', 'expiry_policy', 'full_name', 'invite_id', 'message', 'profile_picture_url', 'status', 'user_id', 'user_name']);
    assert.equal(inv.user_id, guests[0].id);
    assert.equal(inv.user_name, 'Invitee A');
    assert.equal(inv.expiry_policy, '48h');
    const hours = (Date.parse(inv.expires_at) - Date.now()) / 3600e3;
    assert.ok(hours > 47 && hours <= 48, `48h policy: ${hours}`);
    const again = await invite(host.token, ev, { user_ids: [guests[0].id] });
    assert.equal(again.json.created_count, 0);
    assert.equal(again.json.skipped_count, 1);
    const note = await dbQuery(server, `SELECT count(*) FROM notifications WHERE recipient_id = ${guests[0].id} AND type = 'event_invite' AND reference_id = ${inv.invite_id}`);
    assert.equal(Number(note), 1);
    const list = await get(host.token, `/api/events/${ev.id}/invitations`);
    assert.equal(list.status, 200, summarize(list));
    assert.equal(list.json.invitations.length, 2, 'an object with invitations, as the app reads it');
    assert.equal((await get(staff.token, `/api/events/${ev.id}/invitations?status_filter=accepted`)).json.invitations.length, 0);
    assertValidationError(await get(host.token, `/api/events/${ev.id}/invitations?status_filter=maybe`));
    assertLoopinError(await get(guests[0].token, `/api/events/${ev.id}/invitations`), 403, 'PERMISSION_DENIED');
    const mine = await get(guests[0].token, '/api/events/my-invitations');
    assert.equal(mine.status, 200, summarize(mine));
    assert.ok(Array.isArray(mine.json), 'a bare list (the app reads it raw)');
    const m = mine.json.find((x) => x.invite_id === inv.invite_id);
    assert.equal(m.event_title, ev.title);
    assert.equal(m.host_name, 'Host Person');
    assert.equal(m.status, 'pending');
});

test('invite refusals: not the host, bad ids, waitlisted ids, drafts, bad bodies', async () => {
    const ev = await published();
    assertLoopinError(await invite(guests[0].token, ev, { user_ids: [guests[1].id] }), 403, 'PERMISSION_DENIED');
    const bad = await invite(host.token, ev, { user_ids: [guests[1].id, 99999999, waitlisted.id] });
    assertLoopinError(bad, 400, 'INVALID_USER_IDS');
    assert.deepEqual(bad.json.details.invalid_user_ids.sort(), [99999999, waitlisted.id].sort());
    assert.equal(Number(await dbQuery(server, `SELECT count(*) FROM event_invites WHERE event_id = ${ev.id}`)), 0, 'nobody was invited');
    const draft = await createEvent(client, host.token, { title: `Draft ${tag()}` });
    assertLoopinError(await invite(host.token, draft, { user_ids: [guests[1].id] }), 400, 'EVENT_NOT_PUBLISHED');
    assertLoopinError(await invite(host.token, { id: 98765432 }, { user_ids: [guests[1].id] }), 404, 'EVENT_NOT_FOUND');
    assertValidationError(await invite(host.token, ev, {}), { loc: ['body', 'user_ids'] });
    assertValidationError(await invite(host.token, ev, { user_ids: [] }), { loc: ['body', 'user_ids'] });
    assertValidationError(await invite(host.token, ev, { user_ids: Array.from({ length: 51 }, (_, i) => i + 1) }), { loc: ['body', 'user_ids'] });
    assertValidationError(await invite(host.token, ev, { user_ids: ['x'] }), { loc: ['body', 'user_ids'] });
    assertValidationError(await invite(host.token, ev, { user_ids: [guests[1].id], expiry_policy: '1y' }), { loc: ['body', 'expiry_policy'] });
    assertValidationError(await invite(host.token, ev, { user_ids: [guests[1].id], expires_at: 'tomorrow' }), { loc: ['body', 'expires_at'] });
    assertValidationError(await invite(host.token, ev, { user_ids: [guests[1].id], message: 'x'.repeat(501) }), { loc: ['body', 'message'] });
    assertLoopinError(await invite(host.token, ev, { user_ids: [guests[1].id], expires_at: '2020-01-01T00:00:00Z' }), 400, 'INVALID_EXPIRY');
});

test('respond: going checks a seat and asks for confirmation; confirm-attendance takes it; declined tells the host', async () => {
    const ev = await published({ max_capacity: 1 });
    const ids = (await invite(host.token, ev, { user_ids: [guests[3].id, guests[4].id, guests[5].id] })).json.invites.map((i) => i.invite_id);
    const going = await respond(guests[3].token, ids[0], { response: 'going' });
    assert.equal(going.status, 200, summarize(going));
    assert.deepEqual(going.json, { invite_id: ids[0], status: 'accepted', event_id: ev.id, event_title: ev.title, is_paid: false, requires_payment: false, requires_confirmation: true });
    assertLoopinError(await respond(guests[3].token, ids[0], { response: 'going' }), 404, 'INVITATION_NOT_FOUND');
    const ticket = await client.post(`/api/events/${ev.id}/confirm-attendance`, { headers: bearer(guests[3].token), json: { seats: 1 } });
    assert.equal(ticket.status, 200, summarize(ticket));
    assertLoopinError(await respond(guests[4].token, ids[1], { response: 'going' }), 400, 'CAPACITY_FULL');
    assert.equal(await dbQuery(server, `SELECT status FROM event_invites WHERE id = ${ids[1]}`), 'pending', 'nothing changed');
    const no = await respond(guests[5].token, ids[2], { response: 'declined', message: 'sorry' });
    assert.equal(no.json.status, 'declined');
    const hostNotes = await dbQuery(server, `SELECT type FROM notifications WHERE recipient_id = ${host.id} AND reference_type = 'event_invite' AND reference_id IN (${ids.join(',')}) ORDER BY id`);
    assert.deepEqual(hostNotes.split('\n'), ['invite_accepted', 'invite_declined']);
    assertLoopinError(await respond(guests[4].token, ids[0], { response: 'going' }), 404, 'INVITATION_NOT_FOUND'); // not theirs
    assertValidationError(await respond(guests[4].token, ids[1], { response: 'maybe' }), { loc: ['body', 'response'] });
    assertValidationError(await respond(guests[4].token, ids[1], {}), { loc: ['body', 'response'] });
});

test('a pending invitation is accepted by confirming; an expired one is marked expired and stays so', async () => {
    const ev = await published({ allow_plus_one: 'true' });
    const [a, b] = (await invite(host.token, ev, { user_ids: [guests[6].id, guests[7].id] })).json.invites.map((i) => i.invite_id);
    const t = await client.post(`/api/events/${ev.id}/confirm-attendance`, { headers: bearer(guests[6].token), json: {} });
    assert.equal(t.status, 200, summarize(t));
    assert.equal(t.json.seats, 2, 'an invitation with the event plus-one admits two');
    assert.equal(await dbQuery(server, `SELECT status FROM event_invites WHERE id = ${a}`), 'accepted');
    await dbQuery(server, `UPDATE event_invites SET expires_at = '2020-01-01T00:00:00.000000Z' WHERE id = ${b}`);
    assertLoopinError(await respond(guests[7].token, b, { response: 'going' }), 400, 'INVITATION_EXPIRED');
    assert.equal(await dbQuery(server, `SELECT status FROM event_invites WHERE id = ${b}`), 'expired', 'the mark is not rolled back');
    assertLoopinError(await respond(guests[7].token, b, { response: 'going' }), 404, 'INVITATION_NOT_FOUND');
    assertLoopinError(await client.post(`/api/events/${ev.id}/confirm-attendance`, { headers: bearer(guests[7].token), json: {} }), 400, 'INVITATION_EXPIRED');
    const list = await get(host.token, `/api/events/${ev.id}/invitations?status_filter=expired`);
    assert.deepEqual(list.json.invitations.map((i) => i.invite_id), [b]);
});

test('share links: token once, accept up to max_uses under a race, revoke, expiry, refusals', async () => {
    const ev = await published();
    const link = await client.post(`/api/events/${ev.id}/invite-links`, { headers: bearer(host.token), json: { max_uses: 3, message: 'Bring friends' } });
    assert.equal(link.status, 201, summarize(link));
    assert.match(link.json.token, /^[A-Za-z0-9_-]{43}$/);
    assert.ok(link.json.accept_url.endsWith(`/api/invite-links/${link.json.token}/accept`));
    const stored = await dbQuery(server, `SELECT token_hash FROM event_invite_links WHERE id = ${link.json.link_id}`);
    assert.notEqual(stored, link.json.token, 'only a hash is stored');
    const accept = (g) => client.post(`/api/invite-links/${link.json.token}/accept`, { headers: bearer(g.token), json: {} });
    const results = await Promise.all(guests.slice(0, 8).map(accept));
    const ok = results.filter((r) => r.status === 200);
    assert.equal(ok.length, 3, results.map(summarize).join('\n'));
    for (const r of results.filter((r) => r.status !== 200)) assertLoopinError(r, 400, 'INVITE_LINK_EXHAUSTED');
    assert.equal(ok[0].json.requires_confirmation, true);
    const winner = guests[results.indexOf(ok[0])];
    const again = await accept(winner);
    assert.equal(again.status, 200, 'accepting again answers the same invitation, no use spent');
    assert.equal(again.json.invite_id, ok[0].json.invite_id);
    assert.equal(Number(await dbQuery(server, `SELECT uses FROM event_invite_links WHERE id = ${link.json.link_id}`)), 3);
    const links = await get(host.token, `/api/events/${ev.id}/invite-links`);
    assert.equal(links.json.links[0].uses, 3);
    assert.equal(links.json.links[0].token, undefined, 'never shown again');
    const second = (await client.post(`/api/events/${ev.id}/invite-links`, { headers: bearer(host.token), json: { expiry_policy: '24h' } })).json;
    assert.equal((await client.del(`/api/events/${ev.id}/invite-links/${second.link_id}`, { headers: bearer(host.token) })).status, 200);
    const late = results.findIndex((r) => r.status !== 200);
    assertLoopinError(await client.post(`/api/invite-links/${second.token}/accept`, { headers: bearer(guests[late].token), json: {} }), 400, 'INVITE_LINK_REVOKED');
    const third = (await client.post(`/api/events/${ev.id}/invite-links`, { headers: bearer(host.token) })).json;
    await dbQuery(server, `UPDATE event_invite_links SET expires_at = '2020-01-01T00:00:00.000000Z' WHERE id = ${third.link_id}`);
    assertLoopinError(await client.post(`/api/invite-links/${third.token}/accept`, { headers: bearer(guests[late].token), json: {} }), 400, 'INVITE_LINK_EXPIRED');
    assertLoopinError(await client.post(`/api/invite-links/${third.token}/accept`, { headers: bearer(host.token), json: {} }), 400, 'OWN_EVENT');
    assertLoopinError(await client.post(`/api/invite-links/${'A'.repeat(43)}/accept`, { headers: bearer(guests[late].token), json: {} }), 404, 'INVITE_LINK_NOT_FOUND');
    assertValidationError(await client.post(`/api/invite-links/short/accept`, { headers: bearer(guests[late].token), json: {} }));
    assertValidationError(await client.post(`/api/events/${ev.id}/invite-links`, { headers: bearer(host.token), json: { max_uses: 0 } }), { loc: ['body', 'max_uses'] });
    assertLoopinError(await client.post(`/api/events/${ev.id}/invite-links`, { headers: bearer(guests[0].token), json: {} }), 403, 'PERMISSION_DENIED');
    assertLoopinError(await client.del(`/api/events/${ev.id}/invite-links/99999`, { headers: bearer(host.token) }), 404, 'INVITE_LINK_NOT_FOUND');
});

test('users/search: by name, never the caller or staff, already_invited, host only', async () => {
    const ev = await published();
    await invite(host.token, ev, { user_ids: [guests[1].id] });
    const res = await get(host.token, `/api/events/users/search?event_id=${ev.id}&search=invitee&limit=100`);
    assert.equal(res.status, 200, summarize(res));
    assert.deepEqual(Object.keys(res.json).sort(), ['data', 'limit', 'offset', 'total']);
    const names = res.json.data.map((u) => u.full_name);
    assert.ok(names.includes('Invitee A') && names.includes('Invitee H'));
    assert.ok(!res.json.data.some((u) => u.id === host.id || u.id === staff.id || u.id === waitlisted.id));
    assert.equal(res.json.data.find((u) => u.id === guests[1].id).already_invited, true);
    assert.equal(res.json.data.find((u) => u.id === guests[2].id).already_invited, false);
    const page = await get(host.token, `/api/events/users/search?event_id=${ev.id}&search=invitee&limit=2&offset=1`);
    assert.equal(page.json.data.length, 2);
    assert.equal(page.json.total, res.json.total);
    const none = await get(host.token, `/api/events/users/search?event_id=${ev.id}&search=${encodeURIComponent('%_')}`);
    assert.equal(none.json.total, 0, 'LIKE wildcards are literal');
    assertLoopinError(await get(guests[0].token, `/api/events/users/search?event_id=${ev.id}`), 403, 'PERMISSION_DENIED');
    assertValidationError(await get(host.token, '/api/events/users/search'));
    assertValidationError(await get(host.token, `/api/events/users/search?event_id=${ev.id}&limit=0`));
});

test('no request answered 5xx', () => {
    assertNo5xx(client);
});
