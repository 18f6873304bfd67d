# scripts/lib/pg.sh: a private, throwaway PostgreSQL 15 cluster for tests and
# benchmarks. Source it, call pg_start (exports LOOPIN_TEST_PG_ADMIN_URL and
# pg_port), and call pg_stop from an EXIT trap. Everything lives in one temp
# dir owned by the postgres OS user (postgres refuses to run as root), listens
# on 127.0.0.1 only, and is removed by pg_stop.

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

pg_dir=""
pg_port=""

free_port() {
    node -e '
        const s = require("node:net").createServer();
        s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

pg_start() {
    pg_dir=$(mktemp -d /tmp/loopin-pg.XXXXXX)
    chown postgres:postgres "$pg_dir"
    chmod 700 "$pg_dir"
    if ! runuser -u postgres -- "$PG_BIN/initdb" -D "$pg_dir/data" -A trust -U postgres \
            --no-sync -E UTF8 >"$pg_dir/initdb.log" 2>&1; then
        cat "$pg_dir/initdb.log" >&2
        echo "pg.sh: initdb failed" >&2
        return 1
    fi
    pg_port=$(free_port)
    local opts="-p $pg_port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$pg_dir"
    opts+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    opts+=" -c max_connections=300"
    if ! runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" \
            -o "$opts" -w -t 30 start >/dev/null; then
        cat "$pg_dir/server.log" >&2 || true
        echo "pg.sh: PostgreSQL did not start" >&2
        return 1
    fi
    local i
    for ((i = 0; i < 100; i++)); do
        if "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$pg_port"; then
            export LOOPIN_TEST_PG_ADMIN_URL="postgresql://postgres@127.0.0.1:$pg_port/postgres"
            echo "pg.sh: PostgreSQL 15 on 127.0.0.1:$pg_port (data in $pg_dir)"
            return 0
        fi
        sleep 0.1
    done
    cat "$pg_dir/server.log" >&2 || true
    echo "pg.sh: PostgreSQL never became ready" >&2
    return 1
}

pg_stop() {
    [[ -n $pg_dir ]] || return 0
    if [[ -f $pg_dir/data/postmaster.pid ]]; then
        runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$pg_dir/data" -m fast -w stop \
            >/dev/null 2>&1 || echo "pg.sh: warning: pg_ctl stop failed" >&2
    fi
    rm -rf "$pg_dir"
    pg_dir=""
}

