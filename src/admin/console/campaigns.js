// campaigns.js: the console's notification campaign pages (issue 13 point 5,
// docs/notifications.md): templates and their versions, the campaign builder
// with its audience rules and live count, a campaign's page with its actions,
// progress and delivery log, and the kill switch. Imported by app.js, whose
// helpers it uses: the two modules import each other, so nothing here may
// touch app.js's names before a function runs (no top-level use).
import { html, useState, useEffect } from '/admin/assets/standalone.module.js';
import { api, go, useLoad, Actions, ErrorBox, KeyValues, ListPage, when } from '/admin/assets/app.js';

const TYPES = ['system', 'promotional', 'event_update', 'reminder'];
// The rule engine's whitelist: each field's operators and kind of value.
const FIELDS = {
    location: { ops: ['=', '!=', 'contains', 'icontains', 'in'], kind: 'text' },
    interest: { ops: ['=', '!=', 'icontains', 'in'], kind: 'text' },
    profile_completed: { ops: ['=', '!='], kind: 'bool' },
    is_verified: { ops: ['=', '!='], kind: 'bool' },
    is_active: { ops: ['=', '!='], kind: 'bool' },
    has_attended_event: { ops: ['=', '!='], kind: 'bool' },
    has_active_devices: { ops: ['=', '!='], kind: 'bool' },
};

export const CAMPAIGN_LISTS = {
    'campaign-templates': {
        title: 'Campaign templates', path: 'campaign-templates', endpoint: '/api/admin/campaign-templates', search: 'name',
        columns: [{ key: 'name', label: 'Name' }, { key: 'version', label: 'Version' }, { key: 'title', label: 'Title' },
            { key: 'locked', label: 'Used', fmt: (b) => (b ? 'locked' : 'editable') }, { key: 'campaigns', label: 'Campaigns' }],
        link: (r) => `campaign-templates/${r.id}`,
        create: { label: 'New template', explain: 'Write {{name}} for the recipient\'s name and {{anything}} for a value each campaign gives.',
            fields: [{ key: 'name', label: 'Name', required: true }, { key: 'title', label: 'Title', required: true },
                { key: 'body', label: 'Message', type: 'textarea', required: true }],
            run: (v) => api('POST', '/api/admin/campaign-templates', v) },
    },
};

const CAMPAIGNS = {
    title: 'Campaigns', path: 'campaigns', endpoint: '/api/admin/campaigns', search: 'name',
    filters: [{ key: 'state', label: 'State', options: ['draft', 'previewed', 'scheduled', 'sending', 'sent', 'cancelled', 'failed'] }],
    columns: [{ key: 'name', label: 'Name' }, { key: 'state', label: 'State' }, { key: 'notification_type', label: 'Type' },
        { key: 'preview_count', label: 'Audience', fmt: (n) => (n ?? '—') }, { key: 'recipients', label: 'Recipients' },
        { key: 'scheduled_at', label: 'Scheduled', fmt: (t) => when(t) }],
    link: (r) => `campaigns/${r.id}`,
};

function KillSwitch() {
    const [state, reload] = useLoad('/api/admin/campaigns/kill-switch');
    const s = state.data;
    if (!s) return html`<${ErrorBox} error=${state.error} />`;
    return html`<div class=${`card switch ${s.stopped ? 'stopped' : ''}`}>
        <p><strong>${s.stopped ? 'Campaigns are stopped.' : 'Campaigns may run.'}</strong> ${s.reason}</p>
        ${!s.by_environment && html`<${Actions} onDone=${reload} actions=${[{
            label: s.stopped ? 'Resume campaigns' : 'Stop all campaigns', danger: !s.stopped,
            explain: s.stopped ? 'Campaigns may be sent again.' : 'Nothing is sent or starts; a sending campaign stops before its next batch.',
            run: () => api('PUT', '/api/admin/campaigns/kill-switch', { stopped: !s.stopped }) }]} />`}</div>`;
}

export function CampaignsHome({ query }) {
    return html`<div><${KillSwitch} />
        <p><a class="button primary" href="#/campaigns/new">New campaign</a></p>
        <${ListPage} key="campaigns" conf=${CAMPAIGNS} query=${query} /></div>`;
}

export function TemplatePage({ id }) {
    const [state, reload] = useLoad(`/api/admin/campaign-templates/${id}`);
    const t = state.data;
    if (!t) return html`<${ErrorBox} error=${state.error} />`;
    return html`<section>
        <div class="card"><h2>${t.name}</h2>
            <${Actions} onDone=${reload} actions=${[{ label: 'Edit the text', explain: t.latest.locked
                ? `Version ${t.latest.version} was used by a campaign: the edit becomes version ${t.latest.version + 1}.`
                : `Version ${t.latest.version} is not used yet: it is edited in place.`,
                fields: [{ key: 'title', label: 'Title', required: true }, { key: 'body', label: 'Message', type: 'textarea', required: true }],
                run: (v) => api('PATCH', `/api/admin/campaign-templates/${id}`, v) }]} /></div>
        <table><thead><tr><th>Version</th><th>Title</th><th>Message</th><th>Variables</th><th>Locked</th></tr></thead>
            <tbody>${t.versions.map((v) => html`<tr><td>${v.version}</td><td>${v.title}</td><td>${v.body}</td>
                <td>${v.variables.join(', ')}</td><td>${v.locked ? when(v.locked_at) : 'no'}</td></tr>`)}</tbody></table>
    </section>`;
}

// One audience rule's row: field, operator, value typed by the field.
function RuleRow({ rule, onChange, onRemove, index }) {
    const def = FIELDS[rule.field];
    const set = (patch) => onChange({ ...rule, ...patch });
    return html`<div class="rule">
        <select aria-label=${`Rule ${index + 1} group`} class="rule-group" value=${rule.group} onChange=${(e) => set({ group: e.target.value })}>
            <option value="all">all of</option><option value="any">any of</option></select>
        <select aria-label=${`Rule ${index + 1} field`} class="rule-field" value=${rule.field}
            onChange=${(e) => set({ field: e.target.value, op: '=', value: FIELDS[e.target.value].kind === 'bool' ? 'true' : '' })}>
            ${Object.keys(FIELDS).map((f) => html`<option value=${f}>${f}</option>`)}</select>
        <select aria-label=${`Rule ${index + 1} operator`} class="rule-op" value=${rule.op} onChange=${(e) => set({ op: e.target.value })}>
            ${def.ops.map((o) => html`<option value=${o}>${o}</option>`)}</select>
        ${def.kind === 'bool'
            ? html`<select aria-label=${`Rule ${index + 1} value`} class="rule-value" value=${rule.value} onChange=${(e) => set({ value: e.target.value })}>
                <option value="true">true</option><option value="false">false</option></select>`
            : html`<input aria-label=${`Rule ${index + 1} value`} class="rule-value" value=${rule.value}
                placeholder=${rule.op === 'in' ? 'comma, separated' : ''} onInput=${(e) => set({ value: e.target.value })} />`}
        <button type="button" onClick=${onRemove}>Remove</button></div>`;
}

function audienceOf(rules) {
    const out = {};
    for (const r of rules) {
        const kind = FIELDS[r.field].kind;
        const value = kind === 'bool' ? r.value === 'true'
            : r.op === 'in' ? r.value.split(',').map((s) => s.trim()).filter(Boolean) : r.value;
        (out[r.group] ||= []).push({ field: r.field, op: r.op, value });
    }
    return out;
}

// The live count, asked again 300 ms after the last change.
function useAudienceCount(audience, type) {
    const [out, setOut] = useState({ count: null, error: null });
    const key = JSON.stringify([audience, type]);
    useEffect(() => {
        if (!Object.keys(audience).length) return setOut({ count: null, error: null });
        let live = true;
        const t = setTimeout(() => api('POST', '/api/admin/campaigns/audience-count', { audience, notification_type: type })
            .then((r) => live && setOut({ count: r, error: null }), (e) => live && setOut({ count: null, error: e })), 300);
        return () => { live = false; clearTimeout(t); };
    }, [key]);
    return out;
}

export function CampaignBuilder() {
    const [templates] = useLoad('/api/admin/campaign-templates?limit=200&is_active=true');
    const [name, setName] = useState('');
    const [templateId, setTemplateId] = useState('');
    const [template, setTemplate] = useState(null);
    const [vars, setVars] = useState({});
    const [type, setType] = useState('system');
    const [rules, setRules] = useState([{ group: 'all', field: 'location', op: '=', value: '' }]);
    const [error, setError] = useState(null);
    const audience = audienceOf(rules);
    const live = useAudienceCount(audience, type);
    useEffect(() => {
        if (!templateId) return setTemplate(null);
        api('GET', `/api/admin/campaign-templates/${templateId}`).then(setTemplate, setError);
    }, [templateId]);
    const needed = (template?.latest.variables || []).filter((v) => v !== 'name');
    const save = async (e) => {
        e.preventDefault();
        setError(null);
        try {
            const c = await api('POST', '/api/admin/campaigns', { name, template_id: Number(templateId), notification_type: type, audience,
                variables: Object.fromEntries(needed.map((v) => [v, vars[v] || ''])) });
            go(`campaigns/${c.id}`);
        } catch (err) {
            setError(err);
        }
    };
    return html`<form class="card builder" onSubmit=${save}>
        <label for="c-name">Name</label><input id="c-name" required value=${name} onInput=${(e) => setName(e.target.value)} />
        <label for="c-template">Template</label>
        <select id="c-template" required value=${templateId} onChange=${(e) => setTemplateId(e.target.value)}>
            <option value="">choose…</option>
            ${(templates.data?.data || []).map((t) => html`<option value=${String(t.id)}>${t.name} (v${t.version})</option>`)}</select>
        ${template && html`<p class="muted">“${template.latest.title}” — ${template.latest.body}
            ${template.latest.variables.includes('name') && html`<br />{{name}} is filled with each recipient's name.`}</p>`}
        ${needed.map((v) => html`<label for=${`c-var-${v}`}>{{${v}}}</label>
            <input id=${`c-var-${v}`} required value=${vars[v] || ''} onInput=${(e) => setVars({ ...vars, [v]: e.target.value })} />`)}
        <label for="c-type">Notification type</label>
        <select id="c-type" value=${type} onChange=${(e) => setType(e.target.value)}>${TYPES.map((t) => html`<option value=${t}>${t}</option>`)}</select>
        <fieldset><legend>Audience</legend>
            <p class="muted">Always people with an active device and push on for the type (promotional is opt-in).</p>
            ${rules.map((r, i) => html`<${RuleRow} index=${i} rule=${r} onChange=${(n) => setRules(rules.map((x, j) => (j === i ? n : x)))}
                onRemove=${() => setRules(rules.filter((_, j) => j !== i))} />`)}
            <button type="button" onClick=${() => setRules([...rules, { group: 'all', field: 'location', op: '=', value: '' }])}>Add a rule</button>
            <p class="live-count" role="status">${live.error ? html`<span class="error">${live.error.message}</span>`
                : live.count ? html`<strong>${live.count.count}</strong> people (at most ${live.count.max})` : 'Add a rule to count.'}</p>
        </fieldset>
        <${ErrorBox} error=${error} />
        <div class="actions"><button type="submit" class="primary">Save as draft</button></div>
    </form>`;
}

const LOG = {
    title: 'Delivery log', path: '', endpoint: '/api/admin/campaign-executions', search: 'name',
    filters: [{ key: 'status', label: 'Status', options: ['pending', 'sent', 'skipped'] },
        { key: 'push_status', label: 'Push', options: ['sending', 'sent', 'skipped', 'failed'] }],
    columns: [{ key: 'name', label: 'Recipient' }, { key: 'phone', label: 'Phone' }, { key: 'batch', label: 'Batch' },
        { key: 'status', label: 'Status' }, { key: 'push_status', label: 'Push' }, { key: 'push_error', label: 'Push error' },
        { key: 'processed_at', label: 'Processed', fmt: (t) => when(t) }],
};

function campaignActions(c, id) {
    const post = (verb, body) => api('POST', `/api/admin/campaigns/${id}/${verb}`, body);
    const open = ['draft', 'previewed'].includes(c.state);
    return [
        { label: 'Preview the count', hidden: !open, explain: 'Counts the audience now; required before sending.', run: () => post('preview') },
        { label: 'Send now', hidden: c.state !== 'previewed', confirm: 'Send',
            explain: `About ${c.preview_count} people get this as an in-app notification and a push.`, run: () => post('send') },
        { label: 'Schedule', hidden: c.state !== 'previewed', explain: 'Sent at that time (your browser\'s time zone).',
            fields: [{ key: 'at', label: 'When', type: 'datetime-local', required: true }],
            run: (v) => post('send', { scheduled_at: new Date(v.at).toISOString() }) },
        { label: 'Cancel the campaign', danger: true, hidden: ['sent', 'cancelled', 'failed'].includes(c.state),
            explain: 'Nobody not reached yet is reached.', run: () => post('cancel') },
    ];
}

export function CampaignPage({ id, query }) {
    const [state, reload] = useLoad(`/api/admin/campaigns/${id}`);
    const c = state.data;
    const moving = c && ['scheduled', 'sending'].includes(c.state);
    useEffect(() => {
        if (!moving) return undefined;
        const t = setInterval(reload, 2000);
        return () => clearInterval(t);
    }, [moving]);
    if (!c) return html`<${ErrorBox} error=${state.error} />`;
    const p = c.progress;
    return html`<section>
        <div class="card"><h2>${c.name} <span class=${`badge state-${c.state}`}>${c.state}</span></h2>
            <${KeyValues} obj=${c} keys=${[['notification_type', 'Type'], ['preview_count', 'Audience at preview', (n) => n ?? '—'],
                ['previewed_at', 'Previewed', when], ['scheduled_at', 'Scheduled', when], ['started_at', 'Started', when],
                ['finished_at', 'Finished', when], ['recipients', 'Recipients'], ['failure_reason', 'Why it failed', (s) => s || '—']]} />
            <p class="muted">Template v${c.template.version}: “${c.template.title}” — ${c.template.body}</p>
            <p class="progress" role="status">Sent <strong class="sent-count">${p.sent}</strong> · pending ${p.pending} · skipped ${p.skipped}
                ${c.recipients ? html` of ${c.recipients}` : ''}</p>
            <${Actions} onDone=${reload} actions=${campaignActions(c, id)} /></div>
        ${c.recipients > 0 && html`<h2>Delivery log</h2>
            <${ListPage} key=${`log-${id}`} conf=${{ ...LOG, path: `campaigns/${id}` }} query=${{ ...query, campaign_id: String(id) }} />`}
    </section>`;
}

// The host-lead list's WhatsApp action (the lead's messages: GET /api/admin/host-leads/{id}/messages).
export const whatsappAction = (r) => ({
    label: 'WhatsApp', explain: `Sent from the Content template: {{1}} is ${r.first_name}, {{2}} your message. The lead is marked contacted.`,
    fields: [{ key: 'message', label: 'Message', type: 'textarea', required: true }],
    run: (v) => api('POST', `/api/admin/host-leads/${r.id}/whatsapp`, { message: v.message }),
});
