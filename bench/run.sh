#!/usr/bin/env bash
# bench/run.sh: measures the release build (never part of `make test`).
#
# On SQLite and on a private PostgreSQL cluster (scripts/lib/pg.sh), each
# migrated and filled with the generated data set (bench/seed.sql.sh: 10,000
# users, 2,500 events, 50,000 join requests):
#   - binary size, idle RSS, wrk on GET /api/health (no database) and
#     GET /health (one round trip), sign-up round trips and the authenticated
#     profile read (bench/accounts.mjs);
#   - W1: wrk on GET /api/events/{id} as an active seeded user (random
#     visible event per request), W2: anonymous GET /api/events?limit=20,
#     W3: POST /api/events/{id}/requests when that route exists;
#   - per wrk run: req/s, p50/p99, non-2xx, server RSS, and CPU per request
#     of the server, of PostgreSQL (postmaster and all its children) and of
#     wrk, from /proc before and after, plus how busy the machine was;
#   - PostgreSQL only: pgbench with bench/pgbench/w1.sql and w2.sql, the
#     statements the server runs per W1/W2 request (checked against the
#     server's statement log first), as the physical limit; the ratio
#     server req/s / pgbench tps.
# Results go to stdout, bench/last-run.txt and docs/benchmarks.md (the part
# of docs/benchmarks.md below the "written by hand" marker is kept).
# Knobs: LOOPIN_BIN, BENCH_DURATION (10s), BENCH_USERS/EVENTS/REQUESTS.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${LOOPIN_BIN:-build/loopin}
DURATION=${BENCH_DURATION:-10s}
WRK_THREADS=2
WRK_CONNS=32
PGB_CLIENTS=4 # the server's pool on two cores (LOOPIN_DB_POOL = 2 x cores)
PGB_JOBS=2
export BENCH_USERS=${BENCH_USERS:-10000} BENCH_EVENTS=${BENCH_EVENTS:-2500}
export BENCH_REQUESTS=${BENCH_REQUESTS:-50000}
W1_USER=42 # a seeded, active account; not the host of the events it reads
# shellcheck source=../scripts/lib/pg.sh
source scripts/lib/pg.sh
OUT=bench/last-run.txt
DOC=docs/benchmarks.md
MARKER='<!-- Everything below this line is written by hand; bench/run.sh keeps it. -->'
tmp=$(mktemp -d /tmp/loopin-bench.XXXXXX)
server_pid=""
secret=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
HZ=$(getconf CLK_TCK)
declare -A R # results: R[key] = value

cleanup() {
    if [ -n "$server_pid" ]; then kill -TERM "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; fi
    pg_stop
    rm -rf "$tmp"
}
trap cleanup EXIT

seconds_of() { # wrk duration (10s, 2m) -> whole seconds for pgbench -T
    case $1 in
    *ms) echo 1 ;;
    *s) echo "${1%s}" ;;
    *m) echo $((${1%m} * 60)) ;;
    *h) echo $((${1%h} * 3600)) ;;
    *) echo "$1" ;;
    esac
}
SECS=$(seconds_of "$DURATION")

free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

loopin_env() { # $1 = database url; sets ENVV for env(1)
    ENVV=(LOOPIN_DATABASE_URL="$1" LOOPIN_SECRET_KEY="$secret" LOOPIN_LOG_LEVEL=warn
        LOOPIN_ENV=production LOOPIN_SMS_BACKEND=file LOOPIN_SMS_OUTBOX="$tmp/sms.jsonl"
        LOOPIN_MEDIA_DIR="$tmp/media" LOOPIN_OTP_PER_IP_HOUR=100000 LOOPIN_OTP_COOLDOWN_SECONDS=0)
}

migrate() { # $1 = database url
    loopin_env "$1"
    env "${ENVV[@]}" "$BIN" migrate >"$tmp/migrate.log" 2>&1 || { cat "$tmp/migrate.log" >&2; return 1; }
}

start_server() { # $1 = database url
    local port; port=$(free_port)
    loopin_env "$1"
    env "${ENVV[@]}" "$BIN" serve --port "$port" >"$tmp/server.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
    URL="http://127.0.0.1:$port"
}

stop_server() { kill -TERM "$server_pid"; wait "$server_pid" || true; server_pid=""; }

rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$server_pid/status"; }

now() { date +%s.%N; }

# ---- CPU accounting from /proc (clock ticks) ------------------------------

# utime + stime of one process (all its threads).
proc_ticks() {
    awk '{ s = $0; sub(/^.*\) /, "", s); split(s, f, " "); print f[12] + f[13] }' "/proc/$1/stat" 2>/dev/null || echo 0
}

# PostgreSQL: the postmaster (with the children it has reaped) plus every
# live child (backends, checkpointer, walwriter, ...).
pg_ticks() {
    if [[ -z ${pg_dir:-} || ! -f $pg_dir/data/postmaster.pid ]]; then echo 0; return; fi
    local pm; pm=$(head -n 1 "$pg_dir/data/postmaster.pid")
    cat /proc/[0-9]*/stat 2>/dev/null | awk -v pm="$pm" '
        { s = $0; sub(/^.*\) /, "", s); split(s, f, " ")
          if ($1 == pm) t += f[12] + f[13] + f[14] + f[15]; else if (f[2] == pm) t += f[12] + f[13] }
        END { print t + 0 }'
}

# "busy total" ticks of the whole machine (user..steal; idle and iowait are not busy).
machine_ticks() { awk '/^cpu / { t = 0; for (i = 2; i <= 9; i++) t += $i; print t - $5 - $6, t }' /proc/stat; }

cpu_snap() { # -> "server pg busy total"
    local s=0
    [ -n "$server_pid" ] && s=$(proc_ticks "$server_pid")
    echo "$s $(pg_ticks) $(machine_ticks)"
}

# "busy% (others%)": how much of all cores was busy between snapshots a and b,
# and how much of that was none of the measured processes (other load
# makes a run noisy). $1..$4 = a (server pg busy total), $5..$8 = b, $9 =
# ticks of the load generator.
busy() {
    awk -v bz=$(($7 - $3)) -v t=$(($8 - $4)) -v own=$(($5 - $1 + $6 - $2 + $9)) 'BEGIN {
        if (t <= 0) { print "-"; exit }
        o = 100 * (bz - own) / t; if (o < 0) o = 0
        printf "%.0f%% (%.0f%%)", 100 * bz / t, o }'
}

us_per() { # ticks count -> microseconds per item
    awk -v t="$1" -v n="$2" -v hz="$HZ" 'BEGIN { if (n > 0) printf "%.0f", t * 1e6 / hz / n; else print "-" }'
}

# ---- wrk --------------------------------------------------------------------

TABLE_HEAD='| workload | req/s | p50 | p99 | non-2xx | server RSS | server CPU µs/req | DB CPU µs/req | wrk CPU µs/req | machine busy (others) |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|'

# $1 = key (for R), $2 = label, $3 = path, $4 = header or "", $5 = Lua script or ""
run_wrk() {
    local key=$1 label=$2 path=$3 hdr=${4:-} script=${5:-}
    local a b
    read -ra a <<<"$(cpu_snap)"
    /usr/bin/time -f '%U %S' -o "$tmp/wrk.time" wrk -t"$WRK_THREADS" -c"$WRK_CONNS" -d"$DURATION" \
        --latency ${hdr:+-H "$hdr"} ${script:+-s "$script"} "$URL$path" >"$tmp/wrk.out"
    read -ra b <<<"$(cpu_snap)"
    local res rps p50 p99 n bad sock wrk_ticks db
    res=$(cat "$tmp/wrk.out")
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$res")
    p50=$(awk '$1=="50%" {print $2}' <<<"$res")
    p99=$(awk '$1=="99%" {print $2}' <<<"$res")
    n=$(awk '/requests in/ {print $1}' <<<"$res")
    bad=$(awk '/Non-2xx/ {print $NF}' <<<"$res")
    sock=$(awk '/Socket errors/ {gsub(/,/, ""); print $4 + $6 + $8 + $10}' <<<"$res")
    bad=${bad:-0}
    [[ -n $sock && $sock != 0 ]] && bad="$bad (+$sock socket)"
    wrk_ticks=$(awk -v hz="$HZ" '{printf "%.0f", ($1 + $2) * hz}' "$tmp/wrk.time")
    db="in-process"
    [[ $key == PG* ]] && db=$(us_per $((b[1] - a[1])) "$n")
    local row
    row=$(printf '| %s | %s | %s | %s | %s | %s MB | %s | %s | %s | %s |' "$label" "$rps" "$p50" "$p99" \
        "$bad" "$(awk -v k="$(rss_kb)" 'BEGIN {printf "%.1f", k / 1024}')" \
        "$(us_per $((b[0] - a[0])) "$n")" "$db" "$(us_per "$wrk_ticks" "$n")" \
        "$(busy "${a[@]}" "${b[@]}" "$wrk_ticks")")
    echo "$row"
    echo "$row" >>"$tmp/table.$key_db"
    R[$key.rps]=$rps
    R[$key.bad]=$bad
    # CPU of the whole path per request: server + database + load generator
    R[$key.cpu]=$(us_per $((b[0] - a[0] + b[1] - a[1] + wrk_ticks)) "$n")
}

# Sign-up round trips, then wrk on the authenticated profile read.
accounts() { # $1 = label
    local out token
    out=$(node bench/accounts.mjs "$URL" "$tmp/sms.jsonl" 200)
    token=$(tail -n 1 <<<"$out")
    run_wrk "${key_db}_profile" "$1 GET /api/auth/profile" /api/auth/profile "Authorization: Bearer $token"
    echo "- $1: $(head -n 1 <<<"$out")" >>"$tmp/notes"
}

# W1 script: one request per visible event, prebuilt, picked at random.
w1_lua() { # ids on stdin -> $tmp/w1.lua
    {
        echo "local ids = {$(paste -sd, -)}"
        cat <<'LUA'
local reqs = {}
function init(args)
    for i, id in ipairs(ids) do reqs[i] = wrk.format("GET", "/api/events/" .. id) end
end
function request() return reqs[math.random(#reqs)] end
LUA
    } >"$tmp/w1.lua"
}

# W3 script: POST a join request, each thread cycling through its share of
# 400 seeded users (tokens) and then the visible events, so no (event, user)
# pair repeats within a run.
w3_lua() { # ids on stdin -> $tmp/w3.lua
    {
        echo "local ids = {$(paste -sd, -)}"
        echo "local tokens = {"
        node bench/token.mjs "$secret" 1001-1400 | sed 's/.*/"&",/'
        echo "}"
        echo "local nthreads = $WRK_THREADS"
        cat <<'LUA'
local body = '{"message":"Benchmark join request","seats_requested":1}'
local counter, created = 0, 0
function setup(thread)
    thread:set("tid", created)
    created = created + 1
end
function request()
    local per = math.floor(#tokens / nthreads)
    local u = tid + nthreads * (counter % per) + 1
    local e = ids[(math.floor(counter / per) % #ids) + 1]
    counter = counter + 1
    return wrk.format("POST", "/api/events/" .. e .. "/requests",
        {["Authorization"] = "Bearer " .. tokens[u], ["Content-Type"] = "application/json"}, body)
end
LUA
    } >"$tmp/w3.lua"
}

# W1, W2, and W3 if the route exists. $1 = label, visible ids in $tmp/ids.
workloads() {
    local label=$1 token code
    token=$(node bench/token.mjs "$secret" "$W1_USER")
    w1_lua <"$tmp/ids"
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$URL/api/events/$(head -n 1 "$tmp/ids")")
    [[ $code == 200 ]] || echo "WARNING: $label GET /api/events/{id} answered $code" >&2
    run_wrk "${key_db}_W1" "$label W1 GET /api/events/{id}" /api/events "Authorization: Bearer $token" "$tmp/w1.lua"
    code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/api/events?limit=20")
    [[ $code == 200 ]] || echo "WARNING: $label GET /api/events?limit=20 answered $code" >&2
    run_wrk "${key_db}_W2" "$label W2 GET /api/events?limit=20" "/api/events?limit=20"
}

w3() { # $1 = label; run last: it writes
    local label=$1 token code
    token=$(node bench/token.mjs "$secret" "$W1_USER")
    code=$(curl -s -o "$tmp/w3.json" -w '%{http_code}' -X POST -H "Authorization: Bearer $token" \
        -H 'Content-Type: application/json' -d '{"message":"probe","seats_requested":1}' \
        "$URL/api/events/$(head -n 1 "$tmp/ids")/requests")
    if [[ $code == 405 ]] || { [[ $code == 404 ]] && grep -Eq '"error_code": ?"NOT_FOUND"' "$tmp/w3.json"; }; then
        echo "W3: not available yet (join requests not built)"
        R[${key_db}_W3.na]=1
        return
    fi
    w3_lua <"$tmp/ids"
    run_wrk "${key_db}_W3" "$label W3 POST /api/events/{id}/requests" /api/events "" "$tmp/w3.lua"
}

# ---- PostgreSQL: the same SQL through pgbench ---------------------------------

pgbench_vars() { # -D arguments for bench/pgbench/*.sql
    PGBV=(-D users="$BENCH_USERS" -D events="$BENCH_EVENTS" -D jti=0123456789abcdef0123456789abcdef
        -D t=true -D limit=20 -D offset=0)
    local i=1 id
    while read -r id; do PGBV+=(-D "p$i=$id"); i=$((i + 1)); done <"$tmp/page"
}

# The statements (normalised: $n -> $?, no final semicolon) that reached PostgreSQL since byte $1 of its log.
logged_selects() {
    sleep 0.3
    tail -c +$(($1 + 1)) "$pg_dir/server.log" | sed -n 's/.*LOG:  duration: [0-9.]* ms  execute [^:]*: //p' |
        { grep -E '^(SELECT|WITH)' || true; } | sed -E 's/\$[0-9]+/$?/g; s/;$//'
}

# Checks that bench/pgbench/w1.sql and w2.sql send what the server sends for
# one W1 and one (cached-total) W2 request; sets R[sql.w1] and R[sql.w2].
sql_check() {
    local psql=("$PG_BIN/psql" -q -X "$PG_URL")
    "${psql[@]}" -c "ALTER SYSTEM SET log_min_duration_statement = 0" -c "SELECT pg_reload_conf()" >/dev/null
    sleep 0.3
    local token off w
    token=$(node bench/token.mjs "$secret" "$W1_USER")
    off=$(stat -c %s "$pg_dir/server.log")
    curl -s -o /dev/null -H "Authorization: Bearer $token" "$URL/api/events/$(head -n 1 "$tmp/ids")"
    logged_selects "$off" >"$tmp/server.w1"
    curl -s -o /dev/null "$URL/api/events?limit=20" # the total is cached from here on
    off=$(stat -c %s "$pg_dir/server.log")
    curl -s -o /dev/null "$URL/api/events?limit=20"
    logged_selects "$off" >"$tmp/server.w2"
    for w in w1 w2; do
        off=$(stat -c %s "$pg_dir/server.log")
        "$PG_BIN/pgbench" -n -M prepared -c 1 -t 1 -f "bench/pgbench/$w.sql" "${PGBV[@]}" "$PG_URL" >/dev/null 2>&1
        logged_selects "$off" >"$tmp/pgbench.$w"
        if [[ -s $tmp/server.$w ]] && diff -u "$tmp/server.$w" "$tmp/pgbench.$w" >"$tmp/diff.$w"; then
            R[sql.$w]="same statements as the server ($(wc -l <"$tmp/server.$w") per request)"
        else
            R[sql.$w]="DIFFERS from the server's statements (diff in bench/last-run.txt)"
            echo "WARNING: bench/pgbench/$w.sql differs from what the server sends:" >&2
            cat "$tmp/diff.$w" >&2
            sed 's/^/    /' "$tmp/diff.$w" >>"$tmp/notes"
        fi
    done
    "${psql[@]}" -c "ALTER SYSTEM RESET log_min_duration_statement" -c "SELECT pg_reload_conf()" >/dev/null
}

PGB_HEAD='| pgbench script | tps | latency avg | failed | postgres CPU µs/tx | pgbench CPU µs/tx | machine busy (others) |
|---|---:|---:|---:|---:|---:|---:|'

run_pgbench() { # $1 = key (w1|w2), $2 = label
    local key=$1 label=$2 a b
    read -ra a <<<"$(cpu_snap)"
    /usr/bin/time -f '%U %S' -o "$tmp/pgb.time" "$PG_BIN/pgbench" -n -M prepared -c "$PGB_CLIENTS" \
        -j "$PGB_JOBS" -T "$SECS" -f "bench/pgbench/$key.sql" "${PGBV[@]}" "$PG_URL" >"$tmp/pgb.out" 2>&1 ||
        { cat "$tmp/pgb.out" >&2; return 1; }
    sleep 0.5 # the backends exit and are reaped into the postmaster's times
    read -ra b <<<"$(cpu_snap)"
    local tps n lat failed own
    tps=$(awk '/^tps = / {printf "%.2f", $3; exit}' "$tmp/pgb.out")
    n=$(awk -F': ' '/number of transactions actually processed/ {split($2, x, "/"); print x[1]}' "$tmp/pgb.out")
    lat=$(awk '/latency average/ {print $4 $5}' "$tmp/pgb.out")
    failed=$(awk -F': ' '/number of failed transactions/ {split($2, x, " "); print x[1]}' "$tmp/pgb.out")
    own=$(awk -v hz="$HZ" '{printf "%.0f", ($1 + $2) * hz}' "$tmp/pgb.time")
    local row
    row=$(printf '| %s | %s | %s | %s | %s | %s | %s |' "$label" "$tps" "$lat" "${failed:-0}" \
        "$(us_per $((b[1] - a[1])) "$n")" "$(us_per "$own" "$n")" "$(busy "${a[@]}" "${b[@]}" "$own")")
    echo "$row"
    echo "$row" >>"$tmp/table.pgbench"
    R[pgb.$key]=$tps
    R[pgb.$key.cpu]=$(us_per $((b[1] - a[1] + own)) "$n")
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.0f%%", 100 * a / b; else print "-" }'; }
meets() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { print (b > 0 && a / b >= t) ? "yes" : "**no**" }'; }

# ---- the run ------------------------------------------------------------------

seed() { # $1 = pg|sqlite, $2 = target; prints seconds
    local t0; t0=$(now)
    if [[ $1 == sqlite ]]; then
        bash bench/seed.sql.sh sqlite | sqlite3 -bail "$2" >/dev/null
    else
        bash bench/seed.sql.sh pg | "$PG_BIN/psql" -q -X -v ON_ERROR_STOP=1 "$2" >/dev/null
    fi
    awk -v a="$t0" -v b="$(now)" 'BEGIN {printf "%.1f", b - a}'
}

visible_ids_sql="SELECT id FROM events WHERE is_active AND is_public ORDER BY id"

# Not a pipeline: the cluster and server must be started in this shell so the
# EXIT trap can stop them.
exec > >(tee "$OUT")
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
echo "# Loopin benchmark, $started, $(nproc) cores, wrk -t$WRK_THREADS -c$WRK_CONNS -d$DURATION"
echo
echo "binary: $(stat -c %s "$BIN") bytes ($BIN, $("$BIN" version))"
R[load]=$(cut -d' ' -f1-3 /proc/loadavg)
echo "load average before the run: ${R[load]}"
touch "$tmp/notes"

# SQLite
key_db=SQLite
db="$tmp/bench.db"
migrate "sqlite://$db"
R[seed.sqlite]=$(seed sqlite "$db")
R[size.sqlite]=$(du -k "$db" | awk '{printf "%.1f MB", $1 / 1024}')
sqlite3 "$db" "$visible_ids_sql" >"$tmp/ids"
echo "data set: $BENCH_USERS users, $BENCH_EVENTS events ($(wc -l <"$tmp/ids") visible), $BENCH_REQUESTS requests; SQLite seed ${R[seed.sqlite]} s"
start_server "sqlite://$db"
sleep 1
R[idle.sqlite]=$(rss_kb)
echo "idle RSS after start (SQLite): ${R[idle.sqlite]} kB"
echo
echo "$TABLE_HEAD"
: >"$tmp/table.SQLite"
run_wrk SQLite_health "SQLite GET /api/health" /api/health
run_wrk SQLite_dbhealth "SQLite GET /health (DB)" /health
accounts SQLite
workloads SQLite
w3 SQLite
stop_server

# PostgreSQL
key_db=PG
pg_start >/dev/null
"$PG_BIN/psql" -q "$LOOPIN_TEST_PG_ADMIN_URL" -c 'CREATE DATABASE loopin_bench'
PG_URL="postgresql://postgres@127.0.0.1:$pg_port/loopin_bench"
migrate "$PG_URL"
R[seed.pg]=$(seed pg "$PG_URL")
R[size.pg]=$("$PG_BIN/psql" -AtX "$PG_URL" -c "SELECT pg_size_pretty(pg_database_size(current_database()))")
"$PG_BIN/psql" -AtX "$PG_URL" -c "$visible_ids_sql" >"$tmp/ids"
"$PG_BIN/psql" -AtX "$PG_URL" -c "SELECT e.id FROM events e WHERE is_active AND is_public ORDER BY e.start_time DESC, e.id DESC LIMIT 20" >"$tmp/page"
pgbench_vars
echo
echo "PostgreSQL seed ${R[seed.pg]} s (VACUUM ANALYZE included), database ${R[size.pg]}"
start_server "$PG_URL"
sleep 1
R[idle.pg]=$(rss_kb)
echo "idle RSS after start (PostgreSQL): ${R[idle.pg]} kB"
sql_check
echo "pgbench W1 SQL: ${R[sql.w1]}"
echo "pgbench W2 SQL: ${R[sql.w2]}"
echo
echo "$TABLE_HEAD"
: >"$tmp/table.PG"
run_wrk PG_health "PostgreSQL GET /api/health" /api/health
run_wrk PG_dbhealth "PostgreSQL GET /health (DB)" /health
accounts PostgreSQL
workloads PostgreSQL
echo
echo "pgbench -n -M prepared -c $PGB_CLIENTS -j $PGB_JOBS -T $SECS, same database, server idle:"
echo
echo "$PGB_HEAD"
: >"$tmp/table.pgbench"
run_pgbench w1 "W1 SQL (bench/pgbench/w1.sql)"
run_pgbench w2 "W2 SQL (bench/pgbench/w2.sql)"
echo
R[w1.ratio]=$(ratio "${R[PG_W1.rps]}" "${R[pgb.w1]}")
R[w2.ratio]=$(ratio "${R[PG_W2.rps]}" "${R[pgb.w2]}")
R[w1.ok]=$(meets "${R[PG_W1.rps]}" "${R[pgb.w1]}" 0.5)
R[w2.ok]=$(meets "${R[PG_W2.rps]}" "${R[pgb.w2]}" 0.8)
echo "W1: server ${R[PG_W1.rps]} req/s / pgbench ${R[pgb.w1]} tps = ${R[w1.ratio]} (target >= 50%: ${R[w1.ok]});" \
    "CPU per request ${R[PG_W1.cpu]} µs vs ${R[pgb.w1.cpu]} µs per pgbench tx"
echo "W2: server ${R[PG_W2.rps]} req/s / pgbench ${R[pgb.w2]} tps = ${R[w2.ratio]} (target >= 80%: ${R[w2.ok]});" \
    "CPU per request ${R[PG_W2.cpu]} µs vs ${R[pgb.w2.cpu]} µs per pgbench tx"
echo
w3 PostgreSQL
stop_server
echo
cat "$tmp/notes"

# ---- docs/benchmarks.md -----------------------------------------------------------

hand=""
if [[ -f $DOC ]] && grep -qF "$MARKER" "$DOC"; then
    hand=$(awk -v m="$MARKER" 'f { print } $0 == m { f = 1 }' "$DOC")
fi
if [[ -z ${hand//[[:space:]]/} ]]; then
    hand=$'\n## What bounds it\n\n(To be written by hand from a run: what limits W1 and W2, and what would lift it.)'
fi
w3_line() { # $1 = key_db
    if [[ -n ${R[$1_W3.na]:-} ]]; then echo "not available yet (join requests not built)"; else echo "see the table"; fi
}
{
    cat <<EOF
# Benchmarks

Written by \`make bench\` (\`bench/run.sh\`) on $started; the section after the marker at the end
is written by hand and kept by the script. Never part of \`make test\`.

## Machine and versions

- $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), $(free -m | awk '/^Mem:/ {printf "%.1f GB", $2 / 1024}') RAM, Linux $(uname -r)
- $("$BIN" version), release build \`$BIN\` ($(stat -c %s "$BIN") bytes), default workers and pool
  (2 x cores each)
- $("$PG_BIN/postgres" --version) (private cluster from scripts/lib/pg.sh: fsync off, defaults
  otherwise), SQLite $(sqlite3 --version | cut -d' ' -f1) (CLI used for seeding)
- $(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2), \`-t$WRK_THREADS -c$WRK_CONNS -d$DURATION --latency\`; $("$PG_BIN/pgbench" --version),
  \`-n -M prepared -c $PGB_CLIENTS -j $PGB_JOBS -T $SECS\`
- Load generator, server and database share the same $(nproc) cores. Load average before the run:
  ${R[load]}; "others" in the tables is the share of the machine used by processes other than
  the ones measured (a busy neighbour makes a run noisy).

## Data set

\`bench/seed.sql.sh\` (SQL only, after \`loopin migrate\`): $BENCH_USERS active users with profiles,
$BENCH_EVENTS events ($(wc -l <"$tmp/ids") active, public and published or completed; the rest drafts,
cancelled or private), 2-3 interests each, 100 venues, $BENCH_REQUESTS join requests (60% pending).
Seeding took ${R[seed.sqlite]} s on SQLite (${R[size.sqlite]}) and ${R[seed.pg]} s on PostgreSQL
(${R[size.pg]}, VACUUM ANALYZE included).

## Workloads

- **W1** \`GET /api/events/{id}\` with the bearer token of an active seeded user; each request
  picks one of the visible events at random (wrk Lua script).
- **W2** \`GET /api/events?limit=20\`, anonymous (the first page; the total comes from the
  per-process cache after the first request).
- **W3** \`POST /api/events/{id}/requests\`: $(w3_line PG).
- CPU per request: utime + stime from \`/proc\` before and after each wrk run, divided by the
  requests served: the server process, PostgreSQL (postmaster and all its children), and wrk
  itself. "Machine busy" is the share of all cores that was not idle during the run.

## SQLite

Idle RSS after start: ${R[idle.sqlite]} kB.

$TABLE_HEAD
$(cat "$tmp/table.SQLite")

## PostgreSQL

Idle RSS after start: ${R[idle.pg]} kB.

$TABLE_HEAD
$(cat "$tmp/table.PG")

### pgbench: the same SQL, no HTTP server

\`bench/pgbench/w1.sql\` and \`w2.sql\` hold the statements the server runs per request (W1: the
verifier's account query, then the EventResponse row with its interests (LEFT JOIN) with the
1-id bucket, which also decides visibility; W2: the listing version read, the page of ids, the
EventResponse rows with their interests with the 20-id bucket). Before pgbench runs, the script logs the statements
one real request of each kind sends and compares them with the scripts:
W1 ${R[sql.w1]}; W2 ${R[sql.w2]}.
Random user and event per W1 transaction; W2 binds the first page's ids, as the server does.

$PGB_HEAD
$(cat "$tmp/table.pgbench")

### Ratio to pgbench (same run)

| workload | server req/s | pgbench tps | ratio | target | met | CPU µs per request: server + DB + wrk | CPU µs per tx: DB + pgbench | CPU-implied ceiling |
|---|---:|---:|---:|---:|---|---:|---:|---:|
| W1 | ${R[PG_W1.rps]} | ${R[pgb.w1]} | ${R[w1.ratio]} | >= 50% | ${R[w1.ok]} | ${R[PG_W1.cpu]} | ${R[pgb.w1.cpu]} | $(ratio "${R[pgb.w1.cpu]}" "${R[PG_W1.cpu]}") |
| W2 | ${R[PG_W2.rps]} | ${R[pgb.w2]} | ${R[w2.ratio]} | >= 80% | ${R[w2.ok]} | ${R[PG_W2.cpu]} | ${R[pgb.w2.cpu]} | $(ratio "${R[pgb.w2.cpu]}" "${R[PG_W2.cpu]}") |

When every core is busy, throughput is cores / CPU per request, so the ratio to pgbench cannot
exceed (pgbench's CPU per transaction) / (the HTTP path's CPU per request): the last column.

## Notes from the run

$(cat "$tmp/notes")

$MARKER
EOF
    printf '%s\n' "$hand"
} >"$DOC.tmp"
mv "$DOC.tmp" "$DOC"
echo
echo "wrote $DOC"
