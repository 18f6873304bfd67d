// app.js: the Loopin admin console (issue 12, docs/admin.md). A Preact + htm
// application over the admin JSON API: sign-in with the session cookie, the
// CSRF token on every change, pages routed in the URL fragment so a reload
// keeps the page and its filters (#/users?search=meera&is_active=true).
import { html, render, useState, useEffect, useRef, useCallback } from '/admin/assets/standalone.module.js';
import uPlot from '/admin/assets/uPlot.esm.js';
import { CampaignsHome, CampaignBuilder, CampaignPage, TemplatesHome, TemplatePage, whatsappAction } from '/admin/assets/campaigns.js';

// ---- the API ----------------------------------------------------------------------------

let csrf = null;

class ApiError extends Error {
    constructor(status, body) {
        const detail = Array.isArray(body?.detail)
            ? body.detail.map((d) => `${(d.loc || []).slice(1).join('.')}: ${d.msg}`).join('; ')
            : body?.detail || body?.message || `The server answered ${status}.`;
        super(detail);
        this.status = status;
        this.code = body?.error_code || '';
    }
}

export async function api(method, path, body) {
    const headers = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
    let res;
    try {
        res = await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
    } catch {
        throw new ApiError(0, { detail: 'The server cannot be reached. Check your connection and try again.' });
    }
    const text = await res.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { json = null; }
    if (!res.ok) throw new ApiError(res.status, json);
    return json;
}

// ---- routing in the fragment ----------------------------------------------------------------

function parseHash() {
    const raw = location.hash.replace(/^#\/?/, '');
    const [path, qs] = raw.split('?');
    return { path: path || 'dashboard', query: Object.fromEntries(new URLSearchParams(qs || '')) };
}

export function go(path, query) {
    const qs = query ? new URLSearchParams(Object.entries(query).filter(([, v]) => v !== '' && v !== undefined && v !== null)).toString() : '';
    location.hash = `#/${path}${qs ? `?${qs}` : ''}`;
}

function useRoute() {
    const [route, setRoute] = useState(parseHash());
    useEffect(() => {
        const on = () => setRoute(parseHash());
        addEventListener('hashchange', on);
        return () => removeEventListener('hashchange', on);
    }, []);
    return route;
}

// ---- small pieces -------------------------------------------------------------------------

export const when = (iso) => (iso ? iso.replace('T', ' ').slice(0, 16) + ' UTC' : '—');
const yes = (b) => html`<span class=${`badge ${b ? 'ok' : 'no'}`}>${b ? 'yes' : 'no'}</span>`;
const money = (minor) => (minor / 100).toLocaleString('en-IN', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export function ErrorBox({ error }) {
    return error ? html`<div class="error" role="alert">${error.message || String(error)}</div>` : null;
}

// GET path: {loading, data, error}, and a reload. The data of another path
// is never shown while the new one loads; a reload keeps what is shown.
export function useLoad(path) {
    const [state, setState] = useState({ loading: true, data: null, error: null, path });
    const [tick, setTick] = useState(0);
    useEffect(() => {
        let live = true;
        setState((s) => ({ loading: true, error: null, data: s.path === path ? s.data : null, path }));
        api('GET', path).then(
            (data) => live && setState({ loading: false, data, error: null, path }),
            (error) => live && setState({ loading: false, data: null, error, path }),
        );
        return () => { live = false; };
    }, [path, tick]);
    return [state, () => setTick((t) => t + 1)];
}

// A confirmation dialog for an action; fields are text inputs or textareas.
function ActionDialog({ action, onClose, onDone }) {
    const ref = useRef(null);
    const [values, setValues] = useState({});
    const [error, setError] = useState(null);
    const [busy, setBusy] = useState(false);
    useEffect(() => { ref.current?.showModal(); }, []);
    const submit = async (e) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        try {
            const out = await action.run(values);
            ref.current?.close();
            onDone(out);
        } catch (err) {
            setError(err);
        } finally {
            setBusy(false);
        }
    };
    return html`<dialog ref=${ref} onClose=${onClose} aria-labelledby="dlg-title">
        <form onSubmit=${submit}>
            <h2 id="dlg-title">${action.label}</h2>
            <p class="muted">${action.explain}</p>
            ${(action.fields || []).map((f) => html`
                <label for=${`f-${f.key}`}>${f.label}</label>
                ${f.type === 'textarea'
                    ? html`<textarea id=${`f-${f.key}`} rows="3" required=${!!f.required} minlength=${f.min || 0}
                        onInput=${(e) => setValues({ ...values, [f.key]: e.target.value })}></textarea>`
                    : html`<input id=${`f-${f.key}`} type=${f.type || 'text'} required=${!!f.required}
                        onInput=${(e) => setValues({ ...values, [f.key]: e.target.value })} />`}`)}
            <${ErrorBox} error=${error} />
            <div class="actions">
                <button type="submit" class=${action.danger ? 'danger' : 'primary'} disabled=${busy}>${busy ? 'Working…' : action.confirm || action.label}</button>
                <button type="button" onClick=${() => ref.current?.close()}>Cancel</button>
            </div>
        </form>
    </dialog>`;
}

export function Actions({ actions, onDone }) {
    const [open, setOpen] = useState(null);
    const [notice, setNotice] = useState(null);
    return html`<div class="actions">
        ${actions.filter((a) => !a.hidden).map((a) => html`<button type="button" class=${a.danger ? 'danger' : ''} onClick=${() => { setNotice(null); setOpen(a); }}>${a.label}</button>`)}
        ${open && html`<${ActionDialog} action=${open} onClose=${() => setOpen(null)} onDone=${(out) => { setOpen(null); setNotice(`${open.label}: done.`); onDone(out); }} />`}
    </div>${notice && html`<div class="notice" role="status">${notice}</div>`}`;
}

export function KeyValues({ obj, keys }) {
    return html`<dl class="kv">${keys.map(([k, label, fmt]) => html`<dt>${label}</dt><dd>${fmt ? fmt(obj[k], obj) : String(obj[k] ?? '—')}</dd>`)}</dl>`;
}

function Table({ rows, columns, link, rowActions, onDone }) {
    if (!rows.length) return html`<div class="empty">Nothing matches.</div>`;
    return html`<table><thead><tr>${columns.map((c) => html`<th scope="col">${c.label}</th>`)}${rowActions && html`<th scope="col">Actions</th>`}</tr></thead>
        <tbody>${rows.map((r) => html`<tr class=${link ? 'row' : ''} tabindex=${link ? 0 : undefined}
            onClick=${() => link && go(link(r))} onKeyDown=${(e) => link && e.key === 'Enter' && go(link(r))}>
            ${columns.map((c) => html`<td>${c.fmt ? c.fmt(r[c.key], r) : String(r[c.key] ?? '')}</td>`)}
            ${rowActions && html`<td><${Actions} actions=${rowActions(r)} onDone=${onDone} /></td>`}</tr>`)}</tbody></table>`;
}

// ---- a list page: filters in the URL, pages, CSV ---------------------------------------------------

export function ListPage({ conf, query }) {
    const limit = 25;
    const params = new URLSearchParams({ ...query, limit: String(limit) });
    const [loaded, reload] = useLoad(`${conf.endpoint}?${params}`);
    const state = { ...loaded, data: loaded.data && conf.toPage ? conf.toPage(loaded.data) : loaded.data };
    const [draft, setDraft] = useState(query);
    useEffect(() => setDraft(query), [JSON.stringify(query)]);
    const apply = (e) => { e.preventDefault(); go(conf.path, { ...draft, offset: '' }); };
    const offset = Number(query.offset || 0);
    const csv = `${conf.endpoint}?${new URLSearchParams({ ...query, format: 'csv' })}`;
    return html`<section>
        <form class="filters" onSubmit=${apply} role="search">
            ${conf.search && html`<div><label for="q">Search</label><input id="q" value=${draft.search || ''} placeholder=${conf.search}
                onInput=${(e) => setDraft({ ...draft, search: e.target.value })} /></div>`}
            ${(conf.filters || []).map((f) => html`<div><label for=${`flt-${f.key}`}>${f.label}</label>
                ${f.options
                    ? html`<select id=${`flt-${f.key}`} value=${draft[f.key] || ''} onChange=${(e) => setDraft({ ...draft, [f.key]: e.target.value })}>
                        <option value="">any</option>${f.options.map((o) => html`<option value=${o}>${o}</option>`)}</select>`
                    : html`<input id=${`flt-${f.key}`} type=${f.type || 'text'} value=${draft[f.key] || ''} onInput=${(e) => setDraft({ ...draft, [f.key]: e.target.value })} />`}</div>`)}
            <button type="submit" class="primary">Apply</button>
            <button type="button" onClick=${() => go(conf.path, {})}>Clear</button>
            ${conf.csv !== false && html`<a href=${csv} download>Export CSV</a>`}
        </form>
        ${conf.create && html`<${Actions} key=${JSON.stringify(query)} actions=${[conf.create]} onDone=${reload} />`}
        <${ErrorBox} error=${state.error} />
        ${state.loading && !state.data ? html`<div class="loading">Loading…</div>` : state.data && html`
            <${Table} rows=${state.data.data} columns=${conf.columns} link=${conf.link} rowActions=${conf.rowActions} onDone=${reload} />
            <div class="pager">
                <span>${state.data.total} in all</span>
                <button type="button" disabled=${offset === 0} onClick=${() => go(conf.path, { ...query, offset: String(Math.max(0, offset - limit)) })}>Previous</button>
                <span>${Math.min(offset + 1, state.data.total)}–${Math.min(offset + limit, state.data.total)}</span>
                <button type="button" disabled=${offset + limit >= state.data.total} onClick=${() => go(conf.path, { ...query, offset: String(offset + limit) })}>Next</button>
            </div>`}
    </section>`;
}

const bool = ['true', 'false'];

const LISTS = {
    users: {
        title: 'Users', path: 'users', endpoint: '/api/admin/users', search: 'phone or name',
        filters: [{ key: 'is_active', label: 'Active', options: bool }, { key: 'waitlisted', label: 'Waitlisted', options: bool },
            { key: 'is_staff', label: 'Staff', options: bool }, { key: 'gender', label: 'Gender', options: ['male', 'female', 'other', 'prefer_not_to_say'] },
            { key: 'location', label: 'Location' }],
        columns: [{ key: 'id', label: 'ID' }, { key: 'name', label: 'Name' }, { key: 'phone', label: 'Phone' },
            { key: 'is_active', label: 'Active', fmt: yes }, { key: 'waitlisted', label: 'Waitlisted', fmt: yes },
            { key: 'is_staff', label: 'Staff', fmt: yes }, { key: 'date_joined', label: 'Joined', fmt: when }],
        link: (r) => `users/${r.id}`,
    },
    events: {
        title: 'Events', path: 'events', endpoint: '/api/admin/events', search: 'title',
        filters: [{ key: 'status', label: 'Status', options: ['draft', 'published', 'cancelled', 'completed', 'postponed'] },
            { key: 'is_paid', label: 'Paid', options: bool }, { key: 'start_from', label: 'Starts from', type: 'date' }, { key: 'start_to', label: 'Starts before', type: 'date' }],
        columns: [{ key: 'id', label: 'ID' }, { key: 'title', label: 'Title' }, { key: 'status', label: 'Status' },
            { key: 'host_name', label: 'Host' }, { key: 'start_time', label: 'Starts', fmt: when },
            { key: 'going_count', label: 'Going' }, { key: 'is_paid', label: 'Paid', fmt: yes }],
        link: (r) => `events/${r.id}`,
    },
    orders: {
        title: 'Orders', path: 'orders', endpoint: '/api/admin/orders', search: 'order id or phone',
        filters: [{ key: 'status', label: 'Status', options: ['created', 'pending', 'paid', 'completed', 'failed', 'cancelled', 'refunded', 'unpaid'] },
            { key: 'provider', label: 'Provider', options: ['payu', 'test'] }, { key: 'refunded', label: 'Refunded', options: bool }],
        columns: [{ key: 'order_id', label: 'Order' }, { key: 'event_title', label: 'Event' }, { key: 'user_phone', label: 'Buyer' },
            { key: 'amount', label: 'Amount' }, { key: 'refunded', label: 'Refunded' }, { key: 'status', label: 'Status' }, { key: 'created_at', label: 'Created', fmt: when }],
        link: (r) => `orders/${r.order_id}`,
    },
    audit: {
        title: 'Audit trail', path: 'audit', endpoint: '/api/admin/audit',
        filters: [{ key: 'action_prefix', label: 'Action starts with' }, { key: 'actor_id', label: 'Actor id' },
            { key: 'object_type', label: 'Object type' }, { key: 'object_id', label: 'Object id' },
            { key: 'severity', label: 'Severity', options: ['low', 'medium', 'high', 'critical'] },
            { key: 'is_successful', label: 'Succeeded', options: bool }, { key: 'from', label: 'From', type: 'date' }, { key: 'to', label: 'Before', type: 'date' }],
        columns: [{ key: 'created_at', label: 'When', fmt: when }, { key: 'action', label: 'Action' }, { key: 'actor_phone', label: 'Actor' },
            { key: 'object_type', label: 'Object' }, { key: 'object_id', label: 'Id' }, { key: 'severity', label: 'Severity' },
            { key: 'is_successful', label: 'OK', fmt: yes }],
        link: (r) => `audit/${r.id}`,
    },
    jobs: {
        title: 'Jobs', path: 'jobs', endpoint: '/api/admin/jobs',
        filters: [{ key: 'status', label: 'Status', options: ['pending', 'running', 'done', 'failed', 'dead'] }, { key: 'kind', label: 'Kind' }],
        columns: [{ key: 'id', label: 'ID' }, { key: 'kind', label: 'Kind' }, { key: 'status', label: 'Status' },
            { key: 'attempts', label: 'Attempts' }, { key: 'run_at', label: 'Due', fmt: when }, { key: 'last_error', label: 'Last error' }],
        rowActions: (r) => [{ label: 'Retry', hidden: r.status !== 'dead', explain: 'The job runs again from its first attempt.',
            run: () => api('POST', `/api/admin/jobs/${r.id}/retry`) }],
    },
    interests: {
        title: 'Interests', path: 'interests', endpoint: '/api/admin/interests', search: 'name',
        filters: [{ key: 'is_active', label: 'Active', options: bool }],
        columns: [{ key: 'id', label: 'ID' }, { key: 'name', label: 'Name' }, { key: 'slug', label: 'Slug' },
            { key: 'is_active', label: 'Active', fmt: yes }, { key: 'profiles', label: 'Profiles' }, { key: 'events', label: 'Events' }],
        create: { label: 'New interest', explain: 'Its slug is made from the name.', fields: [{ key: 'name', label: 'Name', required: true }],
            run: (v) => api('POST', '/api/admin/interests', { name: v.name }) },
        rowActions: (r) => [
            { label: 'Rename', explain: 'The slug stays, so links keep working.', fields: [{ key: 'name', label: 'New name', required: true }],
              run: (v) => api('PATCH', `/api/admin/interests/${r.id}`, { name: v.name }) },
            { label: r.is_active ? 'Deactivate' : 'Activate', danger: r.is_active,
              explain: r.is_active ? 'No longer offered to profiles and events; kept where it is used.' : 'Offered again.',
              run: () => api('PATCH', `/api/admin/interests/${r.id}`, { is_active: !r.is_active }) },
        ],
    },
    leads: {
        title: 'Host leads', path: 'leads', endpoint: '/api/admin/host-leads', search: 'name or phone',
        filters: [{ key: 'is_contacted', label: 'Contacted', options: bool }, { key: 'is_converted', label: 'Converted', options: bool }],
        columns: [{ key: 'first_name', label: 'First name' }, { key: 'last_name', label: 'Last name' }, { key: 'phone_number', label: 'Phone' },
            { key: 'message', label: 'Message' }, { key: 'is_contacted', label: 'Contacted', fmt: yes }, { key: 'is_converted', label: 'Converted', fmt: yes },
            { key: 'notes', label: 'Notes' }],
        rowActions: (r) => [
            { label: 'Mark contacted', hidden: r.is_contacted, explain: 'Someone has spoken to this lead.', fields: [{ key: 'notes', label: 'Notes (optional)', type: 'textarea' }],
              run: (v) => api('PATCH', `/api/admin/host-leads/${r.id}`, v.notes ? { is_contacted: true, notes: v.notes } : { is_contacted: true }) },
            { label: 'Mark converted', hidden: r.is_converted, explain: 'The lead became a host.', run: () => api('PATCH', `/api/admin/host-leads/${r.id}`, { is_converted: true }) },
            whatsappAction(r),
        ],
    },
    'bank-accounts': {
        title: 'Bank accounts', path: 'bank-accounts', endpoint: '/api/admin/bank-accounts',
        filters: [{ key: 'is_verified', label: 'Verified', options: bool }, { key: 'host_id', label: 'Host id' }],
        columns: [{ key: 'host_phone', label: 'Host' }, { key: 'bank_name', label: 'Bank' }, { key: 'account_number_masked', label: 'Account' },
            { key: 'ifsc_code', label: 'IFSC' }, { key: 'is_verified', label: 'Verified', fmt: yes }],
        rowActions: (r) => [{ label: r.is_verified ? 'Remove verification' : 'Verify', danger: r.is_verified,
            explain: r.is_verified ? 'The account is no longer marked checked.' : 'You checked the account with the host; your name and the time are recorded.',
            run: () => api('POST', `/api/admin/bank-accounts/${r.id}/verify`, { is_verified: !r.is_verified }) }],
    },
    payouts: {
        title: 'Payouts', path: 'payouts', endpoint: '/api/admin/payouts',
        toPage: (j) => ({ data: j.data, total: j.pagination.total }),
        filters: [{ key: 'status', label: 'Status', options: ['pending', 'approved', 'processing', 'completed', 'rejected', 'cancelled'] },
            { key: 'host_id', label: 'Host id' }, { key: 'event_id', label: 'Event id' }],
        columns: [{ key: 'id', label: 'ID' }, { key: 'event_name', label: 'Event' }, { key: 'host_name', label: 'Host' },
            { key: 'final_earning', label: 'Earning' }, { key: 'status', label: 'Status' }, { key: 'created_at', label: 'Requested', fmt: when }],
        link: (r) => `payouts/${r.id}`,
    },
    notifications: {
        title: 'Notifications sent', path: 'notifications', endpoint: '/api/admin/notifications', search: 'title or message',
        filters: [{ key: 'recipient_id', label: 'Recipient id' }, { key: 'is_read', label: 'Read', options: bool }],
        columns: [{ key: 'created_at', label: 'When', fmt: when }, { key: 'recipient_phone', label: 'To' }, { key: 'type', label: 'Type' },
            { key: 'title', label: 'Title' }, { key: 'is_read', label: 'Read', fmt: yes }],
    },
};

// ---- detail pages ----------------------------------------------------------------------------

const reasonField = [{ key: 'reason', label: 'Reason (recorded in the audit trail)', type: 'textarea', required: true, min: 3 }];

function UserPage({ id, me }) {
    const [state, reload] = useLoad(`/api/admin/users/${id}`);
    const u = state.data;
    const post = (verb, body) => api('POST', `/api/admin/users/${id}/${verb}`, body);
    return html`<section>
        <${ErrorBox} error=${state.error} />
        ${!u ? html`<div class="loading">Loading…</div>` : html`
        <div class="card"><h2>${u.name || u.phone}</h2>
            <${KeyValues} obj=${u} keys=${[['phone', 'Phone'], ['is_active', 'Active', yes], ['waitlisted', 'Waitlisted', yes],
                ['waitlist_promote_at', 'Promotion due', when], ['is_verified', 'Verified', yes], ['is_staff', 'Staff', yes],
                ['is_superuser', 'Superuser', yes], ['location', 'Location'], ['date_joined', 'Joined', when], ['last_login', 'Last login', when]]} />
            <${Actions} onDone=${reload} actions=${[
                { label: 'Promote from waitlist now', hidden: !u.waitlisted, explain: 'The account becomes active at once and gets the welcome notification.', run: () => post('promote') },
                { label: 'Deactivate', danger: true, hidden: !u.is_active, explain: 'The account loses access everywhere within a second.', fields: reasonField, run: (v) => post('deactivate', v) },
                { label: 'Activate', hidden: u.is_active || u.waitlisted, explain: 'The account gets its access back.', fields: reasonField, run: (v) => post('activate', v) },
                { label: u.is_verified ? 'Remove verification' : 'Verify profile', hidden: !u.has_profile, explain: "Changes the profile's verified mark.", run: () => post('verify', { is_verified: !u.is_verified }) },
                { label: u.is_staff ? 'Remove staff' : 'Make staff', hidden: !me.user.is_superuser || u.id === me.user.id, danger: u.is_staff,
                  explain: u.is_staff ? 'The account loses the console and the admin API; its sessions end.' : 'The account can sign in to the console (it needs a password: loopin createstaff).',
                  run: () => api('PUT', `/api/admin/users/${id}/staff`, { is_staff: !u.is_staff }) },
            ]} /></div>
        ${[['hosted_events', 'Events hosted', [['title', 'Title'], ['status', 'Status'], ['start_time', 'Starts', when]]],
           ['requests', 'Join requests', [['event_title', 'Event'], ['status', 'Status'], ['created_at', 'Asked', when]]],
           ['tickets', 'Tickets', [['event_title', 'Event'], ['status', 'Status'], ['seats', 'Seats'], ['checked_in_at', 'Checked in', when]]],
           ['orders', 'Orders', [['order_id', 'Order'], ['amount', 'Amount'], ['status', 'Status']]],
           ['audit', 'Audit', [['created_at', 'When', when], ['action', 'Action'], ['is_successful', 'OK', yes]]]].map(([k, title, cols]) => html`
            <div class="card"><h3>${title}</h3><${Table} rows=${u[k] || []} columns=${cols.map(([key, label, fmt]) => ({ key, label, fmt }))} /></div>`)}`}
    </section>`;
}

function EventPage({ id }) {
    const [state, reload] = useLoad(`/api/admin/events/${id}`);
    const e = state.data;
    const post = (verb, body) => api('POST', `/api/admin/events/${id}/${verb}`, body);
    return html`<section>
        <${ErrorBox} error=${state.error} />
        ${!e ? html`<div class="loading">Loading…</div>` : html`
        <div class="card"><h2>${e.title}</h2>
            <${KeyValues} obj=${e} keys=${[['status', 'Status'], ['host_name', 'Host'], ['host_phone', 'Host phone'], ['start_time', 'Starts', when],
                ['end_time', 'Ends', when], ['going_count', 'Seats taken'], ['max_capacity', 'Capacity'], ['is_paid', 'Paid', yes],
                ['ticket_price', 'Price'], ['is_public', 'Listed', yes]]} />
            <${Actions} onDone=${reload} actions=${[
                { label: 'Cancel event', danger: true, hidden: e.status === 'cancelled' || e.status === 'completed', explain: 'Every attendee is told; paid orders are refunded from the Orders page.', fields: reasonField, run: (v) => post('cancel', v) },
                { label: 'Unpublish', hidden: !e.is_public, explain: 'Takes the event off the listing and search.', fields: reasonField, run: (v) => post('unpublish', v) },
            ]} /></div>
        <div class="cards">${Object.entries(e.revenue || {}).map(([k, v]) => html`<div class="figure"><div class="n">${v}</div><div class="k">${k.replace(/_/g, ' ')}</div></div>`)}</div>
        ${[['attendees', 'Attendees', [['name', 'Name'], ['phone', 'Phone'], ['status', 'Status'], ['seats', 'Seats'], ['checked_in_at', 'Checked in', when]]],
           ['requests', 'Requests', [['name', 'Name'], ['status', 'Status'], ['created_at', 'Asked', when]]],
           ['check_ins', 'Door scans', [['scanned_at', 'When', when], ['result', 'Result'], ['reason', 'Why']]],
           ['orders', 'Orders', [['order_id', 'Order'], ['amount', 'Amount'], ['refunded', 'Refunded'], ['status', 'Status']]]].map(([k, title, cols]) => html`
            <div class="card"><h3>${title}</h3><${Table} rows=${e[k] || []} columns=${cols.map(([key, label, fmt]) => ({ key, label, fmt }))} /></div>`)}`}
    </section>`;
}

function OrderPage({ id }) {
    const [state, reload] = useLoad(`/api/admin/orders/${encodeURIComponent(id)}`);
    const o = state.data;
    return html`<section>
        <${ErrorBox} error=${state.error} />
        ${!o ? html`<div class="loading">Loading…</div>` : html`
        <div class="card"><h2>Order ${o.order_id}</h2>
            <${KeyValues} obj=${o} keys=${[['status', 'Status'], ['event_title', 'Event'], ['user_phone', 'Buyer'], ['amount', 'Amount'],
                ['platform_fee', 'Platform fee'], ['refunded', 'Refunded'], ['payment_provider', 'Provider'], ['created_at', 'Created', when]]} />
            <${Actions} onDone=${reload} actions=${[
                { label: 'Refund', danger: true, hidden: !['paid', 'completed'].includes(o.status), explain: 'Leave the amount empty for a full refund; a full refund cancels the ticket and frees the seats.',
                  fields: [{ key: 'amount', label: 'Amount (empty: all of it)' }, ...reasonField],
                  run: (v) => api('POST', `/api/admin/orders/${encodeURIComponent(id)}/refund`, v.amount ? { amount: v.amount, reason: v.reason } : { reason: v.reason }) },
            ]} /></div>
        <div class="card"><h3>Transactions</h3><${Table} rows=${o.transactions} columns=${[{ key: 'type', label: 'Type' }, { key: 'amount', label: 'Amount' }, { key: 'status', label: 'Status' }, { key: 'created_at', label: 'When', fmt: when }]} /></div>
        <div class="card"><h3>Provider callbacks</h3><${Table} rows=${o.callbacks} columns=${[{ key: 'received_at', label: 'Received', fmt: when }, { key: 'type', label: 'Type' }, { key: 'signature_valid', label: 'Signature', fmt: yes }, { key: 'processed', label: 'Processed', fmt: yes }, { key: 'processing_error', label: 'Error' }]} /></div>`}
    </section>`;
}

const notesField = [{ key: 'notes', label: 'Notes (optional)', type: 'textarea' }];

function PayoutPage({ id }) {
    const [state, reload] = useLoad(`/api/admin/payouts/${id}`);
    const p = state.data?.data;
    const move = (verb) => (v) => api('POST', `/api/admin/payouts/${id}/${verb}`, Object.fromEntries(Object.entries(v).filter(([, x]) => x !== '')));
    const at = (...states) => !p || !states.includes(p.status);
    return html`<section><${ErrorBox} error=${state.error} />
        ${!p ? html`<div class="loading">Loading…</div>` : html`<div class="card"><h2>Payout ${p.id}: ${p.event_name}</h2>
            <${KeyValues} obj=${p} keys=${[['status', 'Status'], ['host_name', 'Host'], ['final_earning', 'Earning'], ['platform_fee_amount', 'Platform fee'],
                ['total_tickets_sold', 'Tickets sold'], ['transaction_reference', 'Transfer reference'], ['rejection_reason', 'Rejected because'],
                ['notes', 'Notes'], ['created_at', 'Requested', when], ['processed_at', 'Processed', when]]} />
            ${p.bank_account && html`<p class="muted">Pays to ${p.bank_account.bank_name} ${p.bank_account.masked_account_number} (${p.bank_account.ifsc_code}), ${p.bank_account.account_holder_name}</p>`}
            <${Actions} onDone=${reload} actions=${[
                { label: 'Approve', hidden: at('pending'), explain: 'The host is told it is approved.', fields: notesField, run: move('approve') },
                { label: 'Mark processing', hidden: at('approved'), explain: 'The transfer is being made.', fields: notesField, run: move('process') },
                { label: 'Mark completed', hidden: at('processing'), explain: 'The money has been sent; give the bank transfer reference.',
                  fields: [{ key: 'transaction_reference', label: 'Transfer reference', required: true }, ...notesField], run: move('complete') },
                { label: 'Reject', danger: true, hidden: at('pending', 'approved'), explain: 'The host sees the reason.', fields: reasonField, run: move('reject') },
                { label: 'Cancel', danger: true, hidden: at('pending', 'approved'), explain: 'Cancels the request.', fields: notesField, run: move('cancel') },
            ]} /></div>`}</section>`;
}

function AuditPage({ id }) {
    const [state] = useLoad(`/api/admin/audit/${id}`);
    const a = state.data;
    return html`<section><${ErrorBox} error=${state.error} />
        ${!a ? html`<div class="loading">Loading…</div>` : html`<div class="card"><h2>${a.action}</h2>
            <${KeyValues} obj=${a} keys=${[['created_at', 'When', when], ['actor_phone', 'Actor'], ['object_type', 'Object'], ['object_id', 'Object id'],
                ['severity', 'Severity'], ['is_successful', 'Succeeded', yes], ['error_message', 'Error'], ['ip_address', 'Address'], ['request_id', 'Request']]} />
            <h3>Payload</h3><pre class="payload">${JSON.stringify(a.payload, null, 2)}</pre></div>`}</section>`;
}

// ---- the dashboard -----------------------------------------------------------------------------

function Chart({ title, buckets, series, money: isMoney }) {
    const ref = useRef(null);
    useEffect(() => {
        const x = buckets.map((b) => Date.parse(b.start) / 1000);
        const names = Object.keys(series);
        const colors = ['#3652d9', '#1f7a44', '#c23030', '#a26100', '#7a3fd1', '#0f7c8c'];
        const plot = new uPlot({
            width: Math.max(320, ref.current.clientWidth - 32), height: 220, title,
            series: [{}, ...names.map((n, i) => ({ label: n.replace(/_minor$/, '').replace(/_/g, ' '), stroke: colors[i % colors.length], width: 2,
                value: (u, v) => (v == null ? '—' : isMoney ? money(v) : v) }))],
            axes: [{}, { values: (u, vals) => vals.map((v) => (isMoney ? money(v) : v)) }],
        }, [x, ...names.map((n) => series[n])], ref.current);
        return () => plot.destroy();
    }, [title, JSON.stringify(series)]);
    return html`<div class="card chart" ref=${ref} role="img" aria-label=${title}></div>`;
}

const BOARDS = {
    users: [['Sign-ups and promotions', ['signups', 'promotions']], ['Staff sign-ins', ['staff_signins']]],
    events: [['Events', ['created', 'started']], ['Join requests', ['requests', 'accepted', 'declined']], ['Acceptance rate (%)', ['acceptance_rate']]],
    hosts: [['Hosts', ['active_hosts', 'new_hosts']], ['Host leads', ['leads']]],
    payments: [['Orders and tickets', ['paid_orders', 'tickets_sold']], ['Money (INR)', ['gross_minor', 'platform_fee_minor', 'refunds_minor', 'payouts_paid_minor'], true]],
};

function Dashboard({ query }) {
    const board = BOARDS[query.board] ? query.board : 'users';
    const period = ['weekly', 'monthly', 'yearly'].includes(query.period) ? query.period : 'monthly';
    const [state] = useLoad(`/api/admin/dashboard/${board}?period=${period}`);
    const d = state.data && state.data.board === board ? state.data : null;
    return html`<section>
        <div class="filters">
            <div><label for="board">Board</label><select id="board" value=${board} onChange=${(e) => go('dashboard', { board: e.target.value, period })}>
                ${Object.keys(BOARDS).map((b) => html`<option value=${b}>${b}</option>`)}</select></div>
            <div><label for="period">Period</label><select id="period" value=${period} onChange=${(e) => go('dashboard', { board, period: e.target.value })}>
                ${['weekly', 'monthly', 'yearly'].map((p) => html`<option value=${p}>${p}</option>`)}</select></div>
        </div>
        <${ErrorBox} error=${state.error} />
        ${!d ? html`<div class="loading">Loading…</div>` : html`
            <div class="cards">${Object.entries(d.now).map(([k, v]) => html`<div class="figure"><div class="n">${k.endsWith('_minor') ? money(v) : v}</div><div class="k">${k.replace(/_minor$/, ' (INR)').replace(/_/g, ' ')}</div></div>`)}</div>
            <div class="charts">${BOARDS[board].map(([title, keys, isMoney]) => html`<${Chart} title=${title} buckets=${d.buckets} money=${isMoney}
                series=${Object.fromEntries(keys.map((k) => [k, d.series[k]]))} />`)}</div>`}
    </section>`;
}

function FeePage({ me }) {
    const [state, reload] = useLoad('/api/platform-fee');
    return html`<section><${ErrorBox} error=${state.error} />
        ${state.data && html`<div class="card"><p>The platform fee is <strong>${state.data.fee_percentage}%</strong>.</p>
            ${me.user.is_superuser ? html`<${Actions} onDone=${reload} actions=${[{ label: 'Change the fee', danger: true,
                explain: 'New orders are priced with the new rate; re-enter your password.',
                fields: [{ key: 'fee_percentage', label: 'New fee (%)', required: true }, { key: 'password', label: 'Your password', type: 'password', required: true }],
                run: (v) => api('PUT', '/api/admin/platform-fee', v) }]} />` : html`<p class="muted">Only a superuser can change it.</p>`}</div>`}</section>`;
}

// ---- the shell -----------------------------------------------------------------------------------

const NAV = [['dashboard', 'Dashboard'], ['users', 'Users'], ['events', 'Events'], ['orders', 'Orders'], ['payouts', 'Payouts'], ['audit', 'Audit trail'],
    ['jobs', 'Jobs'], ['interests', 'Interests'], ['leads', 'Host leads'], ['bank-accounts', 'Bank accounts'], ['notifications', 'Notifications'],
    ['campaigns', 'Campaigns'], ['campaign-templates', 'Templates'], ['fee', 'Platform fee']];

function page(route, me) {
    const [top, id] = route.path.split('/');
    if (top === 'users' && id) return ['User', html`<${UserPage} id=${id} me=${me} />`];
    if (top === 'events' && id) return ['Event', html`<${EventPage} id=${id} />`];
    if (top === 'orders' && id) return ['Order', html`<${OrderPage} id=${id} />`];
    if (top === 'audit' && id) return ['Audit row', html`<${AuditPage} id=${id} />`];
    if (top === 'payouts' && id) return ['Payout', html`<${PayoutPage} id=${id} />`];
    if (top === 'campaigns' && id === 'new') return ['New campaign', html`<${CampaignBuilder} query=${route.query} />`];
    if (top === 'campaigns' && id) return ['Campaign', html`<${CampaignPage} key=${id} id=${id} query=${route.query} />`];
    if (top === 'campaigns') return ['Campaigns', html`<${CampaignsHome} query=${route.query} />`];
    if (top === 'campaign-templates' && id) return ['Campaign template', html`<${TemplatePage} id=${id} />`];
    if (top === 'campaign-templates') return ['Campaign templates', html`<${TemplatesHome} query=${route.query} />`];
    if (LISTS[top]) return [LISTS[top].title, html`<${ListPage} key=${top} conf=${LISTS[top]} query=${route.query} />`];
    if (top === 'fee') return ['Platform fee', html`<${FeePage} me=${me} />`];
    return ['Dashboard', html`<${Dashboard} query=${route.query} />`];
}

function Shell({ me, onSignOut }) {
    const route = useRoute();
    const [title, body] = page(route, me);
    const top = route.path.split('/')[0];
    useEffect(() => { document.title = `${title} · Loopin admin`; }, [title]);
    return html`<div class="shell">
        <nav class="side" aria-label="Sections"><div class="brand">Loopin admin</div>
            ${NAV.map(([p, label]) => html`<a href=${`#/${p}`} class=${top === p ? 'on' : ''} aria-current=${top === p ? 'page' : undefined}>${label}</a>`)}</nav>
        <main><header class="top"><h1>${title}</h1>
            <div class="who"><span>${me.user.name || me.user.phone}${me.user.is_superuser ? ' (superuser)' : ' (staff)'}</span>
                <button type="button" onClick=${onSignOut}>Sign out</button></div></header>
            ${body}</main></div>`;
}

function SignIn({ onIn }) {
    const [phone, setPhone] = useState('');
    const [password, setPassword] = useState('');
    const [error, setError] = useState(null);
    const [busy, setBusy] = useState(false);
    const submit = async (e) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        try {
            onIn(await api('POST', '/api/admin/session', { phone_number: phone, password }));
        } catch (err) {
            setError(err);
        } finally {
            setBusy(false);
        }
    };
    return html`<form class="card signin" onSubmit=${submit}>
        <h1>Loopin admin</h1><p class="muted">Staff sign in with their phone number and password.</p>
        <label for="phone">Phone number</label><input id="phone" autocomplete="username" required value=${phone} onInput=${(e) => setPhone(e.target.value)} placeholder="+919876543210" />
        <label for="password">Password</label><input id="password" type="password" autocomplete="current-password" required value=${password} onInput=${(e) => setPassword(e.target.value)} />
        <${ErrorBox} error=${error} />
        <button type="submit" class="primary" disabled=${busy}>${busy ? 'Signing in…' : 'Sign in'}</button>
    </form>`;
}

function App() {
    const [me, setMe] = useState(undefined);
    const signedIn = useCallback((s) => { csrf = s?.csrf_token || null; setMe(s); }, []);
    useEffect(() => { api('GET', '/api/admin/session').then(signedIn, () => setMe(null)); }, []);
    const signOut = async () => {
        try { await api('DELETE', '/api/admin/session'); } catch { /* the session may have ended already */ }
        csrf = null;
        setMe(null);
    };
    if (me === undefined) return html`<p class="boot">Loading the console…</p>`;
    return me ? html`<${Shell} me=${me} onSignOut=${signOut} />` : html`<${SignIn} onIn=${signedIn} />`;
}

render(html`<${App} />`, document.getElementById('app'));
