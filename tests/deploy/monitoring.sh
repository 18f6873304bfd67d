#!/usr/bin/env bash
# tests/deploy/monitoring.sh: checks the monitoring files of docs/deploy.
#   1. prometheus-alerts.yml: `promtool check rules` (YAML shape and every
#      PromQL expression), then `promtool test rules tests/deploy/alerts.test.yml`
#      (synthetic series: each alert fires when it should, with its labels and
#      rendered annotations, and none fires on a healthy cluster);
#   2. grafana-dashboard.json: parses; has a uid, a Prometheus datasource
#      variable that every panel and query uses, unique panel ids, grid
#      positions inside the 24 columns, and panels for each metric family of
#      the contract; every query, with the dashboard variables filled in, is
#      checked by promtool as a recording rule (so a PromQL typo fails here).
# promtool comes from Debian's prometheus package (scripts/deps). A few
# seconds; needs no server.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
deploy=$root/docs/deploy
command -v promtool >/dev/null || { echo "monitoring.sh: promtool not found (scripts/deps installs prometheus)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

promtool check rules "$deploy/prometheus-alerts.yml"
promtool test rules "$root/tests/deploy/alerts.test.yml"

# The dashboard's checks; writes its queries as a rules file (JSON is YAML).
node - "$deploy/grafana-dashboard.json" "$tmp/dashboard-rules.json" <<'EOF'
const fs = require('node:fs');
const [file, rulesOut] = process.argv.slice(2);
const d = JSON.parse(fs.readFileSync(file, 'utf8'));
const fail = (msg) => { console.error(`grafana-dashboard.json: ${msg}`); process.exit(1); };
if (!d.uid || !d.title || !Array.isArray(d.panels)) fail('uid, title and panels expected');
const vars = d.templating?.list ?? [];
const ds = vars.find((v) => v.type === 'datasource');
if (!ds || ds.query !== 'prometheus') fail('a datasource variable of type prometheus expected');
const dsRef = '${' + ds.name + '}';
const ids = new Set();
const exprs = [];
for (const p of d.panels) {
    if (ids.has(p.id)) fail(`panel id ${p.id} twice`);
    ids.add(p.id);
    const g = p.gridPos;
    if (!g || g.x < 0 || g.w < 1 || g.x + g.w > 24 || g.h < 1) fail(`panel "${p.title}": bad gridPos`);
    if (p.type === 'row') continue;
    if (p.datasource?.uid !== dsRef) fail(`panel "${p.title}": datasource is not ${dsRef}`);
    if (!p.targets?.length) fail(`panel "${p.title}": no query`);
    for (const t of p.targets) {
        if (t.datasource?.uid !== dsRef) fail(`panel "${p.title}" ${t.refId}: datasource is not ${dsRef}`);
        if (!t.expr) fail(`panel "${p.title}" ${t.refId}: empty expr`);
        exprs.push({ title: p.title, expr: t.expr });
    }
}
// The metric families of the /metrics contract (docs/deploy/README.md, Monitoring).
const wanted = ['loopin_http_requests_total', 'loopin_http_request_duration_seconds_bucket',
    'loopin_db_pool_in_use', 'loopin_db_pool_size', 'loopin_db_pool_wait_seconds_bucket',
    'loopin_db_up', 'loopin_jobs_pending', 'loopin_jobs_oldest_age_seconds', 'loopin_jobs_queued',
    'loopin_jobs_processed_total', 'loopin_cache_hits_total', 'loopin_cache_misses_total',
    'loopin_capacity_reservations_live', 'loopin_webhooks_total'];
for (const m of wanted)
    if (!exprs.some((e) => e.expr.includes(m))) fail(`no panel shows ${m}`);
if (!exprs.some((e) => /status=~"5\.\."/.test(e.expr))) fail('no 5xx panel');
// Grafana's variables as Prometheus would receive them.
const fill = (s) => s.replaceAll('$__rate_interval', '5m').replaceAll('$job', 'loopin')
    .replaceAll('$instance', '.*');
const rules = exprs.map((e, i) => ({ record: `dashboard:query_${i}`, expr: fill(e.expr) }));
fs.writeFileSync(rulesOut, JSON.stringify({ groups: [{ name: 'dashboard', rules }] }));
console.log(`grafana-dashboard.json: ${d.panels.length} panels, ${exprs.length} queries`);
EOF
promtool check rules "$tmp/dashboard-rules.json"
echo "monitoring.sh: ok"
