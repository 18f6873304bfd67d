#!/usr/bin/env bash
#
# run.sh: runs the black-box API tests against a real `loopin serve`, on
# SQLite and/or on a private, throwaway PostgreSQL cluster.
#
#   tests/api/run.sh <path-to-loopin-binary> [sqlite|postgres|both] [test files...]
#
# The database mode defaults to "both". Without test files every
# tests/api/*.test.mjs runs. Each test file starts its own servers (see
# tests/api/lib/server.mjs); for PostgreSQL each server gets a fresh database
# in the cluster made here. The cluster, the servers' temp dirs and any
# process the tests started are removed on every exit, interrupts included.
#
# Environment knobs:
#   LOOPIN_TEST_CONCURRENCY  test files run at once (default 2)
#   LOOPIN_TEST_TIMEOUT_MS   per-test timeout (default 120000)
#   LOOPIN_TEST_KEEP=1       keep the servers' temp dirs (and databases) for a look
#   PG_BIN                   PostgreSQL binaries (default /usr/lib/postgresql/15/bin)

set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

usage() {
    echo "usage: $0 <path-to-loopin-binary> [sqlite|postgres|both] [test files...]" >&2
    exit 2
}

# ---------------------------------------------------------------------------
# The test runner runs in its own process group (setsid), in the background
# so that traps fire at once, and so that an interrupt can end it together
# with every server it started.

node_pid=""

run_suite() { # $1 = sqlite | postgres
    echo "=== API tests on $1 (binary: $LOOPIN_BIN) ==="
    LOOPIN_TEST_DB=$1 setsid node --test --test-concurrency="$concurrency" \
        --test-timeout="$timeout_ms" "${files[@]}" </dev/null &
    node_pid=$!
    local rc=0
    wait "$node_pid" || rc=$?
    node_pid=""
    return "$rc"
}

stop_tests() {
    [[ -n $node_pid ]] || return 0
    kill -TERM -- "-$node_pid" 2>/dev/null || kill -TERM "$node_pid" 2>/dev/null || true
    sleep 1
    kill -KILL -- "-$node_pid" 2>/dev/null || true
    node_pid=""
}

# ---------------------------------------------------------------------------
# Private PostgreSQL cluster. Everything it needs lives in one temp dir owned
# by the postgres OS user (we run as root; postgres refuses to run as root).

# shellcheck source=../../scripts/lib/pg.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/pg.sh"

# ---------------------------------------------------------------------------

run_tmp=""

cleanup() {
    stop_tests
    pg_stop
    [[ -n $run_tmp ]] || return 0
    if [[ ${LOOPIN_TEST_KEEP:-} == 1 ]]; then
        echo "run.sh: server files kept in $run_tmp" >&2
    else
        rm -rf "$run_tmp"
    fi
}

trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[[ $# -ge 1 ]] || usage
bin=$1
shift
mode=both
if [[ $# -ge 1 && ( $1 == sqlite || $1 == postgres || $1 == both ) ]]; then
    mode=$1
    shift
fi

[[ -f $bin && -x $bin ]] || { echo "run.sh: $bin is not an executable file" >&2; exit 2; }
LOOPIN_BIN=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
export LOOPIN_BIN

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"

if [[ $# -ge 1 ]]; then
    files=("$@")
else
    shopt -s nullglob
    files=(tests/api/*.test.mjs)
    shopt -u nullglob
fi
[[ ${#files[@]} -ge 1 ]] || { echo "run.sh: no test files found" >&2; exit 2; }

export PATH="$PG_BIN:$PATH" # psql for tests/api/lib/server.mjs
concurrency=${LOOPIN_TEST_CONCURRENCY:-2}
timeout_ms=${LOOPIN_TEST_TIMEOUT_MS:-120000}

# Every server's temp dir lives under one run dir (os.tmpdir() in node).
run_tmp=$(mktemp -d /tmp/loopin-api-run.XXXXXX)
export TMPDIR=$run_tmp

failed=()

if [[ $mode == sqlite || $mode == both ]]; then
    run_suite sqlite || failed+=(sqlite)
fi

if [[ $mode == postgres || $mode == both ]]; then
    if pg_start; then
        run_suite postgres || failed+=(postgres)
    else
        failed+=("postgres (cluster setup)")
    fi
    pg_stop
fi

echo
if [[ ${#failed[@]} -gt 0 ]]; then
    for db in "${failed[@]}"; do
        echo "API TESTS FAILED on: $db" >&2
    done
    exit 1
fi
case $mode in
    both) echo "API tests passed on: sqlite and postgres" ;;
    *) echo "API tests passed on: $mode" ;;
esac
