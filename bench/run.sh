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
#     W3: POST /api/events/{id}/requests {"seats_requested":1} when that
#     route exists (400 requesters who have asked for nothing, each pair of
#     requester and future published event once);
#   - per wrk run: req/s, p50/p99, non-2xx, server RSS, and CPU per request
#     of the server, of PostgreSQL (postmaster and all its children) and of
#     wrk, from /proc before and after, plus how busy the machine was;
#   - PostgreSQL only: pgbench with bench/pgbench/w1.sql, w2.sql and w3.sql,
#     the statements the server runs per W1/W2/W3 request (checked against
#     the server's statement log first), as the physical limit; the ratio
#     server req/s / pgbench tps.
# Those run on a cluster with fsync off. Then the durable part, on a second
# cluster with durable commits (fsync, synchronous_commit and
# full_page_writes on, data on the real disk, never tmpfs), the same data
# set plus the hot events of `bench/seed.sql.sh pg-rush`:
#   - the disk's fsync latency (pg_test_fsync);
#   - pgbench on the seat guards, many clients on ONE event: the single
#     guarded row (UPDATE ... WHERE taken + 1 <= capacity) and the bucketed
#     guard the server uses (seat_take of migration 0017), seats/s each;
#   - three `loopin serve` processes on that database and bench/rush.mjs:
#     BENCH_RUSH_USERS people with an accepted request confirm attendance at
#     once on one event (confirmed seats/s, latency, and zero oversell:
#     buckets = 200s = attendees' seats <= max_capacity), the host checks
#     every ticket in (check-ins/s), then the same people rush an event with
#     half as many seats (sell-out: the rest get CAPACITY_FULL);
#   - pgbench with bench/pgbench/confirm.sql and checkin.sql, the statements
#     the server runs per confirmation and per check-in (checked against the
#     server's statement log first), on one more event, at 12 clients (the
#     servers' pooled connections) and 32: the database's own limit for the
#     rush's and the door's work; the ratios HTTP/s / pgbench tps;
#   - paid admission (issue 10), PayU as the provider (bench/rush.mjs plays
#     PayU, signing its answers with the merchant salt): the same people,
#     each holding a seat in a capacity reservation on a paid event that
#     reservations fill, buy at once (POST /api/payments/orders, then PayU's
#     success answer to the order's surl: paid confirmations/s, exactly one
#     ticket per paid order, zero oversell), first one at a time; then, on a
#     second paid event, the orders alone, and PayU's success answer for each
#     delivered 3 times at once (callbacks/s, duplicates included; every
#     order paid once, every distinct callback stored and processed).
# Results go to stdout, bench/last-run.txt and docs/benchmarks.md (the part
# of docs/benchmarks.md below the "written by hand" marker is kept).
# Knobs: LOOPIN_BIN, BENCH_DURATION (10s), BENCH_USERS/EVENTS/REQUESTS,
# BENCH_W3_USERS (1000), BENCH_RUSH_USERS (5000), BENCH_RUSH_CONCURRENCY
# (64), BENCH_GUARD_CLIENTS ("32 8": one pgbench run per count and guard),
# BENCH_DOOR_CLIENTS ("12 32": confirm.sql's and checkin.sql's client counts),
# BENCH_GUARD_SECONDS (10), BENCH_PAID_PRICE_MINOR (49900), BENCH_PAID_CAPACITY
# (the rush users: reservations fill the paid events), BENCH_PARTS
# ("sqlite pg durable"; a subset runs only those parts and leaves
# docs/benchmarks.md alone; "paid" runs the durable part's paid phases alone).
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${LOOPIN_BIN:-build/loopin}
DURATION=${BENCH_DURATION:-10s}
WRK_THREADS=2
WRK_CONNS=32
# The one-connection runs (latency without queueing): one wrk thread.
DURATION_C1=${BENCH_DURATION_C1:-5s}
PGB_CLIENTS=4 # the server's pool on two cores (LOOPIN_DB_POOL = 2 x cores)
PGB_JOBS=2
export BENCH_USERS=${BENCH_USERS:-10000} BENCH_EVENTS=${BENCH_EVENTS:-2500}
export BENCH_REQUESTS=${BENCH_REQUESTS:-50000} BENCH_W3_USERS=${BENCH_W3_USERS:-1000}
export BENCH_RUSH_USERS=${BENCH_RUSH_USERS:-5000} BENCH_RUSH_SOLO=${BENCH_RUSH_SOLO:-500}
W1_USER=42 # a seeded, active account; not the host of the events it reads
W3_WRK_USERS=400 # W3's first 400 requesters are wrk's; then pgbench's; the last one probes
RUSH_CONC=${BENCH_RUSH_CONCURRENCY:-64}
RUSH_SERVERS=3
RUSH_WARM=60 # requests per phase that warm the servers up, not measured
GUARD_CLIENTS=${BENCH_GUARD_CLIENTS:-32 8}
GUARD_SECS=${BENCH_GUARD_SECONDS:-10}
PARTS=${BENCH_PARTS:-sqlite pg durable}
has() { [[ " $PARTS " == *" $1 "* ]]; }
# shellcheck source=../scripts/lib/pg.sh
source scripts/lib/pg.sh
OUT=bench/last-run.txt
DOC=docs/benchmarks.md
MARKER='<!-- Everything below this line is written by hand; bench/run.sh keeps it. -->'
tmp=$(mktemp -d /tmp/loopin-bench.XXXXXX)
server_pid=""
servers=() # the durable part's serve processes
secret=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
# PayU's merchant salt for the servers (LOOPIN_PAYU_SALT) and bench/rush.mjs,
# which signs the provider's answers with it; the paid events' ticket price
export BENCH_PAYU_SALT BENCH_PAID_PRICE_MINOR=${BENCH_PAID_PRICE_MINOR:-49900}
BENCH_PAYU_SALT=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
HZ=$(getconf CLK_TCK)
declare -A R # results: R[key] = value

cleanup() {
    if [ -n "$server_pid" ]; then kill -TERM "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; fi
    local p
    for p in "${servers[@]}"; do kill -TERM "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
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
        LOOPIN_MEDIA_DIR="$tmp/media" LOOPIN_OTP_PER_IP_HOUR=100000 LOOPIN_OTP_COOLDOWN_SECONDS=0
        LOOPIN_PAYU_KEY=bench LOOPIN_PAYU_SALT="$BENCH_PAYU_SALT") # PayU, as in production; never called: the paid phases play its part
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
    { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v pm="$pm" '
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

# run_wrk with one connection (and one wrk thread): the latency of a request
# that never queues behind another. Same arguments; the key gets "c1".
run_wrk_c1() {
    local key=$1 label=$2
    shift 2
    WRK_CONNS=1 WRK_THREADS=1 DURATION=$DURATION_C1 run_wrk "${key}c1" "$label (c=1)" "$@"
}

# Sign-up round trips, then wrk on the authenticated profile read.
accounts() { # $1 = label
    local out token
    out=$(node bench/accounts.mjs "$URL" "$tmp/sms.jsonl" 200)
    token=$(tail -n 1 <<<"$out")
    run_wrk "${key_db}_profile" "$1 GET /api/auth/profile" /api/auth/profile "Authorization: Bearer $token"
    run_wrk_c1 "${key_db}_profile" "$1 GET /api/auth/profile" /api/auth/profile "Authorization: Bearer $token"
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

# W3 script: POST a join request, each thread cycling through the target
# events (published, not over) and then its share of W3's 400 wrk requesters
# (tokens; seeded users who have asked for nothing), so no (event, user) pair
# repeats within a run, every request is a new pending request, and requests
# in flight are for different events.
w3_lua() { # ids on stdin -> $tmp/w3.lua; $1 = wrk threads, $2 = first request number
    local threads=${1:-$WRK_THREADS} start=${2:-0}
    {
        echo "local ids = {$(paste -sd, -)}"
        echo "local tokens = {"
        node bench/token.mjs "$secret" $((BENCH_USERS + 1))-$((BENCH_USERS + W3_WRK_USERS)) | sed 's/.*/"&",/'
        echo "}"
        echo "local nthreads = $threads"
        echo "local counter = $start"
        cat <<'LUA'
local body = '{"seats_requested":1}'
local created = 0
function setup(thread)
    thread:set("tid", created)
    created = created + 1
end
function request()
    local per = math.floor(#tokens / nthreads)
    local e = ids[(counter % #ids) + 1]
    local u = tid + nthreads * (math.floor(counter / #ids) % per) + 1
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
    run_wrk_c1 "${key_db}_W1" "$label W1 GET /api/events/{id}" /api/events "Authorization: Bearer $token" "$tmp/w1.lua"
    run_wrk_c1 "${key_db}_W2" "$label W2 GET /api/events?limit=20" "/api/events?limit=20"
}

# One W3 request as W3's last requester (neither wrk's nor pgbench's) on
# event $1: its status code in W3_CODE, the answer in $tmp/w3.json.
w3_probe() {
    local token
    token=$(node bench/token.mjs "$secret" $((BENCH_USERS + BENCH_W3_USERS)))
    W3_CODE=$(curl -s -o "$tmp/w3.json" -w '%{http_code}' -X POST -H "Authorization: Bearer $token" \
        -H 'Content-Type: application/json' -d '{"seats_requested":1}' "$URL/api/events/$1/requests")
}

w3() { # $1 = label, target events in $tmp/w3ids; run last: it writes
    local label=$1 code
    w3_probe "$(tail -n 1 "$tmp/w3ids")"
    code=$W3_CODE
    if [[ $code == 405 ]] || { [[ $code == 404 ]] && grep -Eq '"error_code": ?"NOT_FOUND"' "$tmp/w3.json"; }; then
        echo "W3: not available yet (join requests not built)"
        R[${key_db}_W3.na]=1
        return
    fi
    [[ $code == 201 ]] || echo "WARNING: $label POST /api/events/{id}/requests answered $code: $(cat "$tmp/w3.json")" >&2
    w3_lua <"$tmp/w3ids"
    run_wrk "${key_db}_W3" "$label W3 POST /api/events/{id}/requests" /api/events "" "$tmp/w3.lua"
    # one connection: from the second half of the requesters, whom the run
    # above (a few tens of requests per event) never reaches
    w3_lua 1 $(($(wc -l <"$tmp/w3ids") * W3_WRK_USERS / 2)) <"$tmp/w3ids"
    run_wrk_c1 "${key_db}_W3" "$label W3 POST /api/events/{id}/requests" /api/events "" "$tmp/w3.lua"
}

# ---- PostgreSQL: the same SQL through pgbench ---------------------------------

pgbench_vars() { # -D arguments for bench/pgbench/*.sql
    PGBV=(-D users="$BENCH_USERS" -D events="$BENCH_EVENTS" -D jti=0123456789abcdef0123456789abcdef
        -D t=true -D limit=20 -D offset=0 -D anon=0)
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
# one warm W1 and one warm W2 request (caches filled: the guard's, the
# listing's); sets R[sql.w1] and R[sql.w2].
sql_check() {
    local psql=("$PG_BIN/psql" -q -X "$PG_URL")
    "${psql[@]}" -c "ALTER SYSTEM SET log_min_duration_statement = 0" -c "SELECT pg_reload_conf()" >/dev/null
    sleep 0.3
    local token off w
    token=$(node bench/token.mjs "$secret" "$W1_USER")
    # the first request fills the guard's cache (account, token); W1 runs warm
    curl -s -o /dev/null -H "Authorization: Bearer $token" "$URL/api/events/$(head -n 1 "$tmp/ids")"
    off=$(stat -c %s "$pg_dir/server.log")
    curl -s -o /dev/null -H "Authorization: Bearer $token" "$URL/api/events/$(head -n 1 "$tmp/ids")"
    logged_selects "$off" >"$tmp/server.w1"
    curl -s -o /dev/null "$URL/api/events?limit=20" # the version, total and ids are cached from here on
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

# W3's pgbench variables (bench/pgbench/w3.sql): its own requesters (after
# wrk's, before the probe's) and every event from the first target on (the
# statements do not depend on the event's status); the notification and
# audit texts the server would write for the first target event.
w3_vars() {
    local efirst ecount ucount
    efirst=$(head -n 1 "$tmp/w3ids")
    ecount=$((BENCH_EVENTS - efirst + 1))
    ucount=$((BENCH_W3_USERS - W3_WRK_USERS - 1))
    R[w3.pairs]=$((ucount * ecount))
    PGBV3=(-D k=0 -D clients="$PGB_CLIENTS" -D ufirst=$((BENCH_USERS + W3_WRK_USERS + 1)) -D ucount="$ucount"
        -D efirst="$efirst" -D ecount="$ecount" -D seats=1 -D "now=$(date -u '+%Y-%m-%d %H:%M:%S.000000+00')"
        -D ntype=new_join_request -D "ntitle=New join request" -D rtype=event_request
        -D "nmsg=Someone asked to join 'Bench event $efirst: music, food and friends' (1 seat)."
        -D "nmeta={\"action\": \"requested\", \"event_id\": $efirst, \"request_id\": 50001}"
        -D aaction=event.request.created -D atype=event_request
        -D "apayload={\"seats\": 1, \"event_id\": $efirst}" -D ip=127.0.0.1 -D ua=wrk/4.1.0
        -D reqid=0123456789abcdef0123456789abcdef -D sev=low)
}

# The statements (normalised, BEGIN and COMMIT included) of the transaction
# that inserted a join request, and the account query just before it, from
# byte $1 of PostgreSQL's log on (the job scheduler may use the same pooled
# connection right after).
logged_tx() {
    sleep 0.3
    tail -c +$(($1 + 1)) "$pg_dir/server.log" | awk '
        match($0, /LOG:  duration: [0-9.]* ms  (execute [^:]*|statement): /) {
            pid = $0; sub(/^[^[]*\[/, "", pid); sub(/\].*/, "", pid)
            n++; P[n] = pid; S[n] = substr($0, RSTART + RLENGTH)
            if (S[n] ~ /^INSERT INTO event_requests/) want = pid
        }
        END { # that backend: its transaction, and the account query just before it
            for (i = 1; i <= n; i++) if (P[i] == want) Q[++m] = S[i]
            for (i = 1; i <= m && Q[i] !~ /^INSERT INTO event_requests/; i++);
            for (b = i; b > 1 && Q[b] !~ /^BEGIN/; b--);
            for (e = i; e < m && Q[e] !~ /^COMMIT/; e++);
            if (b > 1 && Q[b - 1] ~ /^SELECT u\.uuid/) b--
            for (i = b; i <= e; i++) print Q[i] }' | sed -E 's/\$[0-9]+/$?/g; s/[; ]+$//'
}

# Checks that bench/pgbench/w3.sql sends what the server sends for one W3
# request (apart from pgbench's uuid statement); sets R[sql.w3].
w3_sql_check() {
    local psql=("$PG_BIN/psql" -q -X "$PG_URL") off
    "${psql[@]}" -c "ALTER SYSTEM SET log_min_duration_statement = 0" -c "SELECT pg_reload_conf()" >/dev/null
    sleep 0.3
    off=$(stat -c %s "$pg_dir/server.log")
    w3_probe "$(head -n 1 "$tmp/w3ids")"
    [[ $W3_CODE == 201 ]] || echo "WARNING: the W3 probe answered $W3_CODE: $(cat "$tmp/w3.json")" >&2
    logged_tx "$off" >"$tmp/server.w3"
    off=$(stat -c %s "$pg_dir/server.log")
    # the last (event, requester) pair: the timed run starts from the first
    "$PG_BIN/pgbench" -n -M prepared -c 1 -t 1 -f bench/pgbench/w3.sql "${PGBV[@]}" "${PGBV3[@]}" \
        -D base=$((${R[w3.pairs]} - 1 - PGB_CLIENTS)) "$PG_URL" >"$tmp/pgb.check" 2>&1 || cat "$tmp/pgb.check" >&2
    logged_tx "$off" | { grep -v 'gen_random_uuid' || true; } >"$tmp/pgbench.w3"
    if [[ -s $tmp/server.w3 ]] && diff -u "$tmp/server.w3" "$tmp/pgbench.w3" >"$tmp/diff.w3"; then
        R[sql.w3]="same statements as the server ($(wc -l <"$tmp/server.w3") per request, BEGIN and COMMIT included), plus pgbench's uuid statement"
    else
        R[sql.w3]="DIFFERS from the server's statements (diff in bench/last-run.txt)"
        echo "WARNING: bench/pgbench/w3.sql differs from what the server sends:" >&2
        cat "$tmp/diff.w3" >&2
        sed 's/^/    /' "$tmp/diff.w3" >>"$tmp/notes"
    fi
    "${psql[@]}" -c "ALTER SYSTEM RESET log_min_duration_statement" -c "SELECT pg_reload_conf()" >/dev/null
}

PGB_HEAD='| pgbench script | tps | latency avg | failed | postgres CPU µs/tx | pgbench CPU µs/tx | machine busy (others) |
|---|---:|---:|---:|---:|---:|---:|'

run_pgbench() { # $1 = key (w1|w2|w3), $2 = label, then more pgbench arguments
    local key=$1 label=$2 a b
    read -ra a <<<"$(cpu_snap)"
    /usr/bin/time -f '%U %S' -o "$tmp/pgb.time" "$PG_BIN/pgbench" -n -M prepared -c "$PGB_CLIENTS" \
        -j "$PGB_JOBS" -T "$SECS" -f "bench/pgbench/$key.sql" "${PGBV[@]}" "${@:3}" "$PG_URL" >"$tmp/pgb.out" 2>&1 ||
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

# ---- durable commits: the seat guards, the rush and the door ---------------------

# Like scripts/lib/pg.sh's pg_start (the same pg_dir and pg_port, so pg_stop,
# pg_ticks and the EXIT trap work), but with durable commits: fsync,
# synchronous_commit and full_page_writes on (PostgreSQL's defaults), data on
# the real disk (the first of /var/tmp and /tmp that is not tmpfs), and the
# time of WAL syncs tracked for pg_stat_wal.
pg_start_durable() {
    local d base=""
    for d in /var/tmp /tmp; do
        if [[ -d $d && -w $d && $(stat -f -c %T "$d") != tmpfs ]]; then base=$d; break; fi
    done
    [[ -n $base ]] || { echo "bench: no directory on a real disk for the durable cluster" >&2; return 1; }
    R[d.disk]="$(df --output=source "$base" | tail -n 1) ($(stat -f -c %T "$base"), $base)"
    pg_dir=$(mktemp -d "$base/loopin-pgd.XXXXXX")
    chown postgres:postgres "$pg_dir"
    chmod 700 "$pg_dir"
    runuser -u postgres -- "$PG_BIN/initdb" -D "$pg_dir/data" -A trust -U postgres -E UTF8 \
        >"$pg_dir/initdb.log" 2>&1 || { cat "$pg_dir/initdb.log" >&2; return 1; }
    pg_port=$(free_port)
    local opts="-p $pg_port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$pg_dir"
    opts+=" -c fsync=on -c synchronous_commit=on -c full_page_writes=on -c max_connections=300"
    opts+=" -c track_wal_io_timing=on"
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -o "$opts" \
        -w -t 60 start >/dev/null || { cat "$pg_dir/server.log" >&2; return 1; }
    export LOOPIN_TEST_PG_ADMIN_URL="postgresql://postgres@127.0.0.1:$pg_port/postgres"
}

# The disk's fsync latency: pg_test_fsync's first group (one 8 kB write,
# then a sync) in the cluster's directory -> R[d.fsync], R[d.fsync.line].
fsync_latency() {
    timeout 8 "$PG_BIN/pg_test_fsync" -s 1 -f "$pg_dir/fsync.test" >"$tmp/fsync.out" 2>&1 || true
    rm -f "$pg_dir/fsync.test"
    local method
    method=$("$PG_BIN/psql" -AtX "$PG_URL" -c "SHOW wal_sync_method")
    R[d.syncmethod]=$method
    R[d.fsync]=$(awk -v m="$method" '$1 == m && /usecs/ { printf "%s %s ops/s, %s µs per 8 kB write + sync", m, $2, $4; exit }' "$tmp/fsync.out")
    R[d.fsync.all]=$(awk '/one 8kB write/ { f = 1; next } f && /usecs/ { printf "%s%s %s µs", s, $1, $4; s = ", " } f && /^$/ { exit }' "$tmp/fsync.out")
}

wal_snap() { # -> "syncs sync_ms bytes fpi"
    "$PG_BIN/psql" -AtX -F' ' "$PG_URL" -c "SELECT wal_sync, wal_sync_time, wal_bytes, wal_fpi FROM pg_stat_wal"
}

# "WAL syncs/s, per item, average sync": $1..$4 = before, $5..$8 = after, $9 = items, $10 = seconds.
wal_cols() {
    awk -v s=$(($5 - $1)) -v ms="$(awk -v a="$2" -v b="$6" 'BEGIN {print b - a}')" -v n="$9" -v t="${10}" 'BEGIN {
        printf "%.0f | %s | %s", (t > 0 ? s / t : 0), (s > 0 ? sprintf("%.2f", n / s) : "-"),
            (s > 0 ? sprintf("%.2f ms", ms / s) : "-") }'
}

GUARD_HEAD='| pgbench script (durable commits, ONE event) | clients | seats/s | latency avg | failed | postgres CPU µs/seat | WAL syncs/s | seats per WAL sync | WAL sync avg | seats by the lock-all path | machine busy (others) |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|'

run_guard() { # $1 = row|buckets, $2 = clients, $3 = label, then more pgbench arguments
    local key=$1 c=$2 label=$3 a b wa wb ua ub
    read -ra a <<<"$(cpu_snap)"
    read -ra wa <<<"$(wal_snap)"
    ua=$(bucket_updates)
    /usr/bin/time -f '%U %S' -o "$tmp/pgb.time" "$PG_BIN/pgbench" -n -M prepared -c "$c" -j 2 \
        -T "$GUARD_SECS" -f "bench/pgbench/guard_$key.sql" "${@:4}" "$PG_URL" >"$tmp/pgb.out" 2>&1 ||
        { cat "$tmp/pgb.out" >&2; return 1; }
    sleep 0.5
    read -ra b <<<"$(cpu_snap)"
    read -ra wb <<<"$(wal_snap)"
    ub=$(bucket_updates)
    local tps n lat failed own row slow="-"
    [[ $key == buckets ]] && slow=$(slow_share $((ub - ua)) "$(awk -F': ' '/number of transactions actually processed/ {split($2, x, "/"); print x[1]}' "$tmp/pgb.out")")
    tps=$(awk '/^tps = / {printf "%.0f", $3; exit}' "$tmp/pgb.out")
    n=$(awk -F': ' '/number of transactions actually processed/ {split($2, x, "/"); print x[1]}' "$tmp/pgb.out")
    lat=$(awk '/latency average/ {print $4 $5}' "$tmp/pgb.out")
    failed=$(awk -F': ' '/number of failed transactions/ {split($2, x, " "); print x[1]}' "$tmp/pgb.out")
    own=$(awk -v hz="$HZ" '{printf "%.0f", ($1 + $2) * hz}' "$tmp/pgb.time")
    row=$(printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |' "$label" "$c" "$tps" "$lat" "${failed:-0}" \
        "$(us_per $((b[1] - a[1])) "$n")" "$(wal_cols "${wa[@]}" "${wb[@]}" "$n" "$GUARD_SECS")" "$slow" \
        "$(busy "${a[@]}" "${b[@]}" "$own")")
    echo "$row"
    echo "$row" >>"$tmp/table.guard"
    R[guard.$key.$c]=$tps
}

# RUSH_SERVERS `loopin serve` processes on database $1 (ports in RUSH_PORTS).
start_servers() {
    local i port
    servers=()
    RUSH_PORTS=""
    loopin_env "$1"
    for ((i = 0; i < RUSH_SERVERS; i++)); do
        port=$(free_port)
        env "${ENVV[@]}" "$BIN" serve --no-migrate --port "$port" >"$tmp/server$i.log" 2>&1 &
        servers+=($!)
        RUSH_PORTS+="${RUSH_PORTS:+,}$port"
        for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
    done
}

# Stops them; DIED = "" or what went wrong ("process 2 died (exit status 134, SIGABRT)").
stop_servers() {
    local i st
    DIED=""
    for i in "${!servers[@]}"; do
        if kill -0 "${servers[$i]}" 2>/dev/null; then
            kill -TERM "${servers[$i]}"
            wait "${servers[$i]}" 2>/dev/null || true
        else
            st=0
            wait "${servers[$i]}" 2>/dev/null || st=$?
            DIED+="${DIED:+; }process $((i + 1)) died (exit status $st$( ((st == 134)) && echo ", SIGABRT"))"
        fi
    done
    servers=()
}

rush_died() { # $1 = phase: notes a serve process that died during it
    [[ -z $DIED ]] && return 0
    echo "WARNING: $1: $DIED" >&2
    tail -n 3 "$tmp"/server[0-9].log >&2 || true
    echo "$1: serve processes died: $DIED" >>"$tmp/$RUSH_TABLE.notes"
}

servers_ticks() {
    local p t=0
    for p in "${servers[@]}"; do t=$((t + $(proc_ticks "$p"))); done
    echo "$t"
}

RUSH_HEAD='| phase (3 servers, durable commits, ONE event) | requests | successes | other answers | seconds | successes/s | p50 | p99 | servers CPU µs/req | postgres CPU µs/req | client CPU µs/req | WAL syncs/s | requests per WAL sync | WAL sync avg | seats by the lock-all path | machine busy (others) |
|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|'

# Rows of event_seat_buckets updated so far (committed statistics). seat_take
# updates one row on its fast path and all 8 when it locks every bucket, so
# (updates - seats) / 7 seats went the slow way.
bucket_updates() {
    "$PG_BIN/psql" -AtX "$PG_URL" -c "SELECT n_tup_upd FROM pg_stat_user_tables WHERE relname = 'event_seat_buckets'"
}
slow_share() { # $1 = bucket row updates, $2 = seats taken
    awk -v u="$1" -v n="$2" 'BEGIN { if (n > 0) printf "%.0f%%", 100 * (u - n) / 7 / n; else print "-" }'
}

# One phase: $1 = key, $2 = label, $3 = database url, $4 = a bench/rush.mjs
# mode (confirm|checkin|pay|orders|callbacks), $5 = event, $6 = concurrency,
# $7 = its file (confirm, pay, orders: written; checkin, callbacks: read),
# $8 = the measured users (confirm, pay, orders: first-last), the host
# (checkin) or - (callbacks), $9 = the warm-up: users first-last (confirm,
# pay, orders) or a file (checkin: tickets, callbacks: orders). The row goes
# to $tmp/table.$RUSH_TABLE (rush; paid for the paid phases).
# Starts the serve processes, warms them up (RUSH_WARM requests, 24 at a
# time, so every pooled connection has prepared its statements and compiled
# the triggers' functions; not measured), waits until the backends have
# reported the warm-up's statistics, runs the measured requests, and stops
# the processes (their backends then report their statistics at once), so
# the CPU, WAL and bucket figures cover exactly the measured requests. Sets R[$1.ok], R[$1.warm]
# (the warm-up's successes), R[$1.rate], R[$1.n], R[$1.p50], R[$1.p99],
# R[$1.cpu], and DIED; rush.mjs's answer stays in $tmp/answer.$1.json.
RUSH_TABLE=rush
run_rush() {
    local key=$1 label=$2 a b wa wb ua ub sticks
    start_servers "$3"
    case $4 in
    confirm | pay | orders)
        node bench/rush.mjs "$4" "$RUSH_PORTS" "$5" "$secret" "$9" 24 "$7.warm" >"$tmp/warm.json" ;;
    *) node bench/rush.mjs "$4" "$RUSH_PORTS" "$5" "$secret" "$8" 24 "$9" >"$tmp/warm.json" ;;
    esac
    R[$key.warm]=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).ok)' "$tmp/warm.json")
    sleep 11 # an idle backend reports the warm-up's statistics within 10 s (PGSTAT_IDLE_INTERVAL)
    a=("$(servers_ticks)" "$(pg_ticks)" $(machine_ticks))
    read -ra wa <<<"$(wal_snap)"
    ua=$(bucket_updates)
    if ! node bench/rush.mjs "$4" "$RUSH_PORTS" "$5" "$secret" "$8" "$6" "$7" >"$tmp/rush.json" 2>"$tmp/rush.err"; then
        cat "$tmp/rush.err" >&2
        stop_servers
        echo "| $label | failed: $(head -c 200 "$tmp/rush.err" | tr '\n|' '  ') |||||||||||||||" | tee -a "$tmp/table.$RUSH_TABLE"
        return 0
    fi
    sticks=$(servers_ticks)
    b=("$sticks" 0 $(machine_ticks))
    stop_servers
    sleep 0.5
    b[1]=$(pg_ticks)
    read -ra wb <<<"$(wal_snap)"
    ub=$(bucket_updates)
    local n ok other secs rate p50 p99 cpu seats
    read -r n ok secs rate p50 p99 cpu seats other < <(node -e '
        const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
        const good = j.good ?? ["200", "ok"];
        const other = Object.entries(j.outcome).filter(([k]) => !good.includes(k))
            .map(([k, v]) => `${v} ${k}`).join(", ") || "0";
        console.log(j.requests, j.ok, j.seconds, j.per_second, j.p50_ms, j.p99_ms, j.client_cpu_s, j.seats ?? 0, other);' "$tmp/rush.json")
    cp "$tmp/rush.json" "$tmp/answer.$key.json"
    local own row
    own=$(awk -v c="$cpu" -v hz="$HZ" 'BEGIN {printf "%.0f", c * hz}')
    # Bucket rows a seat updates on the fast path: one for a confirmation (the
    # take); two for a payment (its reservation's held seat released, then
    # the attendee's seat taken). seat_release's slow path updates one row
    # too, so only the takes' lock-all path shows here.
    [[ $4 == pay || $4 == callbacks ]] && ub=$((ub - seats))
    row=$(printf '| %s | %s | %s | %s | %s | %s | %sms | %sms | %s | %s | %s | %s | %s | %s |' "$label" "$n" "$ok" \
        "$other" "$secs" "$rate" "$p50" "$p99" "$(us_per $((b[0] - a[0])) "$n")" \
        "$(us_per $((b[1] - a[1])) "$n")" "$(us_per "$own" "$n")" \
        "$(wal_cols "${wa[@]}" "${wb[@]}" "$n" "$secs")" "$(slow_share $((ub - ua)) "$seats")" \
        "$(busy "${a[@]}" "${b[@]}" "$own")")
    echo "$row"
    echo "$row" >>"$tmp/table.$RUSH_TABLE"
    R[$key.n]=$n R[$key.ok]=$ok R[$key.rate]=$rate R[$key.p50]=$p50 R[$key.p99]=$p99
    R[$key.cpu]=$(us_per $((b[0] - a[0] + b[1] - a[1] + own)) "$n")
    R[$key.pgcpu]=$(us_per $((b[1] - a[1])) "$n")
}

# "X µs ... at most Y/s": the CPU one request costs (servers + PostgreSQL +
# client) and the rate that would fill every core with it. $1 = key.
ceiling() {
    awk -v c="${R[$1.cpu]:-0}" -v n="$(nproc)" 'BEGIN {
        if (c > 0) printf "%s µs of CPU (servers + PostgreSQL + client), so at most %.0f/s on %d cores", c, n * 1e6 / c, n
        else print "-" }'
}

# Zero oversell on event $1 after a rush with $2 answers 200: the buckets'
# seats = the 200s = the attendees' seats <= max_capacity. Sets R[$3].
oversell_check() {
    local taken going cap verdict
    read -r taken going cap < <("$PG_BIN/psql" -AtX -F' ' "$PG_URL" -c "SELECT
        (SELECT COALESCE(SUM(taken), 0) FROM event_seat_buckets WHERE event_id = $1),
        (SELECT COALESCE(SUM(seats), 0) FROM event_attendees WHERE event_id = $1 AND status IN ('going', 'checked_in')),
        (SELECT max_capacity FROM events WHERE id = $1)")
    if ((taken == $2 && going == $2 && (cap == 0 || taken <= cap))); then
        verdict="zero oversell"
    else
        verdict="**MISMATCH**"
        echo "WARNING: event $1: buckets $taken, answers 200 $2, attendees' seats $going, max_capacity $cap" >&2
    fi
    R[$3]="$verdict: seats in the buckets $taken = answers 200 $2 = attendees' seats $going, max_capacity $cap"
    echo "event $1: ${R[$3]}"
}

# ---- the rush's and the door's statements through pgbench -------------------------

# bench/pgbench/confirm.sql and checkin.sql run what a warm server sends per
# confirmation and per check-in, on the same durable cluster, on event
# 'pgconf' (BENCH_EVENTS + 8, bench/seed.sql.sh pg-rush), whose accepted
# requesters are users 2..BENCH_USERS: persons n = 0.. are users 2 + n; the
# last three are the statement check's (two through the server, one through
# pgbench), the others the timed runs'.
DOOR_CLIENTS=${BENCH_DOOR_CLIENTS:-12 32} # 12: the rush's 3 servers x 4 pooled connections

DOOR_HEAD='| pgbench script (durable commits, ONE event) | clients | transactions | transactions/s | latency avg | failed | postgres CPU µs/tx | pgbench CPU µs/tx | WAL syncs/s | transactions per WAL sync | WAL sync avg | machine busy (others) |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|'

door_vars() { # $1 = the event; sets DOORV (both scripts' -D arguments)
    DOORV=(-D k=0 -D eid="$1" -D ufirst=2 -D jti=0123456789abcdef0123456789abcdef -D seats=1 -D f=false
        -D t=true -D zero=0 -D unpaid=unpaid -D "now=$(date -u '+%Y-%m-%d %H:%M:%S.000000+00')"
        -D ntype=ticket_confirmed -D "ntitle=Ticket Confirmed: Bench hot event pgconf" -D rtype=attendance
        -D "nmsg=You're going to 'Bench hot event pgconf' (1 seat)."
        -D "nmeta={\"event_id\":$1,\"ticket_id\":1}" -D aaction=event.attendance.confirmed -D atype=event
        -D "apayload={\"seats\":1,\"ticket_id\":1}" -D ip=127.0.0.1 -D ua=node
        -D reqid=0123456789abcdef0123456789abcdef -D sev=low
        -D host=1 -D act=check_in -D src=online -D accepted=accepted)
}

# The statements (normalised: $n -> $?, the parameters bound NULL written
# NULL, BEGIN and COMMIT included) of the transaction whose statement
# matches $2, from byte $1 of PostgreSQL's log on: that backend's statements
# from its BEGIN to its COMMIT, with the one just before the BEGIN if it
# matches $3 and the one just after the COMMIT if it matches $4.
door_tx() {
    sleep 0.3
    tail -c +$(($1 + 1)) "$pg_dir/server.log" | awk -v mark="$2" -v pre="$3" -v post="$4" '
        function pid_of(s) { sub(/^[^[]*\[/, "", s); sub(/\].*/, "", s); return s }
        function nullify(s, k,   out, pat, i, c) { # $k -> NULL (not $k0..$k9)
            pat = "$" k; out = ""
            while ((i = index(s, pat)) > 0) {
                c = substr(s, i + length(pat), 1)
                if (c ~ /[0-9]/) out = out substr(s, 1, i + length(pat) - 1)
                else out = out substr(s, 1, i - 1) "NULL"
                s = substr(s, i + length(pat))
            }
            return out s
        }
        match($0, /LOG:  duration: [0-9.]* ms  (execute [^:]*|statement): /) {
            pid = pid_of($0); n++; P[n] = pid; S[n] = substr($0, RSTART + RLENGTH); last[pid] = n
            if (want == "" && S[n] ~ mark) want = pid
            next
        }
        / LOG:  / { last[pid_of($0)] = 0; next } # parse, bind: their DETAIL is not for an execute
        /DETAIL:  parameters: / {
            pid = pid_of($0); if (!last[pid]) next
            d = $0; i = last[pid]
            while (match(d, /\$[0-9]+ = NULL(,|$)/)) {
                k = substr(d, RSTART + 1); sub(/ .*/, "", k)
                S[i] = nullify(S[i], k); d = substr(d, RSTART + RLENGTH)
            }
        }
        END {
            for (i = 1; i <= n; i++) if (P[i] == want) Q[++m] = S[i]
            for (i = 1; i <= m && Q[i] !~ mark; i++);
            for (b = i; b > 1 && Q[b] !~ /^BEGIN/; b--);
            for (e = i; e < m && Q[e] !~ /^COMMIT/; e++);
            if (b > 1 && Q[b - 1] ~ pre) b--
            if (e < m && Q[e + 1] ~ post) e++
            for (i = b; i <= e; i++) print Q[i] }' | sed -E 's/\$[0-9]+/$?/g; s/[; ]+$//'
}

# Checks that confirm.sql and checkin.sql send what the server sends for a
# warm confirmation and a warm check-in (one serve process: the first of
# each prepares the statements and fills the guard's cache with the host;
# the second is compared); sets R[sql.confirm], R[sql.checkin]. $1 = event,
# $2 = persons.
door_sql_check() {
    local ev=$1 m=$2 psql=("$PG_BIN/psql" -q -X "$PG_URL") off u key port rid
    "${psql[@]}" -c "ALTER SYSTEM SET log_min_duration_statement = 0" -c "SELECT pg_reload_conf()" >/dev/null
    sleep 0.3
    start_server "$PG_URL"
    port=${URL##*:}
    for u in $((m - 1)) "$m"; do # persons m-3, m-2 (users m-1, m)
        off=$(stat -c %s "$pg_dir/server.log")
        node bench/rush.mjs confirm "$port" "$ev" "$secret" "$u-$u" 1 "$tmp/door.ticket.$u" >/dev/null
        door_tx "$off" '^INSERT INTO attendance_records' '^SELECT u\.uuid' '^SELECT r\.id, r\.event_id' >"$tmp/server.confirm"
    done
    for u in $((m - 1)) "$m"; do
        off=$(stat -c %s "$pg_dir/server.log")
        node bench/rush.mjs checkin "$port" "$ev" "$secret" 1 1 "$tmp/door.ticket.$u" >/dev/null
        door_tx "$off" '^INSERT INTO ticket_scans' '^SELECT id, uuid, canonical_id' '^$' >"$tmp/server.checkin"
    done
    stop_server
    # pgbench: person m-1 (user m + 1) confirms, then that ticket is checked in
    off=$(stat -c %s "$pg_dir/server.log")
    "$PG_BIN/pgbench" -n -M prepared -c 1 -t 1 -f bench/pgbench/confirm.sql "${DOORV[@]}" -D clients=1 \
        -D base=$((m - 1)) "$PG_URL" >"$tmp/pgb.check" 2>&1 || cat "$tmp/pgb.check" >&2
    door_tx "$off" '^INSERT INTO attendance_records' '^SELECT u\.uuid' '^SELECT r\.id, r\.event_id' |
        { grep -v 'gen_random_uuid' || true; } >"$tmp/pgbench.confirm"
    rid=$("$PG_BIN/psql" -AtX "$PG_URL" -c "SELECT id FROM attendance_records WHERE event_id = $ev AND user_id = $((m + 1))")
    off=$(stat -c %s "$pg_dir/server.log")
    "$PG_BIN/pgbench" -n -M prepared -c 1 -t 1 -f bench/pgbench/checkin.sql "${DOORV[@]}" -D clients=1 \
        -D base=0 -D rfirst="${rid:-0}" "$PG_URL" >"$tmp/pgb.check" 2>&1 || cat "$tmp/pgb.check" >&2
    door_tx "$off" '^INSERT INTO ticket_scans' '^SELECT id, uuid, canonical_id' '^$' |
        { grep -v 'gen_random_uuid' || true; } >"$tmp/pgbench.checkin"
    "${psql[@]}" -c "ALTER SYSTEM RESET log_min_duration_statement" -c "SELECT pg_reload_conf()" >/dev/null
    [[ $("$PG_BIN/psql" -AtX "$PG_URL" -c "SELECT count(*) FROM attendance_records WHERE event_id = $ev AND status = 'checked_in'") == 3 ]] ||
        echo "WARNING: the statement check's three tickets on event $ev are not all checked in" >&2
    for key in confirm checkin; do
        if [[ -s $tmp/server.$key ]] && diff -u "$tmp/server.$key" "$tmp/pgbench.$key" >"$tmp/diff.$key"; then
            R[sql.$key]="same statements as the server ($(wc -l <"$tmp/server.$key") per request, BEGIN and COMMIT included), plus pgbench's uuid statement"
        else
            R[sql.$key]="DIFFERS from the server's statements (diff in bench/last-run.txt)"
            echo "WARNING: bench/pgbench/$key.sql differs from what the server sends:" >&2
            cat "$tmp/diff.$key" >&2
            sed 's/^/    /' "$tmp/diff.$key" >>"$tmp/notes"
        fi
        echo "bench/pgbench/$key.sql: ${R[sql.$key]}" | tee -a "$tmp/door.notes"
    done
}

# One timed run: $1 = confirm|checkin, $2 = clients, $3 = transactions per
# client, $4 = label, then more pgbench arguments. Sets R[pgb.$1.$2],
# R[pgb.$1.$2.cpu] (postgres + pgbench), R[pgb.$1.$2.pgcpu] (postgres).
run_door() {
    local key=$1 c=$2 t=$3 label=$4 a b wa wb
    read -ra a <<<"$(cpu_snap)"
    read -ra wa <<<"$(wal_snap)"
    /usr/bin/time -f '%U %S %e' -o "$tmp/pgb.time" "$PG_BIN/pgbench" -n -M prepared -c "$c" -j 2 -t "$t" \
        -f "bench/pgbench/$key.sql" "${DOORV[@]}" -D clients="$c" "${@:5}" "$PG_URL" >"$tmp/pgb.out" 2>&1 ||
        { cat "$tmp/pgb.out" >&2; return 1; }
    sleep 0.5
    read -ra b <<<"$(cpu_snap)"
    read -ra wb <<<"$(wal_snap)"
    local tps n lat failed own secs row
    tps=$(awk '/^tps = / {printf "%.0f", $3; exit}' "$tmp/pgb.out")
    n=$(awk -F': ' '/number of transactions actually processed/ {split($2, x, "/"); print x[1]}' "$tmp/pgb.out")
    lat=$(awk '/latency average/ {print $4 $5}' "$tmp/pgb.out")
    failed=$(awk -F': ' '/number of failed transactions/ {split($2, x, " "); print x[1]}' "$tmp/pgb.out")
    own=$(awk -v hz="$HZ" '{printf "%.0f", ($1 + $2) * hz}' "$tmp/pgb.time")
    secs=$(awk -v n="$n" -v r="$tps" 'BEGIN { if (r > 0) printf "%.2f", n / r; else print 0 }')
    row=$(printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |' "$label" "$c" "$n" "$tps" "$lat" "${failed:-0}" \
        "$(us_per $((b[1] - a[1])) "$n")" "$(us_per "$own" "$n")" "$(wal_cols "${wa[@]}" "${wb[@]}" "$n" "$secs")" \
        "$(busy "${a[@]}" "${b[@]}" "$own")")
    echo "$row"
    echo "$row" >>"$tmp/table.door"
    R[pgb.$key.$c]=$tps
    R[pgb.$key.$c.cpu]=$(us_per $((b[1] - a[1] + own)) "$n")
    R[pgb.$key.$c.pgcpu]=$(us_per $((b[1] - a[1])) "$n")
}

# The HTTP phase $1 (rush|door) against pgbench's $2 (confirm|checkin): a line of $tmp/door.ratio.
door_ratio() {
    local c line="" what=confirmations
    [[ $2 == checkin ]] && what=check-ins
    for c in $DOOR_CLIENTS; do
        line+="${line:+; }$(ratio "${R[$1.rate]:-0}" "${R[pgb.$2.$c]:-0}") of $2.sql at $c clients (${R[pgb.$2.$c]:--}/s;"
        line+=" ${R[pgb.$2.$c.cpu]:--} µs of CPU per transaction, PostgreSQL ${R[pgb.$2.$c.pgcpu]:--} + pgbench)"
    done
    echo "- $what over HTTP (3 servers): ${R[$1.rate]:--}/s (${R[$1.cpu]:--} µs of CPU per request, PostgreSQL ${R[$1.pgcpu]:--} + servers + client) = $line" |
        tee -a "$tmp/door.ratio"
}

# The timed runs: confirmations, then each of their tickets checked in once.
door_phases() {
    local ev=$((BENCH_EVENTS + 8)) m=$((BENCH_USERS - 1)) avail base c t lo hi cnt nconf
    door_vars "$ev"
    : >"$tmp/table.door"
    : >"$tmp/door.notes"
    : >"$tmp/door.ratio"
    echo
    door_sql_check "$ev" "$m"
    echo
    echo "$DOOR_HEAD"
    avail=$((m - 3)) base=0
    sleep 11 # as before each HTTP phase's measured part: the statistics reported, autovacuum's turn
    for c in $DOOR_CLIENTS; do # the persons: half for the first run, the rest for the second
        if [[ $base == 0 ]]; then t=$((avail / 2 / c)); else t=$(((avail - base) / c)); fi
        ((t > 0)) || { echo "WARNING: too few users (BENCH_USERS) for confirm.sql at $c clients" >&2; continue; }
        run_door confirm "$c" "$t" "confirm-attendance's statements (confirm.sql)" -D base="$base"
        base=$((base + t * c))
    done
    nconf=$base
    read -r lo hi cnt < <("$PG_BIN/psql" -AtX -F' ' "$PG_URL" -c "SELECT min(id), max(id), count(*)
        FROM attendance_records WHERE event_id = $ev AND user_id BETWEEN 2 AND $((base + 1))")
    if [[ -z $lo || $((hi - lo + 1)) != "$cnt" || $cnt != "$base" ]]; then
        echo "WARNING: confirm.sql's tickets on event $ev: ids $lo..$hi, $cnt of them for $base transactions; no check-in runs" >&2
        echo "confirm.sql's tickets are not $base consecutive rows (ids $lo..$hi, $cnt rows): no check-in runs" >>"$tmp/door.notes"
    else
        base=0
        sleep 11
        for c in $DOOR_CLIENTS; do
            if [[ $base == 0 ]]; then t=$((cnt / 2 / c)); else t=$(((cnt - base) / c)); fi
            ((t > 0)) || continue
            run_door checkin "$c" "$t" "check-in's statements (checkin.sql), each ticket once" -D base="$base" -D rfirst="$lo"
            base=$((base + t * c))
        done
        cnt=$("$PG_BIN/psql" -AtX "$PG_URL" -c "SELECT count(*) FROM attendance_records WHERE event_id = $ev AND status = 'checked_in'")
        echo "check-ins: $cnt tickets of event $ev checked in (3 by the statement check, $base by pgbench)" >>"$tmp/door.notes"
    fi
    local seats
    seats=$("$PG_BIN/psql" -AtX "$PG_URL" -c "SELECT (SELECT SUM(taken) FROM event_seat_buckets WHERE event_id = $ev)
        || ' seats in the buckets, ' || (SELECT count(*) FROM event_attendees WHERE event_id = $ev AND status = 'going') || ' attendees'")
    echo "event $ev: $seats after $((nconf + 3)) confirmations (3 by the statement check)" >>"$tmp/door.notes"
    echo
    door_ratio rush confirm
    door_ratio door checkin
    cat "$tmp/door.notes"
}

# The durable part: its own cluster, the same data set plus the hot events.
durable() {
    key_db=durable
    local t0
    pg_start_durable
    "$PG_BIN/psql" -q "$LOOPIN_TEST_PG_ADMIN_URL" -c 'CREATE DATABASE loopin_bench'
    PG_URL="postgresql://postgres@127.0.0.1:$pg_port/loopin_bench"
    migrate "$PG_URL"
    t0=$(now)
    seed pg "$PG_URL" >/dev/null
    bash bench/seed.sql.sh pg-rush | "$PG_BIN/psql" -q -X -v ON_ERROR_STOP=1 "$PG_URL" >/dev/null
    "$PG_BIN/psql" -qX "$PG_URL" -c CHECKPOINT
    R[seed.durable]=$(awk -v a="$t0" -v b="$(now)" 'BEGIN {printf "%.1f", b - a}')
    fsync_latency
    echo
    echo "Durable PostgreSQL: fsync=$("$PG_BIN/psql" -AtX "$PG_URL" -c 'SHOW fsync')," \
        "synchronous_commit=$("$PG_BIN/psql" -AtX "$PG_URL" -c 'SHOW synchronous_commit'), data on ${R[d.disk]};" \
        "seeded (the data set and pg-rush) in ${R[seed.durable]} s"
    echo "pg_test_fsync (one 8 kB write): ${R[d.fsync.all]}"
    if has durable; then
        free_phases
    fi
    paid_phases
    pg_stop
}

# The seat guards under pgbench, then the free rush, the door and the sell-out.
free_phases() {
    local ubase=$((BENCH_USERS + BENCH_W3_USERS)) c
    local rush_event=$((BENCH_EVENTS + 1)) sell_event=$((BENCH_EVENTS + 2)) guard_event=$((BENCH_EVENTS + 3))
    echo
    echo "$GUARD_HEAD"
    : >"$tmp/table.guard"
    for c in $GUARD_CLIENTS; do
        run_guard row "$c" "single row: UPDATE ... WHERE taken + 1 <= capacity (guard_row.sql)"
        run_guard buckets "$c" "8 buckets: SELECT seat_take(event, 1) (guard_buckets.sql)" -D event="$guard_event"
    done
    : >"$tmp/guard.ratio"
    for c in $GUARD_CLIENTS; do
        echo "- $c clients: buckets ${R[guard.buckets.$c]} seats/s / single row ${R[guard.row.$c]} seats/s = $(ratio "${R[guard.buckets.$c]}" "${R[guard.row.$c]}")" | tee -a "$tmp/guard.ratio"
    done
    echo
    echo "$RUSH_HEAD"
    : >"$tmp/table.rush"
    : >"$tmp/rush.notes"
    local warm="$((ubase + 1))-$((ubase + RUSH_WARM))" cap solo=$((BENCH_EVENTS + 4))
    local who="$((ubase + RUSH_WARM + 1))-$((ubase + BENCH_RUSH_USERS))"
    run_rush solo "confirm-attendance one at a time, $((BENCH_RUSH_SOLO - RUSH_WARM)) people (no contention)" "$PG_URL" \
        confirm "$solo" 1 "$tmp/tickets.solo" "$((ubase + RUSH_WARM + 1))-$((ubase + BENCH_RUSH_SOLO))" "$warm"
    rush_died solo
    run_rush solodoor "check-in one at a time, those tickets" "$PG_URL" \
        checkin "$solo" 1 "$tmp/tickets.solo" 1 "$tmp/tickets.solo.warm"
    rush_died solodoor
    echo "without contention, one confirmation costs $(ceiling solo); one check-in $(ceiling solodoor)" >>"$tmp/rush.notes"
    cap=$("$PG_BIN/psql" -AtX "$PG_URL" -c "SELECT max_capacity FROM events WHERE id = $rush_event")
    run_rush rush "confirm-attendance, $((BENCH_RUSH_USERS - RUSH_WARM)) people at once, max_capacity $cap" "$PG_URL" \
        confirm "$rush_event" "$RUSH_CONC" "$tmp/tickets" "$who" "$warm"
    rush_died rush
    oversell_check "$rush_event" $((${R[rush.ok]} + ${R[rush.warm]})) rush.check >>"$tmp/rush.notes"
    run_rush door "check-in by the host, each of those tickets once" "$PG_URL" \
        checkin "$rush_event" "$RUSH_CONC" "$tmp/tickets" 1 "$tmp/tickets.warm"
    rush_died door
    R[door.check]=$("$PG_BIN/psql" -AtX "$PG_URL" -c "SELECT count(*) FROM attendance_records WHERE event_id = $rush_event AND status = 'checked_in'")
    local nt
    nt=$(cat "$tmp/tickets" "$tmp/tickets.warm" | wc -l)
    echo "check-ins: ${R[door.ok]:-0} + ${R[door.warm]:-0} (warm-up) answers ok for $nt tickets, ${R[door.check]} tickets checked in" >>"$tmp/rush.notes"
    cap=$("$PG_BIN/psql" -AtX "$PG_URL" -c "SELECT max_capacity FROM events WHERE id = $sell_event")
    run_rush sell "sell-out: the same people at once, max_capacity $cap ($RUSH_WARM taken by the warm-up)" "$PG_URL" \
        confirm "$sell_event" "$RUSH_CONC" "$tmp/tickets.sell" "$who" "$warm"
    rush_died sell
    oversell_check "$sell_event" $((${R[sell.ok]} + ${R[sell.warm]})) sell.check >>"$tmp/rush.notes"
    echo
    cat "$tmp/rush.notes"
    door_phases
}

# ---- paid admission (issue 10): purchases and PayU callbacks ----------------------

PAID_HEAD='| phase (3 servers, durable commits, ONE paid event) | items | successes | other answers | seconds | successes/s | p50 | p99 | servers CPU µs/item | postgres CPU µs/item | client CPU µs/item | WAL syncs/s | items per WAL sync | WAL sync avg | seats by the lock-all path | machine busy (others) |
|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|'

q1() { "$PG_BIN/psql" -AtX -F' ' "$PG_URL" -c "$1"; }

# Paid admission on event $1 after $2 successes (purchases answered "Payment
# successful", or orders that the callbacks must all have paid): each paid
# order has exactly one ticket and one payment transaction and consumed its
# reservation, and no order is left unpaid; the buckets hold the attendees'
# seats plus the live reservations' (taken) and the reservations' alone
# (held), and taken <= max_capacity. Sets R[$3].
paid_check() {
    local paid unpaid tickets torders going txns consumed live taken held cap verdict
    read -r paid unpaid tickets torders going txns consumed live taken held cap < <(q1 "SELECT
        (SELECT count(*) FROM payment_orders WHERE event_id = $1 AND status = 'paid'),
        (SELECT count(*) FROM payment_orders WHERE event_id = $1 AND status <> 'paid'),
        (SELECT count(*) FROM attendance_records WHERE event_id = $1 AND payment_order_id IS NOT NULL),
        (SELECT count(DISTINCT payment_order_id) FROM attendance_records WHERE event_id = $1),
        (SELECT COALESCE(SUM(seats), 0) FROM event_attendees WHERE event_id = $1 AND status IN ('going', 'checked_in')),
        (SELECT count(*) FROM payment_transactions t JOIN payment_orders o ON o.id = t.payment_order_id WHERE o.event_id = $1),
        (SELECT count(*) FROM capacity_reservations WHERE event_id = $1 AND consumed),
        (SELECT COALESCE(SUM(seats_reserved), 0) FROM capacity_reservations WHERE event_id = $1 AND NOT consumed AND released_at IS NULL),
        (SELECT SUM(taken) FROM event_seat_buckets WHERE event_id = $1),
        (SELECT SUM(held) FROM event_seat_buckets WHERE event_id = $1),
        (SELECT max_capacity FROM events WHERE id = $1)")
    if ((paid == $2 && unpaid == 0 && tickets == paid && torders == paid && going == paid && txns == paid &&
        consumed == paid && taken == going + live && held == live && taken <= cap)); then
        verdict="exactly once, zero oversell"
    else
        verdict="**MISMATCH**"
        echo "WARNING: paid event $1 does not add up (successes $2)" >&2
    fi
    R[$3]="$verdict: $2 successes = $paid paid orders ($unpaid others) = $tickets tickets for $torders orders = attendees' seats $going = $txns payment transactions = $consumed reservations consumed; buckets: taken $taken = $going + $live still held, held $held, max_capacity $cap"
    echo "event $1: ${R[$3]}"
}

# The stored callbacks of event $1's orders after each was delivered 3
# times (two distinct bodies: a byte-identical redelivery is recognised by
# its SHA-256 and not stored again): 2 rows per order, every one processed
# with a valid signature and no refusal. Sets R[$2].
webhooks_check() {
    local orders rows processed valid refused verdict
    read -r orders rows processed valid refused < <(q1 "SELECT
        (SELECT count(*) FROM payment_orders WHERE event_id = $1),
        count(*), count(*) FILTER (WHERE processed), count(*) FILTER (WHERE signature_valid),
        count(*) FILTER (WHERE processing_error <> '')
        FROM payment_webhooks w JOIN payment_orders o ON o.id = w.payment_order_id WHERE o.event_id = $1")
    if ((rows == 2 * orders && processed == rows && valid == rows && refused == 0)); then
        verdict="every distinct callback stored"
    else
        verdict="**MISMATCH**"
        echo "WARNING: event $1: stored callbacks do not add up" >&2
    fi
    R[$2]="$verdict: $rows rows in payment_webhooks for $orders orders (2 distinct bodies each), $processed processed, $valid with a valid signature, $refused refused"
    echo "event $1: ${R[$2]}"
}

# Lines of the serve processes' logs (this phase's) that report a failed
# request (5xx), and PostgreSQL's log lines since byte $2 that report an
# ERROR or a deadlock; a note for phase $1 when there are any.
paid_errors() {
    local failed pgerr dead
    failed=$(cat "$tmp"/server[0-9].log 2>/dev/null | grep -c '"request failed"' || true)
    pgerr=$(tail -c +$(($2 + 1)) "$pg_dir/server.log" | grep -c 'ERROR:' || true)
    dead=$(tail -c +$(($2 + 1)) "$pg_dir/server.log" | grep -c 'deadlock detected' || true)
    if ((failed + pgerr > 0)); then
        echo "$1: $failed failed requests (5xx) in the servers' logs; PostgreSQL logged $pgerr ERRORs ($dead deadlocks, retried by the server)" >>"$tmp/paid.notes"
        tail -c +$(($2 + 1)) "$pg_dir/server.log" | grep 'ERROR:' | sort | uniq -c | sort -rn | head -n 3 >&2 || true
    fi
}

# Purchases one at a time and at once, then orders and their callbacks apart.
paid_phases() {
    local ubase=$((BENCH_USERS + BENCH_W3_USERS)) off cap
    local paid_event=$((BENCH_EVENTS + 5)) cb_event=$((BENCH_EVENTS + 6)) solo=$((BENCH_EVENTS + 7))
    local warm="$((ubase + 1))-$((ubase + RUSH_WARM))"
    local who="$((ubase + RUSH_WARM + 1))-$((ubase + BENCH_RUSH_USERS))" n=$((BENCH_RUSH_USERS - RUSH_WARM))
    RUSH_TABLE=paid
    : >"$tmp/table.paid"
    : >"$tmp/paid.notes"
    echo
    echo "$PAID_HEAD"
    off=$(stat -c %s "$pg_dir/server.log")
    run_rush paidsolo "purchase one at a time, $((BENCH_RUSH_SOLO - RUSH_WARM)) buyers (no contention; item: the order + its callback)" \
        "$PG_URL" pay "$solo" 1 "$tmp/paid.solo" "$((ubase + RUSH_WARM + 1))-$((ubase + BENCH_RUSH_SOLO))" "$warm"
    rush_died paidsolo
    paid_errors paidsolo "$off"
    paid_check "$solo" $((${R[paidsolo.ok]} + ${R[paidsolo.warm]})) paidsolo.check >>"$tmp/paid.notes"
    echo "without contention, one purchase costs $(ceiling paidsolo)" >>"$tmp/paid.notes"
    off=$(stat -c %s "$pg_dir/server.log")
    cap=$(q1 "SELECT max_capacity FROM events WHERE id = $paid_event")
    run_rush paid "purchase: order + PayU success callback (surl), $n buyers at once, max_capacity $cap, $BENCH_RUSH_USERS seats held" \
        "$PG_URL" pay "$paid_event" "$RUSH_CONC" "$tmp/paid" "$who" "$warm"
    rush_died paid
    paid_errors paid "$off"
    paid_check "$paid_event" $((${R[paid.ok]} + ${R[paid.warm]})) paid.check >>"$tmp/paid.notes"
    # shellcheck disable=SC2016 # JavaScript template strings
    node -e 'const p = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).parts;
        console.log(`purchases at once: the order answered in ${p.order.p50_ms} ms (p50), ${p.order.p99_ms} ms (p99); the callback in ${p.callback.p50_ms} ms, ${p.callback.p99_ms} ms`)' \
        "$tmp/answer.paid.json" >>"$tmp/paid.notes"
    off=$(stat -c %s "$pg_dir/server.log")
    run_rush orders "POST /api/payments/orders alone, $n buyers at once (item: an order)" \
        "$PG_URL" orders "$cb_event" "$RUSH_CONC" "$tmp/orders" "$who" "$warm"
    rush_died orders
    paid_errors orders "$off"
    off=$(stat -c %s "$pg_dir/server.log")
    run_rush callbacks "PayU success callbacks for those orders, each delivered 3x at once: surl form, same bytes to the webhook, webhook JSON (item: a callback)" \
        "$PG_URL" callbacks "$cb_event" "$RUSH_CONC" "$tmp/orders" - "$tmp/orders.warm"
    rush_died callbacks
    paid_errors callbacks "$off"
    {
        # shellcheck disable=SC2016 # JavaScript template strings
        node -e 'const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
            console.log(`callbacks: ${j.requests} for ${j.requests / 3} orders, answered ${Object.entries(j.outcome).map(([k, v]) => `${v} ${k}`).join(", ")}`)' \
            "$tmp/answer.callbacks.json"
        paid_check "$cb_event" "$(q1 "SELECT count(*) FROM payment_orders WHERE event_id = $cb_event")" callbacks.check
        webhooks_check "$cb_event" callbacks.stored
    } >>"$tmp/paid.notes"
    RUSH_TABLE=rush
    echo
    cat "$tmp/paid.notes"
}

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
# W3's targets: visible events open for requests (published, over in more than a day).
w3_ids_pg="SELECT id FROM events WHERE is_active AND is_public AND status = 'published'
    AND end_time > now() + interval '1 day' ORDER BY id"
w3_ids_sqlite="SELECT id FROM events WHERE is_active AND is_public AND status = 'published'
    AND end_time > strftime('%Y-%m-%dT%H:%M:%S.000000Z', 'now', '+1 day') ORDER BY id"

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

# Notifications through the jobs table (issue 13): bench/notify.mjs starts
# its own server on the database the part just used.
notify_bench() { # $1 = database url, $2 = label
    node bench/notify.mjs "$BIN" "$1" "$secret" "$2" | tee -a "$tmp/table.notify" ||
        echo "| $2 | notifications | failed |" >>"$tmp/table.notify"
}
: >"$tmp/table.notify"

if has sqlite; then
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
sqlite3 "$db" "$w3_ids_sqlite" >"$tmp/w3ids"
w3 SQLite
stop_server
notify_bench "sqlite://$db" SQLite
fi

if has pg; then
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
R[w1.ok]=$(meets "${R[PG_W1.rps]}" "${R[pgb.w1]}" 0.6)
R[w2.ok]=$(meets "${R[PG_W2.rps]}" "${R[pgb.w2]}" 0.8)
echo "W1: server ${R[PG_W1.rps]} req/s / pgbench ${R[pgb.w1]} tps = ${R[w1.ratio]} (target >= 60%: ${R[w1.ok]});" \
    "CPU per request ${R[PG_W1.cpu]} µs vs ${R[pgb.w1.cpu]} µs per pgbench tx"
echo "W2: server ${R[PG_W2.rps]} req/s / pgbench ${R[pgb.w2]} tps = ${R[w2.ratio]} (target >= 80%: ${R[w2.ok]});" \
    "CPU per request ${R[PG_W2.cpu]} µs vs ${R[pgb.w2.cpu]} µs per pgbench tx"
echo
"$PG_BIN/psql" -AtX "$PG_URL" -c "$w3_ids_pg" >"$tmp/w3ids"
w3 PostgreSQL
if [[ -z ${R[PG_W3.na]:-} ]]; then
    w3_vars
    w3_sql_check
    echo "pgbench W3 SQL: ${R[sql.w3]}"
    echo
    echo "$PGB_HEAD"
    run_pgbench w3 "W3 SQL (bench/pgbench/w3.sql)" "${PGBV3[@]}" -D base=0
    R[w3.ratio]=$(ratio "${R[PG_W3.rps]}" "${R[pgb.w3]}")
    echo
    echo "W3: server ${R[PG_W3.rps]} req/s / pgbench ${R[pgb.w3]} tps = ${R[w3.ratio]};" \
        "CPU per request ${R[PG_W3.cpu]} µs vs ${R[pgb.w3.cpu]} µs per pgbench tx"
fi
stop_server
notify_bench "$PG_URL" PostgreSQL
pg_stop
fi

if has durable || has paid; then
    durable
fi
echo
cat "$tmp/notes"
if [[ $PARTS != "sqlite pg durable" ]]; then
    echo
    echo "BENCH_PARTS=\"$PARTS\": $DOC left as it was"
    exit 0
fi

# ---- docs/benchmarks.md -----------------------------------------------------------

hand=""
if [[ -f $DOC ]] && grep -qF "$MARKER" "$DOC"; then
    hand=$(awk -v m="$MARKER" 'f { print } $0 == m { f = 1 }' "$DOC")
fi
if [[ -z ${hand//[[:space:]]/} ]]; then
    hand=$'\n## What bounds it\n\n(To be written by hand from a run: what limits W1 and W2, and what would lift it.)'
fi
w3_line() { # $1 = key_db
    if [[ -n ${R[$1_W3.na]:-} ]]; then echo "not available yet (join requests not built)"; else
        echo "as one of $W3_WRK_USERS seeded users who have asked for nothing (tokens cycled by the wrk
  Lua script), body \`{\"seats_requested\":1}\`; each request a new (event, requester) pair over the
  $(wc -l <"$tmp/w3ids") visible published events that end more than a day from now, consecutive requests
  for different events, so every answer is 201 and a new pending request"
    fi
}
build_of() { # ", clang RelWithDebInfo" from the binary's CMake cache, if any
    local c; c="$(dirname "$1")/CMakeCache.txt"
    [[ -f $c ]] || return 0
    echo ", $(basename "$(readlink -f "$(sed -n 's/^CMAKE_C_COMPILER:[A-Z]*=//p' "$c")")") $(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$c")"
}
goal() { awk -v a="$1" -v t="$2" 'BEGIN { print (a + 0 >= t + 0) ? "yes" : "**no**" }'; }
R[guard.row.max]=0
for c in $GUARD_CLIENTS; do
    R[guard.row.max]=$(awk -v a="${R[guard.row.max]}" -v b="${R[guard.row.$c]:-0}" 'BEGIN { print (b > a) ? b : a }')
done
{
    cat <<EOF
# Benchmarks

Written by \`make bench\` (\`bench/run.sh\`) on $started; the section after the marker at the end
is written by hand and kept by the script. Never part of \`make test\`.

## Machine and versions

- $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), $(free -m | awk '/^Mem:/ {printf "%.1f GB", $2 / 1024}') RAM, Linux $(uname -r)
- $("$BIN" version), release build \`$BIN\` ($(stat -c %s "$BIN") bytes$(build_of "$BIN")), default workers and pool
  (2 x cores each)
- $("$PG_BIN/postgres" --version) (private cluster from scripts/lib/pg.sh: fsync off, defaults
  otherwise; the durable part: a second cluster, fsync, synchronous_commit and full_page_writes on,
  defaults otherwise, data on ${R[d.disk]}), SQLite $(sqlite3 --version | cut -d' ' -f1) (CLI used for seeding)
- $(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2), \`-t$WRK_THREADS -c$WRK_CONNS -d$DURATION --latency\` (rows marked (c=1): \`-t1 -c1 -d$DURATION_C1\`, one request at a time); $("$PG_BIN/pgbench" --version),
  \`-n -M prepared -c $PGB_CLIENTS -j $PGB_JOBS -T $SECS\`
- Load generator, server and database share the same $(nproc) cores. Load average before the run:
  ${R[load]}; "others" in the tables is the share of the machine used by processes other than
  the ones measured (a busy neighbour makes a run noisy).

## Data set

\`bench/seed.sql.sh\` (SQL only, after \`loopin migrate\`): $BENCH_USERS active users with profiles,
$BENCH_EVENTS events ($(wc -l <"$tmp/ids") active, public and published or completed; the rest drafts,
cancelled or private), 2-3 interests each, 100 venues, $BENCH_REQUESTS join requests (60% pending),
plus $BENCH_W3_USERS users who have asked for nothing (W3's requesters). Event i starts 4i hours after
a day 80% of the events' span before the run, so the last fifth is always in the future.
Seeding took ${R[seed.sqlite]} s on SQLite (${R[size.sqlite]}) and ${R[seed.pg]} s on PostgreSQL
(${R[size.pg]}, VACUUM ANALYZE included). The durable part adds \`bench/seed.sql.sh pg-rush\`:
$BENCH_RUSH_USERS more users, each with an accepted join request for 1 seat on two hot events (free,
public, published, hosted by user 1) and on two paid ones (each request holding its seat in a
capacity reservation), the first $BENCH_RUSH_SOLO of them on two more (free and paid: the rows one at a
time), and an event for pgbench's bucketed guard (${R[seed.durable]} s for both, on the durable cluster).

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

\`bench/pgbench/w1.sql\`, \`w2.sql\` and \`w3.sql\` hold the statements the server runs per request (W1: the
verifier's account query, then the EventResponse row with its interests (LEFT JOIN) with the
1-id bucket, which also decides visibility; W2: the listing version read, the page of ids, the
EventResponse rows with their interests with the 20-id bucket; W3: the account query, then one
transaction: the event, the requester's gender, their last request for the event, the INSERT (whose
trigger adds 1 to the event's requests_count), the host's notification, the audit row, the new
request, COMMIT). Before pgbench runs, the script logs the statements
one real request of each kind sends and compares them with the scripts:
W1 ${R[sql.w1]}; W2 ${R[sql.w2]}; W3 ${R[sql.w3]:-not run}.
Random user and event per W1 transaction; W2 binds the first page's ids, as the server does; W3 takes
a new (event, requester) pair per transaction, events varying fastest, and makes its three uuids and
the empty strings it binds in one extra statement (pgbench cannot make strings), one round trip
more than the server.

$PGB_HEAD
$(cat "$tmp/table.pgbench")

### Ratio to pgbench (same run)

| workload | server req/s | pgbench tps | ratio | target | met | CPU µs per request: server + DB + wrk | CPU µs per tx: DB + pgbench | CPU-implied ceiling |
|---|---:|---:|---:|---:|---|---:|---:|---:|
| W1 | ${R[PG_W1.rps]} | ${R[pgb.w1]} | ${R[w1.ratio]} | >= 60% | ${R[w1.ok]} | ${R[PG_W1.cpu]} | ${R[pgb.w1.cpu]} | $(ratio "${R[pgb.w1.cpu]}" "${R[PG_W1.cpu]}") |
| W2 | ${R[PG_W2.rps]} | ${R[pgb.w2]} | ${R[w2.ratio]} | >= 80% | ${R[w2.ok]} | ${R[PG_W2.cpu]} | ${R[pgb.w2.cpu]} | $(ratio "${R[pgb.w2.cpu]}" "${R[PG_W2.cpu]}") |
| W3 | ${R[PG_W3.rps]:--} | ${R[pgb.w3]:--} | ${R[w3.ratio]:--} | - | - | ${R[PG_W3.cpu]:--} | ${R[pgb.w3.cpu]:--} | $(ratio "${R[pgb.w3.cpu]:-0}" "${R[PG_W3.cpu]:-0}") |

When every core is busy, throughput is cores / CPU per request, so the ratio to pgbench cannot
exceed (pgbench's CPU per transaction) / (the HTTP path's CPU per request): the last column.

## Durable commits: seats on one hot event, and the door

A second PostgreSQL cluster with durable commits (fsync=on, synchronous_commit=on), data on
${R[d.disk]}. Its disk, pg_test_fsync, one 8 kB write then a sync:
${R[d.fsync.all]} (PostgreSQL uses ${R[d.syncmethod]}).

### The seat guards under pgbench (no HTTP server)

One seat per transaction (BEGIN, the guard, COMMIT), every client on the same event, \`pgbench -n
-M prepared -j 2 -T $GUARD_SECS\`. \`bench/pgbench/guard_row.sql\`: one guarded counter row (UPDATE ...
SET taken = taken + 1 WHERE ... AND taken + 1 <= capacity). \`guard_buckets.sql\`: \`SELECT seat_take(event,
1)\`, the function (migrations 0017, 0019, 0020) that confirmations call by trigger: 8 bucket rows
per event; the first free one with room (FOR UPDATE SKIP LOCKED), else wait for a random busy one
with room, and only when no single bucket has room lock them all in order and re-spread the room.
"Seats by the lock-all path": seats that went that last way, from the bucket rows' update count (1
row otherwise, 8 then). WAL syncs are pg_stat_wal's.

$GUARD_HEAD
$(cat "$tmp/table.guard")

$(cat "$tmp/guard.ratio")

### The rush and the door over HTTP

$RUSH_SERVERS \`loopin serve\` processes (default workers and pool each) on the durable cluster;
\`bench/rush.mjs\` (Node, keep-alive agents, $RUSH_CONC requests in flight spread over the three ports,
tokens and bodies made before the clock starts). Confirm: each of $BENCH_RUSH_USERS people with an
accepted request calls \`POST /api/events/{id}/confirm-attendance\` \`{"seats":1}\` once. Check-in: the
host sends each ticket code from those answers once, \`POST /api/events/{id}/check-in\` \`{"code", "nonce",
"type": "entry"}\`. Sell-out: the same people on an event with half as many seats. The first two rows
do the same one request at a time: what one costs without contention. Each phase starts the servers,
sends $RUSH_WARM requests that are not measured (24 at a time: every pooled connection prepares its
statements and compiles the triggers' functions), then the measured ones, and stops the servers, so
its CPU, WAL and bucket figures are its own.

$RUSH_HEAD
$(cat "$tmp/table.rush")

$(sed 's/^/- /' "$tmp/rush.notes")

| goal (issue 9) | measured | met |
|---|---:|---|
| confirmed seats/s on one event >= 3,000 | ${R[rush.rate]:--} | $(goal "${R[rush.rate]:-0}" 3000) |
| >= 1.5 x the single-row limit (best single-row figure above: ${R[guard.row.max]}) | ${R[rush.rate]:--} | $(goal "${R[rush.rate]:-0}" "$(awk -v a="${R[guard.row.max]}" 'BEGIN { print 1.5 * a }')") |
| zero oversell (rush and sell-out) | ${R[rush.check]%%:*}; ${R[sell.check]%%:*} | $([[ ${R[rush.check]:-} == zero* && ${R[sell.check]:-} == zero* ]] && echo yes || echo "**no**") |
| check-ins/s on one event >= 5,000 | ${R[door.rate]:--} | $(goal "${R[door.rate]:-0}" 5000) |

### The rush's and the door's statements through pgbench (no HTTP server)

What the database alone does with the same work, on the same cluster in the same run:
\`bench/pgbench/confirm.sql\` sends the statements a warm server sends per confirmation (the guard's
account query, BEGIN with the event row in one pipeline, the accepted request locked, the attendee
INSERT whose trigger takes the seat, the ticket row, then the ticket's code, the notification, the
audit row and COMMIT in one pipeline, and the ticket read after the commit), \`checkin.sql\` those of
a check-in by the host (the event row, BEGIN with the ticket row locked in one pipeline, the scan
recorded under its nonce with its outcome, then the check-in and COMMIT in one pipeline): the same
texts, in the same order, with
\`\\startpipeline\`/\`\\endpipeline\` where the server pipelines, checked against the server's statement log
before the runs (confirm.sql: ${R[sql.confirm]:-not run}; checkin.sql: ${R[sql.checkin]:-not run}).
pgbench cannot make strings, so each transaction has one statement more (a SELECT of the uuids, the
nonce, the ticket code's seed and hash: one round trip, so the ratios below slightly flatter the
server), the Ed25519 ticket code is not made (a seed of 32 and a hash of 64 hex characters from md5s
of the ids take its place; the server signs and verifies in C before any SQL), NULL parameters are
written NULL. Event 'pgconf' (\`bench/seed.sql.sh pg-rush\`: an accepted request for every user of the data
set), ONE event like the rush; \`pgbench -n -M prepared -j 2 -t\`, each person confirming once (half of
them at the first client count, the rest at the second), then each of those tickets checked in once.
$(echo "$DOOR_CLIENTS" | awk '{print $1}') clients are the rush's connections ($RUSH_SERVERS servers x a pool of 4).

$DOOR_HEAD
$(cat "$tmp/table.door" 2>/dev/null)

$(cat "$tmp/door.ratio" 2>/dev/null)
$(sed 's/^/- /' "$tmp/door.notes" 2>/dev/null)

### Notifications through the jobs table (issue 13)

\`bench/notify.mjs\` on each database right after its part above (fsync off on PostgreSQL):
${BENCH_NOTIFY_USERS:-10000} seeded people get a push device each, and one \`loopin serve\` (push backend \`file\`,
the default job poll of 1 s, jobs run in the serving process) sends a campaign to all of them: the
batch jobs write the in-app rows (100 per transaction), then one \`push_deliver\` job per notification
writes its line to the outbox. Then 20 one-recipient campaigns one after another, timed from the send
call to the line in the outbox (three queue hops: the start, the batch, the delivery).

| database | measure | value |
|---|---|---:|
$(cat "$tmp/table.notify")

### Paid admission: purchases and PayU callbacks (issue 10)

The same cluster and $RUSH_SERVERS \`loopin serve\` processes, with PayU as the payment provider, as in
production (\`LOOPIN_PAYU_KEY\`, \`LOOPIN_PAYU_SALT\`). \`bench/rush.mjs\` plays the buyers and PayU: it
answers each order with the fields PayU posts after a card payment, signed with the reverse hash of
API.md 14.8. \`bench/seed.sql.sh pg-rush\` gives every rush user an accepted request on paid events
($(awk -v m="$BENCH_PAID_PRICE_MINOR" 'BEGIN { printf "%.2f", m / 100 }') INR plus the platform fee), each request
holding its seat in a live capacity reservation (migration 0019's trigger counts it in the buckets'
taken and held). max_capacity is ${BENCH_PAID_CAPACITY:-the number of people (\`BENCH_PAID_CAPACITY\`), so every seat is held when a phase starts}.
- **Purchase**: \`POST /api/payments/orders\` \`{event_id, amount (the base fare, as the app sends it),
  reservation_key}\` (201 with PayU's form), then PayU's success answer for that order posted as a form
  to the order's surl (\`/api/payments/payu/success\`) on the next process, as the buyer's browser
  comes back. It succeeds when the answer is the "Payment successful" page; its latency is both
  requests. The first row does one at a time.
- **Order**: the order alone, for each buyer of a second paid event.
- **Callback**: PayU's success answer for each of those orders, delivered 3 times at once to the three
  processes: the browser's form post to the surl, the same bytes to \`/api/payments/payu/webhook\` (a
  redelivery, recognised by its SHA-256 when stored), and the same fields as JSON to the webhook
  (stored, then found paid under the order's lock). Every answer that says paid or duplicate counts,
  so callbacks/s includes the duplicates.

Warm-up, statistics and columns as in the rush above; "items" are purchases, orders or callbacks.
"Seats by the lock-all path" counts the takes that locked every bucket. A payment also releases its
reservation's held seat, and seat_release's own lock-all path does not show in the bucket update
count (measured by hand: "Paid admission" in the hand-written part).

$PAID_HEAD
$(cat "$tmp/table.paid")

$(sed 's/^/- /' "$tmp/paid.notes")

| check (issue 10) | measured | met |
|---|---:|---|
| paid confirmations/s on one event, 3 servers, durable commits | ${R[paid.rate]:--} | no target |
| PayU callbacks/s on one event, duplicates included | ${R[callbacks.rate]:--} | no target |
| exactly one ticket per paid order, zero oversell (one at a time; at once; callbacks 3x) | ${R[paidsolo.check]%%:*}; ${R[paid.check]%%:*}; ${R[callbacks.check]%%:*} | $([[ ${R[paidsolo.check]:-} == exactly* && ${R[paid.check]:-} == exactly* && ${R[callbacks.check]:-} == exactly* ]] && echo yes || echo "**no**") |
| every distinct callback stored and processed once | ${R[callbacks.stored]%%:*} | $([[ ${R[callbacks.stored]:-} == every* ]] && echo yes || echo "**no**") |

## Notes from the run

$(cat "$tmp/notes")

$MARKER
EOF
    printf '%s\n' "$hand"
} >"$DOC.tmp"
mv "$DOC.tmp" "$DOC"
echo
echo "wrote $DOC"
