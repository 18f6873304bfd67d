#!/usr/bin/env bash
# bench/run.sh: measures the release build (never part of `make test`).
# Today: binary size, idle RSS, and wrk on GET /api/health (no database) and
# GET /health (one database round trip) on SQLite and on a private
# PostgreSQL cluster. Results go to stdout and bench/last-run.txt.
# Later issues add the domain workloads (W1-W3) and the pgbench baseline.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${LOOPIN_BIN:-build/loopin}
DURATION=${BENCH_DURATION:-10s}
# shellcheck source=../scripts/lib/pg.sh
source scripts/lib/pg.sh
OUT=bench/last-run.txt
tmp=$(mktemp -d /tmp/loopin-bench.XXXXXX)
server_pid=""

cleanup() {
    if [ -n "$server_pid" ]; then kill -TERM "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; fi
    pg_stop
    rm -rf "$tmp"
}
trap cleanup EXIT

free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

start_server() { # $1 = database url
    local port; port=$(free_port)
    LOOPIN_DATABASE_URL=$1 LOOPIN_SECRET_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n') \
        LOOPIN_LOG_LEVEL=warn LOOPIN_ENV=production LOOPIN_SMS_BACKEND=file LOOPIN_SMS_OUTBOX="$tmp/sms.jsonl" \
        LOOPIN_OTP_PER_IP_HOUR=100000 LOOPIN_OTP_COOLDOWN_SECONDS=0 "$BIN" serve --port "$port" >"$tmp/server.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
    URL="http://127.0.0.1:$port"
}

stop_server() { kill -TERM "$server_pid"; wait "$server_pid" || true; server_pid=""; }

rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$server_pid/status"; }

run_wrk() { # $1 = label, $2 = path, $3 = optional header
    local res; res=$(wrk -t2 -c32 -d"$DURATION" --latency ${3:+-H "$3"} "$URL$2")
    local rps p50 p99
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$res")
    p50=$(awk '$1=="50%" {print $2}' <<<"$res")
    p99=$(awk '$1=="99%" {print $2}' <<<"$res")
    printf '| %-28s | %10s | %8s | %8s | %8s |\n' "$1" "$rps" "$p50" "$p99" "$(rss_kb) kB"
}

# Sign-up round trips, then wrk on the authenticated profile read.
accounts() { # $1 = label
    local out token
    out=$(node bench/accounts.mjs "$URL" "$tmp/sms.jsonl" 200)
    token=$(tail -n 1 <<<"$out")
    run_wrk "$1 GET /api/auth/profile" /api/auth/profile "Authorization: Bearer $token"
    echo "  $1: $(head -n 1 <<<"$out")" >>"$tmp/notes"
}

# Not a pipeline: the cluster and server must be started in this shell so the
# EXIT trap can stop them.
exec > >(tee "$OUT")
{
    echo "# Loopin benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, wrk -t2 -c32 -d$DURATION"
    echo
    echo "binary: $(stat -c %s "$BIN") bytes ($BIN)"
    start_server "sqlite://$tmp/bench.db"
    sleep 1
    echo "idle RSS after start (SQLite): $(rss_kb) kB"
    echo
    echo "| workload                     |      req/s |      p50 |      p99 |      RSS |"
    echo "|------------------------------|------------|----------|----------|----------|"
    run_wrk "SQLite GET /api/health" /api/health
    run_wrk "SQLite GET /health (DB)" /health
    accounts SQLite
    stop_server
    pg_start >/dev/null
    "$PG_BIN/psql" -q "$LOOPIN_TEST_PG_ADMIN_URL" -c 'CREATE DATABASE loopin_bench'
    start_server "postgresql://postgres@127.0.0.1:$pg_port/loopin_bench"
    run_wrk "PostgreSQL GET /api/health" /api/health
    run_wrk "PostgreSQL GET /health (DB)" /health
    accounts PostgreSQL
    stop_server
    echo
    cat "$tmp/notes"
}
