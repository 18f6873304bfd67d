// invitations.test.mjs: invitations (issue 9 part 2; API.md section 8 with
// the app's shapes, docs/invitations.md): direct invitations with expiry,
// the host's list, mine, answering (going checks a seat, the seat is taken by
// confirm-attendance), share links with a use limit under a race, the people
// search, with every refusal and permission, on both databases.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { api, dbQuery, summarize } from './lib/server.mjs';
import { assertValidationError, assertErrorBody } from './lib/expect.mjs';
import { assertNo5xx } from './lib/otp.mjs';
import { startAccountsServer, phoneFactory, bearer } from './lib/accounts.mjs';
import { newAccount, createEvent, deleteEvent, insertAttendee, assertLoopinError, tag } from './lib/events.mjs';

const nextPhone = phoneFactory();
let server, client, host, staff, waitlisted, guests;

before(async () => {
    server = await startAccountsServer();
    client = api(server);
    host = await newAccount(server, client, nextPhone, { name: 'Host Person' });
    staff = await newAccount(server, client, nextPhone, { staff: true });
    waitlisted = await newAccount(server, client, nextPhone, { active: false });
    guests = [];
    for (let i = 0; i < 10; i++) guests.push(await newAccount(server, client, nextPhone, { name: `Invitee ${'ABCDEFGHIJ'[i]}` }));
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
    const hostNotes = await dbQuery(server, `SELECT title FROM notifications WHERE recipient_id = ${host.id} AND reference_type = 'event_invite' AND reference_id IN (${ids.join(',')}) ORDER BY id`);
    assert.deepEqual(hostNotes.split('\n'), [`Invitation Accepted: ${ev.title}`, `Invitation Declined: ${ev.title}`]);
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
    assert.equal(link.json.url, link.json.accept_url);
    assert.equal(link.json.max_uses, 3);
    assert.equal(link.json.uses, 0);
    assert.equal(link.json.message, 'Bring friends');
    assert.equal(link.json.expires_at, null);
    const stored = await dbQuery(server, `SELECT token_hash FROM event_invite_links WHERE id = ${link.json.link_id}`);
    assert.equal(stored, createHash('sha256').update(link.json.token).digest('hex'), 'only the SHA-256 is stored');
    const accept = (g) => client.post(`/api/invite-links/${link.json.token}/accept`, { headers: bearer(g.token), json: {} });
    const results = await Promise.all(guests.slice(0, 10).map(accept));
    const ok = results.filter((r) => r.status === 200);
    assert.equal(ok.length, 3, `exactly 3 of 10 parallel accepts win:\n${results.map(summarize).join('\n')}`);
    assert.equal(new Set(ok.map((r) => r.json.invite_id)).size, 3);
    assert.equal(Number(await dbQuery(server, `SELECT count(*) FROM event_invites WHERE link_id = ${link.json.link_id} AND invite_type = 'share_link' AND status = 'accepted'`)), 3);
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

// ---- more rules, one test each -------------------------------------------------------------

const letters = () => Array.from(randomBytes(8), (b) => String.fromCharCode(97 + (b % 26))).join('');
const people = async (n, prefix = 'Person') => {
    const out = [];
    for (let i = 0; i < n; i++) out.push(await newAccount(server, client, nextPhone, { name: `${prefix} ${letters()}` }));
    return out;
};
const accept = (token, t) => client.post(`/api/invite-links/${t}/accept`, { headers: bearer(token), json: {} });
const newLink = (token, ev, json) => client.post(`/api/events/${ev.id}/invite-links`, { headers: bearer(token), ...(json === undefined ? {} : { json }) });
const INVITE_KEYS = ['expires_at', 'expiry_policy', 'full_name', 'invite_id', 'message', 'profile_picture_url', 'status', 'user_id', 'user_name'];
const HOST_LIST_KEYS = [...INVITE_KEYS, 'created_at', 'invite_type', 'responded_at'].sort();
const MINE_KEYS = ['created_at', 'event_id', 'event_start_time', 'event_title', 'expires_at', 'host_name', 'invite_id', 'invite_type', 'message', 'status'];

test('who may invite: the host and staff; anonymous 401, waitlisted 403; ended, deleted and unknown events', async () => {
    const [a, b] = await people(2);
    const ev = await published();
    const res = await invite(staff.token, ev, { user_ids: [a.id, staff.id] });
    assert.equal(res.status, 200, summarize(res));
    assert.equal(res.json.created_count, 1, 'staff may invite');
    assert.deepEqual(res.json.errors, [{ user_id: staff.id, error: 'CANNOT_INVITE_SELF' }], 'nor may staff invite themselves');
    assertErrorBody(await client.post(`/api/events/${ev.id}/invitations`, { json: { user_ids: [b.id] } }), 403, 'NOT_AUTHENTICATED');
    assertErrorBody(await invite(waitlisted.token, ev, { user_ids: [b.id] }), 403);
    const over = await published();
    await dbQuery(server, `UPDATE events SET start_time = '2020-01-01T10:00:00.000000Z', end_time = '2020-01-01T12:00:00.000000Z' WHERE id = ${over.id}`);
    assertLoopinError(await invite(host.token, over, { user_ids: [b.id] }), 400, 'EVENT_ENDED', 'This event is over.');
    const gone = await published();
    assert.equal((await deleteEvent(client, gone.id, host.token)).status, 204);
    assertLoopinError(await invite(host.token, gone, { user_ids: [b.id] }), 404, 'EVENT_NOT_FOUND');
    assertLoopinError(await get(host.token, `/api/events/${gone.id}/invitations`), 404, 'EVENT_NOT_FOUND');
    assertLoopinError(await invite(b.token, ev, { user_ids: [a.id] }), 403, 'PERMISSION_DENIED', 'Only the event host can invite users to this event.');
    assert.equal(Number(await dbQuery(server, `SELECT count(*) FROM event_invites WHERE invited_user_id = ${b.id}`)), 0);
});

test('invite bodies: every field type-checked, 50 ids at most, INVALID_USER_IDS creates nothing', async () => {
    const ev = await published();
    const [a] = await people(1);
    for (const user_ids of ['1', 7, null, [0], [-3], [1.5], [true], [[1]], [{ id: 1 }]])
        assertValidationError(await invite(host.token, ev, { user_ids }), { loc: ['body', 'user_ids'] });
    assertValidationError(await invite(host.token, ev, { user_ids: Array.from({ length: 51 }, () => a.id) }), { loc: ['body', 'user_ids'] });
    assertValidationError(await invite(host.token, ev, { user_ids: [a.id], message: 5 }), { loc: ['body', 'message'] });
    assertValidationError(await invite(host.token, ev, { user_ids: [a.id], expiry_policy: 48 }), { loc: ['body', 'expiry_policy'] });
    assertValidationError(await invite(host.token, ev, { user_ids: [a.id], expiry_policy: '48H' }), { loc: ['body', 'expiry_policy'] });
    assertValidationError(await invite(host.token, ev, { user_ids: [a.id], expires_at: 12 }), { loc: ['body', 'expires_at'] });
    const bad = await invite(host.token, ev, { user_ids: [a.id, 2147483647] });
    assertLoopinError(bad, 400, 'INVALID_USER_IDS');
    assert.deepEqual(bad.json.details, { invalid_user_ids: [2147483647] });
    assert.equal(Number(await dbQuery(server, `SELECT count(*) FROM event_invites WHERE event_id = ${ev.id}`)), 0);
    assert.equal(Number(await dbQuery(server, `SELECT count(*) FROM notifications WHERE recipient_id = ${a.id} AND reference_type = 'event_invite'`)), 0, 'nobody told either');
    const fifty = await invite(host.token, ev, { user_ids: Array.from({ length: 50 }, () => a.id), message: 'x'.repeat(500) });
    assert.equal(fifty.status, 200, summarize(fifty));
    assert.equal(fifty.json.created_count, 1, 'the same id twice is one invitation');
});

test('expiry: expires_at wins over the policy; each policy; none and nothing mean no expiry', async () => {
    const ev = await published();
    const ps = await people(6);
    const when = new Date(Date.now() + 5 * 86400e3).toISOString();
    const hoursOf = (inv) => (Date.parse(inv.expires_at) - Date.now()) / 3600e3;
    const at = (await invite(host.token, ev, { user_ids: [ps[0].id], expires_at: when, expiry_policy: '24h' })).json.invites[0];
    assert.equal(Date.parse(at.expires_at), Date.parse(when));
    assert.equal(await dbQuery(server, `SELECT expiry_policy FROM event_invites WHERE id = ${at.invite_id}`), '24h', 'the policy is stored as sent');
    for (const [i, policy, hours] of [[1, '24h', 24], [2, '72h', 72], [3, '7d', 168]]) {
        const inv = (await invite(host.token, ev, { user_ids: [ps[i].id], expiry_policy: policy })).json.invites[0];
        assert.ok(hoursOf(inv) > hours - 1 && hoursOf(inv) <= hours, `${policy}: ${inv.expires_at}`);
        assert.equal(inv.expiry_policy, policy);
    }
    const none = (await invite(host.token, ev, { user_ids: [ps[4].id], expiry_policy: 'none' })).json.invites[0];
    assert.equal(none.expires_at, null);
    assert.equal(none.expiry_policy, 'none');
    const plain = (await invite(host.token, ev, { user_ids: [ps[5].id], expires_at: null })).json.invites[0];
    assert.equal(plain.expires_at, null);
    assert.equal(plain.message, '');
    assertLoopinError(await invite(host.token, ev, { user_ids: [ps[5].id], expires_at: new Date(Date.now() - 60e3).toISOString() }), 400, 'INVALID_EXPIRY');
});

test('lists: shapes, newest first, filters, only mine; reading marks due invitations expired', async () => {
    const ev = await published();
    const [a, b, c] = await people(3, 'Lister');
    const first = (await invite(host.token, ev, { user_ids: [a.id] })).json.invites[0];
    const second = (await invite(host.token, ev, { user_ids: [b.id], expiry_policy: '24h' })).json.invites[0];
    const third = (await invite(host.token, ev, { user_ids: [c.id] })).json.invites[0];
    await dbQuery(server, `UPDATE event_invites SET created_at = '2030-01-0${1}T00:00:00.000000Z' WHERE id = ${first.invite_id}`);
    await dbQuery(server, `UPDATE event_invites SET created_at = '2030-01-02T00:00:00.000000Z' WHERE id = ${second.invite_id}`);
    await dbQuery(server, `UPDATE event_invites SET created_at = '2030-01-03T00:00:00.000000Z' WHERE id = ${third.invite_id}`);
    const all = await get(host.token, `/api/events/${ev.id}/invitations`);
    assert.deepEqual(all.json.invitations.map((i) => i.invite_id), [third, second, first].map((i) => i.invite_id), 'newest first');
    assert.deepEqual(Object.keys(all.json.invitations[0]).sort(), HOST_LIST_KEYS);
    const row = all.json.invitations[1];
    assert.equal(row.user_id, b.id);
    assert.equal(row.full_name, b.name);
    assert.equal(row.invite_type, 'direct');
    assert.equal(row.responded_at, null);
    // due: shown and stored as expired, by the host's list alone
    await dbQuery(server, `UPDATE event_invites SET expires_at = '2020-01-01T00:00:00.000000Z' WHERE id = ${second.invite_id}`);
    const pending = await get(host.token, `/api/events/${ev.id}/invitations?status_filter=pending`);
    assert.deepEqual(pending.json.invitations.map((i) => i.invite_id).sort(), [first.invite_id, third.invite_id].sort());
    assert.equal(await dbQuery(server, `SELECT status FROM event_invites WHERE id = ${second.invite_id}`), 'expired');
    assert.deepEqual((await get(staff.token, `/api/events/${ev.id}/invitations?status_filter=expired`)).json.invitations.map((i) => i.invite_id), [second.invite_id]);
    // mine: the caller's only, filtered, and it marks too
    await dbQuery(server, `UPDATE event_invites SET expires_at = '2020-01-01T00:00:00.000000Z' WHERE id = ${third.invite_id}`);
    const mine = await get(c.token, '/api/events/my-invitations?status_filter=expired');
    assert.equal(mine.status, 200, summarize(mine));
    assert.deepEqual(mine.json.map((i) => i.invite_id), [third.invite_id]);
    assert.deepEqual(Object.keys(mine.json[0]).sort(), MINE_KEYS);
    assert.equal(mine.json[0].invite_type, 'direct');
    assert.equal(mine.json[0].event_id, ev.id);
    assert.equal(Date.parse(mine.json[0].event_start_time), Date.parse(ev.start_time));
    assert.deepEqual((await get(c.token, '/api/events/my-invitations?status_filter=pending')).json, []);
    assert.deepEqual((await get(a.token, '/api/events/my-invitations')).json.map((i) => i.invite_id), [first.invite_id]);
    assertValidationError(await get(a.token, '/api/events/my-invitations?status_filter=going'));
    assertErrorBody(await client.get('/api/events/my-invitations'), 403, 'NOT_AUTHENTICATED');
    assertErrorBody(await get(waitlisted.token, '/api/events/my-invitations'), 403);
});

test('respond: unknown, someone else\'s, answered twice, bad bodies, waitlisted', async () => {
    const ev = await published();
    const [a, b] = await people(2);
    const inv = (await invite(host.token, ev, { user_ids: [a.id] })).json.invites[0];
    const NF = "The invitation you're looking for doesn't exist or you've already responded to it.";
    assertLoopinError(await respond(a.token, 99999999, { response: 'going' }), 404, 'INVITATION_NOT_FOUND', NF);
    assertLoopinError(await respond(b.token, inv.invite_id, { response: 'going' }), 404, 'INVITATION_NOT_FOUND', NF);
    assertLoopinError(await respond(host.token, inv.invite_id, { response: 'not_going' }), 404, 'INVITATION_NOT_FOUND', NF);
    assertValidationError(await respond(a.token, 'abc', { response: 'going' }));
    assertValidationError(await respond(a.token, inv.invite_id, { response: 1 }), { loc: ['body', 'response'] });
    assertValidationError(await respond(a.token, inv.invite_id, { response: 'going', message: 'x'.repeat(201) }), { loc: ['body', 'message'] });
    assertErrorBody(await client.put(`/api/events/invitations/${inv.invite_id}/respond`, { json: { response: 'going' } }), 403, 'NOT_AUTHENTICATED');
    assertErrorBody(await respond(waitlisted.token, inv.invite_id, { response: 'going' }), 403);
    const no = await respond(a.token, inv.invite_id, { response: 'not_going', message: 'x'.repeat(200) });
    assert.equal(no.status, 200, summarize(no));
    assert.deepEqual(no.json, { invite_id: inv.invite_id, status: 'declined', event_id: ev.id, event_title: ev.title, is_paid: false, requires_payment: false, requires_confirmation: false });
    assert.ok(await dbQuery(server, `SELECT responded_at FROM event_invites WHERE id = ${inv.invite_id}`), 'responded_at is set');
    assertLoopinError(await respond(a.token, inv.invite_id, { response: 'going' }), 404, 'INVITATION_NOT_FOUND', NF);
});

test('respond going: the gender is checked again, the event must still run, CAPACITY_FULL has its details', async () => {
    const [a, b, c, d] = await people(4);
    const women = await published({ allowed_genders: 'female' });
    await dbQuery(server, `UPDATE user_profiles SET gender = 'female' WHERE user_id = ${a.id}`);
    const wi = (await invite(host.token, women, { user_ids: [a.id] })).json.invites[0];
    await dbQuery(server, `UPDATE user_profiles SET gender = 'male' WHERE user_id = ${a.id}`);
    assertLoopinError(await respond(a.token, wi.invite_id, { response: 'going' }), 403, 'GENDER_NOT_ALLOWED');
    assert.equal(await dbQuery(server, `SELECT status FROM event_invites WHERE id = ${wi.invite_id}`), 'pending');
    const over = await published();
    const oi = (await invite(host.token, over, { user_ids: [b.id] })).json.invites[0];
    await dbQuery(server, `UPDATE events SET start_time = '2020-01-01T10:00:00.000000Z', end_time = '2020-01-01T12:00:00.000000Z' WHERE id = ${over.id}`);
    assertLoopinError(await respond(b.token, oi.invite_id, { response: 'going' }), 400, 'EVENT_ENDED');
    assert.equal((await respond(b.token, oi.invite_id, { response: 'declined' })).json.status, 'declined', 'declining always works');
    const small = await published({ max_capacity: 3 });
    const si = (await invite(host.token, small, { user_ids: [c.id] })).json.invites[0];
    for (const p of await people(3, 'Seated')) await insertAttendee(server, small.id, p.id);
    const full = await respond(c.token, si.invite_id, { response: 'going' });
    assertLoopinError(full, 400, 'CAPACITY_FULL', 'Event is at full capacity');
    assert.deepEqual(full.json.details, { current_attendees: 3, max_capacity: 3, available_seats: 0 });
    const open = await published({ max_capacity: 0 });
    const ui = (await invite(host.token, open, { user_ids: [d.id] })).json.invites[0];
    for (const p of await people(2, 'Seated')) await insertAttendee(server, open.id, p.id);
    assert.equal((await respond(d.token, ui.invite_id, { response: 'going' })).json.status, 'accepted', 'max_capacity 0 is unlimited');
});

test('an expired invitation: 400 INVITATION_EXPIRED, marked expired for good, whatever the answer', async () => {
    const ev = await published();
    const [a, b] = await people(2);
    const ids = (await invite(host.token, ev, { user_ids: [a.id, b.id], expiry_policy: '24h' })).json.invites.map((i) => i.invite_id);
    await dbQuery(server, `UPDATE event_invites SET expires_at = '2020-01-01T00:00:00.000000Z' WHERE id IN (${ids.join(',')})`);
    assertLoopinError(await respond(a.token, ids[0], { response: 'going' }), 400, 'INVITATION_EXPIRED');
    assertLoopinError(await respond(b.token, ids[1], { response: 'not_going' }), 400, 'INVITATION_EXPIRED');
    assert.equal(await dbQuery(server, `SELECT status FROM event_invites WHERE id IN (${ids.join(',')}) GROUP BY status`), 'expired');
    assert.equal(Number(await dbQuery(server, `SELECT count(*) FROM notifications WHERE recipient_id = ${host.id} AND reference_id IN (${ids.join(',')})`)), 0, 'the host hears nothing');
    const mine = await get(a.token, '/api/events/my-invitations');
    assert.equal(mine.json.find((i) => i.invite_id === ids[0]).status, 'expired');
});

test('a notification title stays within 200 characters for a 200-character title of multi-byte letters', async () => {
    const title = 'a' + 'é'.repeat(199);
    const ev = await published({ title });
    const [a] = await people(1);
    const res = await invite(host.token, ev, { user_ids: [a.id] });
    assert.equal(res.status, 200, summarize(res));
    const id = res.json.invites[0].invite_id;
    assert.equal((await respond(a.token, id, { response: 'declined' })).status, 200);
    const stored = await dbQuery(server, `SELECT title FROM notifications WHERE recipient_id = ${host.id} AND reference_id = ${id} AND reference_type = 'event_invite'`);
    assert.ok(stored.startsWith('Invitation Declined: aé'), stored);
    assert.equal([...stored].length, 200);
    assert.ok(!stored.includes('\ufffd'), 'never cut inside a letter');
});

test('share links: the defaults, who may make and see them, and bad bodies', async () => {
    const ev = await published();
    const bare = await newLink(host.token, ev);
    assert.equal(bare.status, 201, summarize(bare));
    assert.equal(bare.json.max_uses, 1, 'single use by default');
    assert.equal(bare.json.event_id, ev.id);
    const byStaff = await newLink(staff.token, ev, { max_uses: 1000, expiry_policy: '7d', message: 'hi' });
    assert.equal(byStaff.status, 201, summarize(byStaff));
    assert.ok(Date.parse(byStaff.json.expires_at) > Date.now() + 167 * 3600e3);
    assertLoopinError(await newLink(host.token, ev, { expires_at: '2020-01-01T00:00:00Z' }), 400, 'INVALID_EXPIRY');
    for (const json of [{ max_uses: 0 }, { max_uses: 1001 }, { max_uses: 'many' }, { expiry_policy: '1h' }, { message: 'x'.repeat(501) }, { expires_at: 'soon' }])
        assertValidationError(await newLink(host.token, ev, json), { loc: ['body', Object.keys(json)[0]] });
    const [a] = await people(1);
    assertLoopinError(await newLink(a.token, ev, {}), 403, 'PERMISSION_DENIED');
    assertLoopinError(await get(a.token, `/api/events/${ev.id}/invite-links`), 403, 'PERMISSION_DENIED');
    assertLoopinError(await client.del(`/api/events/${ev.id}/invite-links/${bare.json.link_id}`, { headers: bearer(a.token) }), 403, 'PERMISSION_DENIED');
    assertErrorBody(await accept(waitlisted.token, bare.json.token), 403);
    assertErrorBody(await client.post(`/api/invite-links/${bare.json.token}/accept`, { json: {} }), 403, 'NOT_AUTHENTICATED');
    const draft = await createEvent(client, host.token, { title: `Draft ${tag()}` });
    assertLoopinError(await newLink(host.token, draft, {}), 400, 'EVENT_NOT_PUBLISHED');
    const links = (await get(staff.token, `/api/events/${ev.id}/invite-links`)).json.links;
    assert.deepEqual(links.map((l) => l.link_id), [byStaff.json.link_id, bare.json.link_id]);
    assert.ok(links.every((l) => !('token' in l) && !('url' in l) && !('accept_url' in l)));
    const other = await published();
    assertLoopinError(await client.del(`/api/events/${other.id}/invite-links/${bare.json.link_id}`, { headers: bearer(host.token) }), 404, 'INVITE_LINK_NOT_FOUND', 'No such invite link for this event.');
    // single use: the second person is refused, the first keeps theirs
    const [b, c] = await people(2);
    assert.equal((await accept(b.token, bare.json.token)).status, 200);
    assertLoopinError(await accept(c.token, bare.json.token), 400, 'INVITE_LINK_EXHAUSTED');
    assert.equal((await accept(b.token, bare.json.token)).json.status, 'accepted');
});

test('share link accept: the event must run, the gender fit, staff refused; an existing invitation is answered without a use', async () => {
    const ev = await published({ allowed_genders: 'male' });
    const link = (await newLink(host.token, ev, { max_uses: 5 })).json;
    const [m, w, p, d] = await people(4);
    await dbQuery(server, `UPDATE user_profiles SET gender = 'male' WHERE user_id IN (${m.id}, ${p.id}, ${d.id})`);
    await dbQuery(server, `UPDATE user_profiles SET gender = 'female' WHERE user_id = ${w.id}`);
    assertLoopinError(await accept(w.token, link.token), 403, 'GENDER_NOT_ALLOWED');
    assertLoopinError(await accept(staff.token, link.token), 403, 'ADMIN_CANNOT_REQUEST_EVENT');
    const pend = (await invite(host.token, ev, { user_ids: [p.id, d.id] })).json.invites;
    await respond(d.token, pend[1].invite_id, { response: 'declined' });
    const res = await accept(p.token, link.token);
    assert.equal(res.status, 200, summarize(res));
    assert.deepEqual(res.json, { invite_id: pend[0].invite_id, status: 'accepted', event_id: ev.id, event_title: ev.title, is_paid: false, requires_payment: false, requires_confirmation: true });
    assert.equal(await dbQuery(server, `SELECT status FROM event_invites WHERE id = ${pend[0].invite_id}`), 'accepted');
    assert.equal(Number(await dbQuery(server, `SELECT count(*) FROM notifications WHERE recipient_id = ${host.id} AND title LIKE 'Invitation Accepted:%' AND reference_id = ${pend[0].invite_id}`)), 1);
    const declined = await accept(d.token, link.token);
    assert.equal(declined.json.status, 'declined', 'any other invitation comes back as it is');
    assert.equal(declined.json.requires_confirmation, false);
    assert.equal(Number(await dbQuery(server, `SELECT uses FROM event_invite_links WHERE id = ${link.link_id}`)), 0, 'no use spent');
    const fresh = await accept(m.token, link.token);
    assert.equal(fresh.status, 200, summarize(fresh));
    assert.equal(await dbQuery(server, `SELECT invite_type || ' ' || status || ' ' || link_id FROM event_invites WHERE id = ${fresh.json.invite_id}`), `share_link accepted ${link.link_id}`);
    const mine = (await get(m.token, '/api/events/my-invitations')).json.find((i) => i.invite_id === fresh.json.invite_id);
    assert.equal(mine.invite_type, 'share_link');
    const ticket = await client.post(`/api/events/${ev.id}/confirm-attendance`, { headers: bearer(m.token), json: { seats: 1 } });
    assert.equal(ticket.status, 200, `the guest then confirms: ${summarize(ticket)}`);
    await dbQuery(server, `UPDATE events SET start_time = '2020-01-01T10:00:00.000000Z', end_time = '2020-01-01T12:00:00.000000Z' WHERE id = ${ev.id}`);
    const [late] = await people(1);
    await dbQuery(server, `UPDATE user_profiles SET gender = 'male' WHERE user_id = ${late.id}`);
    assertLoopinError(await accept(late.token, link.token), 400, 'EVENT_ENDED');
});

test('users/search: by phone only whole, staff of the event allowed, ordered by name, bad queries', async () => {
    const ev = await published();
    const [zed, amy] = [await newAccount(server, client, nextPhone, { name: 'Zed Phoneable' }), await newAccount(server, client, nextPhone, { name: 'Amy Phoneable' })];
    const find = (q, token = host.token) => get(token, `/api/events/users/search?event_id=${ev.id}&search=${encodeURIComponent(q)}`);
    assert.deepEqual((await find(zed.phone)).json.data.map((u) => u.id), [zed.id], 'the E.164 number');
    const national = zed.phone.slice(3);
    assert.deepEqual((await find(`0${national.slice(0, 5)} ${national.slice(5)}`)).json.data.map((u) => u.id), [zed.id], 'a national number with spaces and a trunk 0');
    assert.equal((await find(zed.phone.slice(0, -1))).json.total, 0, 'a fragment never matches');
    assert.equal((await find(zed.phone.slice(4))).json.total, 0, 'nor a tail shorter than 10 digits');
    const byName = await find('phoneable', staff.token);
    assert.equal(byName.status, 200, summarize(byName));
    assert.deepEqual(byName.json.data.map((u) => u.id), [amy.id, zed.id], 'ordered by name, case-insensitive');
    assert.deepEqual(Object.keys(byName.json.data[0]).sort(), ['already_invited', 'full_name', 'id', 'profile_picture_url', 'username']);
    assert.equal(byName.json.data[0].username, 'Amy Phoneable');
    const all = await get(host.token, `/api/events/users/search?event_id=${ev.id}`);
    assert.equal(all.json.offset, 0);
    assert.equal(all.json.limit, 100, 'limit defaults to 100');
    assert.ok(all.json.total >= 2);
    assertLoopinError(await get(host.token, '/api/events/users/search?event_id=98765432'), 404, 'EVENT_NOT_FOUND');
    for (const q of ['event_id=abc', `event_id=${ev.id}&limit=101`, `event_id=${ev.id}&offset=-1`, `event_id=${ev.id}&search=${'x'.repeat(101)}`])
        assertValidationError(await get(host.token, `/api/events/users/search?${q}`));
    assertErrorBody(await client.get(`/api/events/users/search?event_id=${ev.id}`), 403, 'NOT_AUTHENTICATED');
});

test('no request answered 5xx', () => {
    assertNo5xx(client);
});
