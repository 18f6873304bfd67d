// campaigns.js: the console's notification campaign pages (issue 13 point 5,
// docs/notifications.md "Campaigns", docs/admin.md): templates and their
// versions, the campaign builder with its audience rules and live count, a
// campaign's page with its actions, progress and delivery log, the kill
// switch, and WhatsApp to host leads. Imported by app.js, whose helpers it
// uses: the two modules import each other, so nothing here may touch app.js's
// names before a function runs (no top-level use).
import { html, useState, useEffect } from '/admin/assets/standalone.module.js';
import { api, go, useLoad, Actions, ErrorBox, KeyValues, ListPage, when } from '/admin/assets/app.js';

const TYPES = ['system', 'promotional', 'event_update', 'reminder'];
const STATES = ['draft', 'previewed', 'scheduled', 'sending', 'sent', 'cancelled', 'failed'];
const MOVING = ['scheduled', 'sending'];
const EQ = ['=', '!=', 'exact'];
// The rule engine's whitelist (src/notifications/audience.c): each field's
// operators and the kind of value it takes.
const FIELDS = {
    location: { ops: [...EQ, 'contains', 'icontains', 'in'], kind: 'text', hint: 'a city' },
    interest: { ops: [...EQ, 'icontains', 'in'], kind: 'interest', hint: 'a name or an id' },
    profile_completed: { ops: EQ, kind: 'bool' },
    is_verified: { ops: EQ, kind: 'bool' },
    is_active: { ops: EQ, kind: 'bool' },
    has_attended_event: { ops: [...EQ, 'in'], kind: 'event' },
    has_active_devices: { ops: EQ, kind: 'bool' },
};
const NAME_VAR = 'name';

// ---- small pieces -----------------------------------------------------------------------------

const badge = (text, kind) => html`<span class=${`badge ${kind || ''}`}>${text}</span>`;
const stateBadge = (s) => badge(s, `state-${s}`);
const lockBadge = (locked) => (locked ? badge('locked', 'warn') : badge('editable', 'ok'));
const yesNo = (b) => badge(b ? 'yes' : 'no', b ? 'ok' : 'no');
const orDash = (v) => (v === null || v === undefined || v === '' ? '—' : String(v));

// The {{placeholders}} of a text as the server reads them ({{ name }}: a-z,
// 0-9, _, at most 32), and whether some "{{" is not one.
const PLACEHOLDER = /\{\{ *([a-z_][a-z0-9_]{0,31}) *\}\}/g;
export function placeholders(text) {
    const names = [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]))];
    const opens = (text.match(/\{\{/g) || []).length;
    return { names, malformed: opens > [...text.matchAll(PLACEHOLDER)].length };
}

// The text with each variable given filled in; the others stay as {{name}}.
const fill = (text, vars) => text.replace(PLACEHOLDER, (all, v) => (vars[v] ? vars[v] : all));

function usePoll(on, fn, ms = 2000) {
    useEffect(() => {
        if (!on) return undefined;
        const t = setInterval(fn, ms);
        return () => clearInterval(t);
    }, [on]);
}

// ---- templates --------------------------------------------------------------------------------

const TEMPLATES = {
    title: 'Campaign templates', path: 'campaign-templates', endpoint: '/api/admin/campaign-templates', search: 'name',
    filters: [{ key: 'is_active', label: 'Active', options: ['true', 'false'] }],
    columns: [{ key: 'name', label: 'Name' }, { key: 'version', label: 'Version' }, { key: 'title', label: 'Title' },
        { key: 'locked', label: 'Latest version', fmt: lockBadge }, { key: 'campaigns', label: 'Campaigns' },
        { key: 'is_active', label: 'Active', fmt: yesNo }, { key: 'updated_at', label: 'Updated', fmt: (t) => when(t) }],
    link: (r) => `campaign-templates/${r.id}`,
};

function VariablesFound({ title, body }) {
    const { names, malformed } = placeholders(`${title}\n${body}`);
    return html`<p class="vars" role="status">
        ${names.length ? html`Variables: ${names.map((n) => html`<code>{{${n}}}</code> `)}` : 'No variables.'}
        ${names.includes(NAME_VAR) ? html`<br /><span class="muted">{{name}} is filled with each recipient's name; each campaign gives the others.</span>` : ''}
        ${malformed && html`<br /><span class="warn-text">A "{{" is not a placeholder: write {{name}} with a-z, 0-9 and _.</span>`}</p>`;
}

// Name, title and message with the variables they hold; onSubmit(values) may throw an ApiError.
function TemplateForm({ heading, explain, initial, submitLabel, onSubmit, onCancel }) {
    const [v, setV] = useState(initial);
    const [error, setError] = useState(null);
    const [busy, setBusy] = useState(false);
    const input = (key) => (e) => { setV({ ...v, [key]: e.target.value }); setError(null); };
    const submit = async (e) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        try { await onSubmit(v); } catch (err) { setError(err); } finally { setBusy(false); }
    };
    return html`<form class="card template-form" onSubmit=${submit}>
        <h3>${heading}</h3><p class="muted">${explain}</p>
        <label for="t-name">Name</label><input id="t-name" required maxlength="100" value=${v.name} onInput=${input('name')} />
        <label for="t-title">Title</label><input id="t-title" required maxlength="200" value=${v.title} onInput=${input('title')} />
        <label for="t-body">Message</label><textarea id="t-body" rows="4" required maxlength="1000" value=${v.body} onInput=${input('body')}></textarea>
        <${VariablesFound} title=${v.title} body=${v.body} />
        <${ErrorBox} error=${error} />
        <div class="actions"><button type="submit" class="primary" disabled=${busy}>${busy ? 'Saving…' : submitLabel}</button>
            ${onCancel && html`<button type="button" onClick=${onCancel}>Cancel</button>`}</div>
    </form>`;
}

export function TemplatesHome({ query }) {
    const [open, setOpen] = useState(false);
    const create = async (v) => {
        const t = await api('POST', '/api/admin/campaign-templates', v);
        go(`campaign-templates/${t.id}`);
    };
    return html`<div>
        ${open ? html`<${TemplateForm} heading="New template" submitLabel="Create the template" initial=${{ name: '', title: '', body: '' }}
                explain="Write {{name}} for the recipient's name and {{anything}} for a value each campaign gives."
                onSubmit=${create} onCancel=${() => setOpen(false)} />`
            : html`<div class="actions"><button type="button" class="primary" onClick=${() => setOpen(true)}>New template</button></div>`}
        <${ListPage} key="campaign-templates" conf=${TEMPLATES} query=${query} /></div>`;
}

function TemplateEdit({ t, onDone }) {
    const l = t.latest;
    const explain = l.locked
        ? `Version ${l.version} is used by a campaign, so a new text becomes version ${l.version + 1} (campaigns keep the version they were made with). A new name alone makes no version.`
        : `Version ${l.version} is not used by any campaign yet: it is changed in place.`;
    const save = async (v) => {
        const changed = Object.fromEntries(['name', 'title', 'body'].filter((k) => v[k] !== (k === 'name' ? t.name : l[k])).map((k) => [k, v[k]]));
        if (!Object.keys(changed).length) throw new Error('Nothing changed.');
        await api('PATCH', `/api/admin/campaign-templates/${t.id}`, changed);
        onDone();
    };
    return html`<${TemplateForm} key=${`${t.name}|${l.version}|${l.title}|${l.body}`} heading="Edit" explain=${explain}
        submitLabel=${l.locked ? `Save as version ${l.version + 1}` : 'Save'} initial=${{ name: t.name, title: l.title, body: l.body }} onSubmit=${save} />`;
}

function Versions({ versions }) {
    return html`<div class="card"><h3>Versions</h3><table><thead><tr><th scope="col">Version</th><th scope="col">Title</th>
        <th scope="col">Message</th><th scope="col">Variables</th><th scope="col">State</th><th scope="col">Written</th></tr></thead>
        <tbody>${versions.map((v) => html`<tr><td>${v.version}</td><td>${v.title}</td><td>${v.body}</td>
            <td>${v.variables.join(', ') || '—'}</td>
            <td>${lockBadge(v.locked)}${v.locked ? html` <span class="muted">${when(v.locked_at)}</span>` : ''}</td>
            <td>${when(v.created_at)}</td></tr>`)}</tbody></table></div>`;
}

export function TemplatePage({ id }) {
    const [state, reload] = useLoad(`/api/admin/campaign-templates/${id}`);
    const t = state.data;
    if (!t) return html`<section><${ErrorBox} error=${state.error} />${!state.error && html`<div class="loading">Loading…</div>`}</section>`;
    return html`<section>
        <div class="card"><h2>${t.name} ${lockBadge(t.latest.locked)}</h2>
            <${KeyValues} obj=${t.latest} keys=${[['version', 'Latest version'], ['title', 'Title'], ['body', 'Message'],
                ['variables', 'Variables', (vs) => vs.join(', ') || '—'], ['created_at', 'Written', when]]} />
            <div class="actions"><a class="button" href=${`#/campaigns/new?template=${t.id}`}>New campaign with it</a></div></div>
        <${TemplateEdit} t=${t} onDone=${reload} />
        <${Versions} versions=${t.versions} />
    </section>`;
}

// ---- the campaigns list and the kill switch ------------------------------------------------------------

const CAMPAIGNS = {
    title: 'Campaigns', path: 'campaigns', endpoint: '/api/admin/campaigns', search: 'name',
    filters: [{ key: 'state', label: 'State', options: STATES }],
    columns: [{ key: 'name', label: 'Name' }, { key: 'state', label: 'State', fmt: stateBadge }, { key: 'notification_type', label: 'Type' },
        { key: 'preview_count', label: 'Audience', fmt: orDash }, { key: 'progress', label: 'Sent', fmt: (p, r) => (r.recipients ? `${p.sent} of ${r.recipients}` : '—') },
        { key: 'scheduled_at', label: 'Scheduled', fmt: (t) => when(t) }, { key: 'created_at', label: 'Created', fmt: (t) => when(t) }],
    link: (r) => `campaigns/${r.id}`,
};

function KillSwitch() {
    const [state, reload] = useLoad('/api/admin/campaigns/kill-switch');
    const s = state.data;
    if (!s) return html`<${ErrorBox} error=${state.error} />`;
    return html`<div class=${`card switch ${s.stopped ? 'stopped' : ''}`}>
        <h3>Kill switch ${s.stopped ? badge('stopped', 'no') : badge('running', 'ok')}</h3>
        <p>${s.stopped ? 'Campaigns are stopped: nothing is sent and nothing starts. ' : 'Campaigns may run. '}
            ${s.reason && html`<span class="muted">(${s.reason})</span>`}</p>
        ${s.by_environment ? html`<p class="muted">Set by LOOPIN_DISABLE_CAMPAIGNS on the server; the console cannot undo it.</p>`
            : html`<${Actions} onDone=${reload} actions=${[{
                label: s.stopped ? 'Resume campaigns' : 'Stop all campaigns', danger: !s.stopped, confirm: s.stopped ? 'Resume' : 'Stop everything',
                explain: s.stopped ? 'Scheduled campaigns may start again and new ones may be sent.'
                    : 'Nothing new is sent or starts; a sending campaign fails before its next batch and its remaining recipients are skipped.',
                run: () => api('PUT', '/api/admin/campaigns/kill-switch', { stopped: !s.stopped }) }]} />`}</div>`;
}

export function CampaignsHome({ query }) {
    return html`<div><${KillSwitch} />
        <div class="actions"><a class="button primary" href="#/campaigns/new">New campaign</a></div>
        <${ListPage} key="campaigns" conf=${CAMPAIGNS} query=${query} /></div>`;
}

// ---- the audience builder --------------------------------------------------------------------------

const BOOLS = ['true', 'false'];
const newRule = (field = 'location', group = 'all') => ({ group, field, op: '=', value: FIELDS[field].kind === 'bool' || FIELDS[field].kind === 'event' ? 'true' : '' });
const list = (s) => s.split(',').map((x) => x.trim()).filter(Boolean);
const idOrName = (s) => (/^\d+$/.test(s) ? Number(s) : s);
const filled = (r) => (r.op === 'in' ? list(r.value).length > 0 : r.value.trim() !== '');

// A rule's value as the API takes it.
function ruleValue(r) {
    const kind = FIELDS[r.field].kind;
    if (kind === 'bool') return r.value === 'true';
    if (kind === 'event') return r.op === 'in' ? list(r.value).map(Number) : BOOLS.includes(r.value) ? r.value === 'true' : Number(r.value);
    if (kind === 'interest') return r.op === 'in' ? list(r.value).map(idOrName) : r.op === 'icontains' ? r.value.trim() : idOrName(r.value.trim());
    return r.op === 'in' ? list(r.value) : r.value.trim();
}

function audienceOf(rules) {
    const out = {};
    for (const r of rules) (out[r.group] ||= []).push({ field: r.field, op: r.op, value: ruleValue(r) });
    return out;
}

function RuleValue({ rule, set, label }) {
    const kind = FIELDS[rule.field].kind;
    if (kind === 'bool') {
        return html`<select aria-label=${label} class="rule-value" value=${rule.value} onChange=${(e) => set({ value: e.target.value })}>
            ${BOOLS.map((b) => html`<option value=${b}>${b}</option>`)}</select>`;
    }
    if (kind === 'event' && rule.op !== 'in') {
        const mode = BOOLS.includes(rule.value) ? rule.value : 'event';
        return html`<select aria-label=${label} class="rule-value" value=${mode} onChange=${(e) => set({ value: e.target.value === 'event' ? '' : e.target.value })}>
                <option value="true">true (any event)</option><option value="false">false (no event)</option><option value="event">the event with id…</option></select>
            ${mode === 'event' && html`<input aria-label=${`${label}: event id`} class="rule-id" type="number" min="1" required value=${rule.value}
                onInput=${(e) => set({ value: e.target.value })} />`}`;
    }
    const hint = rule.op === 'in' ? (kind === 'event' ? 'event ids, comma separated' : 'comma, separated, values') : FIELDS[rule.field].hint;
    return html`<input aria-label=${label} class="rule-value" required value=${rule.value} placeholder=${hint} onInput=${(e) => set({ value: e.target.value })} />`;
}

// One rule's row: group, field, an operator the field takes, the value typed by the field.
function RuleRow({ rule, index, onChange, onRemove }) {
    const set = (patch) => onChange({ ...rule, ...patch });
    const setOp = (op) => set(FIELDS[rule.field].kind === 'event' && (op === 'in') !== (rule.op === 'in')
        ? { op, value: op === 'in' ? '' : 'true' } : { op });
    const n = `Rule ${index + 1}`;
    return html`<div class="rule">
        <select aria-label=${`${n} group`} class="rule-group" value=${rule.group} onChange=${(e) => set({ group: e.target.value })}>
            <option value="all">all of</option><option value="any">any of</option></select>
        <select aria-label=${`${n} field`} class="rule-field" value=${rule.field} onChange=${(e) => onChange(newRule(e.target.value, rule.group))}>
            ${Object.keys(FIELDS).map((f) => html`<option value=${f}>${f}</option>`)}</select>
        <select aria-label=${`${n} operator`} class="rule-op" value=${rule.op} onChange=${(e) => setOp(e.target.value)}>
            ${FIELDS[rule.field].ops.map((o) => html`<option value=${o}>${o}</option>`)}</select>
        <${RuleValue} rule=${rule} set=${set} label=${`${n} value`} />
        <button type="button" onClick=${onRemove}>Remove</button></div>`;
}

// The live count, asked 300 ms after the last change of the rules or the type.
function useAudienceCount(rules, type) {
    const ready = rules.length > 0 && rules.every(filled);
    const audience = ready ? audienceOf(rules) : null;
    const key = JSON.stringify([audience, type]);
    const [out, setOut] = useState({});
    useEffect(() => {
        if (!audience) return setOut({});
        let live = true;
        setOut((o) => ({ ...o, busy: true }));
        const t = setTimeout(() => api('POST', '/api/admin/campaigns/audience-count', { audience, notification_type: type })
            .then((count) => live && setOut({ count }), (error) => live && setOut({ error })), 300);
        return () => { live = false; clearTimeout(t); };
    }, [key]);
    return { ...out, ready, none: rules.length === 0 };
}

function LiveCount({ live }) {
    let body;
    if (live.none) body = 'Add a rule (has_active_devices = true is everyone who can get a push).';
    else if (!live.ready) body = "Give every rule a value to count.";
    else if (live.error) body = html`<span class="error-text">${live.error.message}</span>`;
    else if (!live.count) body = 'Counting…';
    else {
        const c = live.count;
        body = html`<strong>${c.count}</strong> ${c.count === 1 ? 'person' : 'people'} (max ${c.max})
            ${!c.within_limit && html` ${badge('over the limit: sending would be refused', 'no')}`}`;
    }
    return html`<p class=${`live-count ${live.busy ? 'busy' : ''}`} role="status" aria-live="polite">${body}</p>`;
}

function AudienceBuilder({ rules, setRules, live }) {
    return html`<fieldset><legend>Audience</legend>
        <p class="muted">"all of" rules must all hold, at least one "any of" rule must, and both groups together. Always only active
            people with an active device and push on for the type (promotional is opt-in).</p>
        ${rules.map((r, i) => html`<${RuleRow} index=${i} rule=${r} onChange=${(n) => setRules(rules.map((x, j) => (j === i ? n : x)))}
            onRemove=${() => setRules(rules.filter((_, j) => j !== i))} />`)}
        <button type="button" onClick=${() => setRules([...rules, newRule()])}>Add a rule</button>
        <${LiveCount} live=${live} /></fieldset>`;
}

// ---- the campaign builder -----------------------------------------------------------------------------

function TemplateChoice({ templates, value, onChange, vars }) {
    const t = templates.find((x) => String(x.id) === value);
    return html`<label for="c-template">Template</label>
        <select id="c-template" required value=${value} onChange=${(e) => onChange(e.target.value)}>
            <option value="">choose…</option>
            ${templates.map((x) => html`<option value=${String(x.id)}>${x.name} (v${x.version})</option>`)}</select>
        ${t && html`<div class="message-preview"><strong>${fill(t.title, vars)}</strong><br />${fill(t.body, vars)}</div>`}`;
}

function VariableInputs({ names, vars, setVars, hasName }) {
    return html`${hasName && html`<p class="muted">{{name}} is filled in for each recipient with their name ("there" without one).</p>`}
        ${names.map((v) => html`<label for=${`c-var-${v}`}>{{${v}}}</label>
            <input id=${`c-var-${v}`} class="wide" required maxlength="500" value=${vars[v] || ''} onInput=${(e) => setVars({ ...vars, [v]: e.target.value })} />`)}`;
}

export function CampaignBuilder({ query }) {
    const [templates] = useLoad('/api/admin/campaign-templates?limit=200&is_active=true&sort=name&order=asc');
    const [name, setName] = useState('');
    const [templateId, setTemplateId] = useState(query?.template || '');
    const [vars, setVars] = useState({});
    const [type, setType] = useState('system');
    const [rules, setRules] = useState([newRule()]);
    const [error, setError] = useState(null);
    const live = useAudienceCount(rules, type);
    const choices = templates.data?.data || [];
    const t = choices.find((x) => String(x.id) === templateId);
    const found = t ? placeholders(`${t.title}\n${t.body}`).names : [];
    const needed = found.filter((v) => v !== NAME_VAR);
    const save = async (e) => {
        e.preventDefault();
        setError(null);
        try {
            const c = await api('POST', '/api/admin/campaigns', { name, template_id: Number(templateId), notification_type: type,
                audience: audienceOf(rules), variables: Object.fromEntries(needed.map((v) => [v, vars[v] || ''])) });
            go(`campaigns/${c.id}`);
        } catch (err) {
            setError(err);
        }
    };
    return html`<form class="card builder" onSubmit=${save}>
        <${ErrorBox} error=${templates.error} />
        <label for="c-name">Name (for staff only)</label><input id="c-name" class="wide" required maxlength="200" value=${name} onInput=${(e) => setName(e.target.value)} />
        <${TemplateChoice} templates=${choices} value=${templateId} onChange=${setTemplateId} vars=${vars} />
        <${VariableInputs} names=${needed} vars=${vars} setVars=${setVars} hasName=${found.includes(NAME_VAR)} />
        <label for="c-type">Notification type</label>
        <select id="c-type" value=${type} onChange=${(e) => setType(e.target.value)}>${TYPES.map((x) => html`<option value=${x}>${x}</option>`)}</select>
        <${AudienceBuilder} rules=${rules} setRules=${setRules} live=${live} />
        <${ErrorBox} error=${error} />
        <div class="actions"><button type="submit" class="primary" disabled=${!rules.length}>Save as draft</button>
            <a class="button" href="#/campaigns">Cancel</a></div>
    </form>`;
}

// ---- a campaign's page ------------------------------------------------------------------------------------

const LOG = {
    title: 'Delivery log', endpoint: '/api/admin/campaign-executions', search: 'name',
    filters: [{ key: 'status', label: 'Status', options: ['pending', 'sent', 'skipped'] },
        { key: 'push_status', label: 'Push', options: ['sending', 'sent', 'skipped', 'failed'] }],
    columns: [{ key: 'name', label: 'Recipient' }, { key: 'phone', label: 'Phone' }, { key: 'batch', label: 'Batch' },
        { key: 'status', label: 'Status' }, { key: 'push_status', label: 'Push', fmt: orDash }, { key: 'push_error', label: 'Push error' },
        { key: 'processed_at', label: 'Processed', fmt: (t) => when(t) }, { key: 'push_sent_at', label: 'Pushed', fmt: (t) => when(t) }],
};

function campaignActions(c, id) {
    const post = (verb, body) => api('POST', `/api/admin/campaigns/${id}/${verb}`, body);
    const open = ['draft', 'previewed'].includes(c.state);
    return [
        { label: 'Preview the count', hidden: !open, confirm: 'Count', explain: 'Counts the audience now; sending needs it.', run: () => post('preview') },
        { label: 'Send now', hidden: c.state !== 'previewed', confirm: 'Send',
          explain: `About ${c.preview_count} people get this as an in-app notification and a push, starting now.`, run: () => post('send') },
        { label: 'Schedule', hidden: c.state !== 'previewed', explain: 'Sent at that time (in your browser\'s time zone).',
          fields: [{ key: 'at', label: 'When', type: 'datetime-local', required: true }],
          run: (v) => post('send', { scheduled_at: new Date(v.at).toISOString() }) },
        { label: 'Cancel the campaign', danger: true, hidden: !open && !MOVING.includes(c.state), confirm: 'Cancel the campaign',
          explain: 'Nobody not reached yet is reached.', run: () => post('cancel') },
    ];
}

function Progress({ c }) {
    const p = c.progress;
    const rows = [['sent', 'Sent', p.sent], ['pending', 'Pending', p.pending], ['skipped', 'Skipped', p.skipped]];
    return html`<div class="cards figures">
            <div class="figure preview"><div class="n">${orDash(c.preview_count)}</div><div class="k">audience at preview</div></div>
            <div class="figure recipients"><div class="n">${c.recipients}</div><div class="k">recipients</div></div>
            ${rows.map(([k, label, n]) => html`<div class=${`figure ${k}`}><div class="n">${n}</div><div class="k">${label.toLowerCase()}</div></div>`)}</div>
        ${c.recipients > 0 && html`<div class="bars">${rows.map(([k, label, n]) => html`<span>${label}</span>
            <progress class=${k} max=${c.recipients} value=${n} aria-label=${`${label}: ${n} of ${c.recipients}`}></progress>
            <span>${Math.round((100 * n) / c.recipients)}%</span>`)}</div>`}`;
}

const ruleText = (r) => `${r.field} ${r.op} ${Array.isArray(r.value) ? r.value.join(', ') : r.value}`;

function CampaignText({ c }) {
    const a = c.audience || {};
    return html`<div class="card"><h3>Message (template v${c.template.version})</h3>
        <div class="message-preview"><strong>${fill(c.template.title, c.variables)}</strong><br />${fill(c.template.body, c.variables)}</div>
        <p class="muted">{{name}} is each recipient's name. As written in <a href=${`#/campaign-templates/${c.template.id}`}>the template</a>:
            “${c.template.title}” — ${c.template.body}</p>
        <h3>Audience</h3>
        <ul class="audience">${[['all', 'All of'], ['any', 'Any of']].filter(([g]) => a[g]?.length).map(([g, label]) => html`
            <li>${label}: ${a[g].map((r) => html`<code>${ruleText(r)}</code> `)}</li>`)}</ul></div>`;
}

function DeliveryLog({ id, query, round }) {
    return html`<${ListPage} key=${`log-${id}-${round}`} conf=${{ ...LOG, path: `campaigns/${id}` }} query=${{ ...query, campaign_id: String(id) }} />`;
}

export function CampaignPage({ id, query }) {
    const [state, reload] = useLoad(`/api/admin/campaigns/${id}`);
    const [round, setRound] = useState(0);
    const c = state.data;
    usePoll(c && MOVING.includes(c.state), reload);
    if (!c) return html`<section><${ErrorBox} error=${state.error} />${!state.error && html`<div class="loading">Loading…</div>`}</section>`;
    const refresh = () => { reload(); setRound((r) => r + 1); };
    return html`<section>
        <div class="card"><h2>${c.name} ${stateBadge(c.state)}</h2>
            <${KeyValues} obj=${c} keys=${[['notification_type', 'Type'], ['created_at', 'Created', when], ['previewed_at', 'Previewed', when],
                ['scheduled_at', 'Scheduled', when], ['started_at', 'Started', when], ['finished_at', 'Finished', when],
                ['failure_reason', 'Why it failed', orDash]]} />
            <${Progress} c=${c} />
            ${c.state === 'draft' && html`<p class="muted">Send now and Schedule appear once the audience is counted (Preview the count).</p>`}
            ${MOVING.includes(c.state) && html`<p class="muted">Refreshed every 2 seconds while ${c.state}.</p>`}
            <${Actions} onDone=${reload} actions=${campaignActions(c, id)} /></div>
        <${CampaignText} c=${c} />
        ${c.recipients > 0 && html`<div class="section-head"><h2>Delivery log</h2><button type="button" onClick=${refresh}>Refresh</button></div>
            <${DeliveryLog} id=${id} query=${query} round=${`${c.state}-${round}`} />`}
    </section>`;
}

// ---- WhatsApp to host leads ---------------------------------------------------------------------------------

// The lead's earlier messages, newest first (GET /api/admin/host-leads/{id}/messages).
function LeadMessages({ id }) {
    const [state] = useLoad(`/api/admin/host-leads/${id}/messages`);
    if (state.error) return html`<${ErrorBox} error=${state.error} />`;
    if (!state.data) return html`<span class="loading-text">Loading earlier messages…</span>`;
    const rows = state.data.data;
    if (!rows.length) return html`<span class="lead-messages">No WhatsApp message sent yet.</span>`;
    return html`<ul class="lead-messages">${rows.slice(0, 5).map((m) => html`<li>${badge(m.status, m.status === 'sent' ? 'ok' : m.status === 'failed' ? 'no' : 'warn')}
        ${when(m.created_at)}: ${m.message}${m.error ? ` (${m.error})` : ''}</li>`)}</ul>`;
}

// The host-lead list's row action.
export const whatsappAction = (r) => ({
    label: 'WhatsApp', confirm: 'Send',
    explain: html`Sent as the WhatsApp Content template: {{1}} is ${r.first_name}, {{2}} your message. The lead is marked contacted.
        <${LeadMessages} id=${r.id} />`,
    fields: [{ key: 'message', label: 'Message', type: 'textarea', required: true },
        { key: 'content_sid', label: 'Content template sid (empty: the server\'s default)' }],
    run: (v) => api('POST', `/api/admin/host-leads/${r.id}/whatsapp`, v.content_sid ? { message: v.message, content_sid: v.content_sid } : { message: v.message }),
});
