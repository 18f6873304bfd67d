#!/usr/bin/env bash
# tests/deploy/deb.sh: the Debian package, installed for real (run as root,
# on a machine without Loopin: it refuses to touch an existing installation).
#
#   1. builds it with `make deb`, or takes the .deb given as $1;
#   2. dpkg -i; checks the files, the conffile and its permissions, the loopin
#      system user and group, /var/lib/loopin, the effective configuration,
#      and the units (systemd-analyze verify);
#   3. starts loopin.service on a free port: with systemctl when systemd is
#      PID 1, else the unit's ExecStart by hand the way systemd would run it
#      (its User, WorkingDirectory and EnvironmentFile, a clean environment);
#      waits for /health, writes a row through the API, stops it with SIGTERM
#      and expects exit status 0;
#   4. upgrades to the same package repacked with a higher version (dpkg -i):
#      the database file, its rows, the secret key and a local edit of the
#      conffile survive; the service starts again on the old data;
#   5. dpkg --purge: /etc/loopin goes, /var/lib/loopin stays.
# On exit it removes everything it made: the package, /var/lib/loopin, the
# loopin user and group, its temporary files.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
t_start=$(date +%s)
step() { printf 'deb.sh: %s\n' "$*"; }
die() { printf 'deb.sh: FAIL: %s\n' "$*" >&2; exit 1; }

# A developer's `make test` as an ordinary user skips this part, loudly; CI
# (root on a fresh machine) always runs it.
if [ "$(id -u)" -ne 0 ]; then
    printf 'deb.sh: SKIPPED: installing a package needs root (CI runs it as root)\n' >&2
    exit 0
fi
for tool in dpkg dpkg-deb curl sqlite3 runuser setpriv; do
    command -v "$tool" >/dev/null || die "$tool not found (scripts/deps)"
done
# Never on a machine that has Loopin: the cleanup deletes its data.
if dpkg-query -W -f='${Status}' loopin 2>/dev/null | grep -qv 'not-installed'; then
    die "the loopin package is installed here (dpkg -l loopin); not touching it"
fi
for p in /var/lib/loopin /etc/loopin; do
    [ ! -e "$p" ] || die "$p exists; not touching an existing installation"
done
! getent passwd loopin >/dev/null || die "a loopin user exists; not touching it"

systemd=false
[ -d /run/systemd/system ] && systemd=true
# systemd-analyze verify leaves this marker behind; removed on exit if new
units_load=/run/systemd/systemd-units-load
had_units_load=false
[ -e "$units_load" ] && had_units_load=true

tmp=$(mktemp -d /tmp/loopin-deb-test.XXXXXX)
chmod 0755 "$tmp" # the loopin user reads the server log's directory
pid=""
dropin=/run/systemd/system/loopin.service.d
cleanup() {
    local rc=$?
    set +e
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid"
        wait "$pid" 2>/dev/null
    fi
    if $systemd; then
        systemctl stop loopin.service >/dev/null 2>&1
        rm -rf "$dropin"
        systemctl daemon-reload >/dev/null 2>&1
    fi
    dpkg --purge loopin >/dev/null 2>&1
    rm -rf /var/lib/loopin
    getent passwd loopin >/dev/null && deluser --system --quiet loopin >/dev/null 2>&1
    getent passwd loopin >/dev/null && userdel loopin
    getent group loopin >/dev/null && groupdel loopin
    $had_units_load || $systemd || rm -f "$units_load"
    rm -rf "$tmp"
    [ $rc -eq 0 ] || printf 'deb.sh: failed after %ss\n' "$(($(date +%s) - t_start))" >&2
    exit $rc
}
trap cleanup EXIT

# --- 1. the package ---------------------------------------------------------
deb=${1:-}
if [ -z "$deb" ]; then
    t0=$(date +%s)
    deb=$(make -s -C "$root" deb | tail -n 1)
    step "make deb: $deb ($(($(date +%s) - t0)) s)"
fi
[ -f "$deb" ] || die "no package at '$deb'"
version=$(dpkg-deb -f "$deb" Version)

# --- 2. install and look ----------------------------------------------------
dpkg -i "$deb" </dev/null >"$tmp/dpkg-install.log" 2>&1 || { cat "$tmp/dpkg-install.log" >&2; die "dpkg -i"; }
step "installed loopin $version (systemd running: $systemd)"

[ -x /usr/bin/loopin ] || die "/usr/bin/loopin missing"
/usr/bin/loopin version | grep -q '^loopin ' || die "loopin version"
for u in loopin.service loopin@.service loopin-worker.service; do
    [ -f "/lib/systemd/system/$u" ] || die "/lib/systemd/system/$u missing"
done
for f in README.md copyright changelog.gz nginx-loopin.conf loopin.env prometheus-alerts.yml \
         grafana-dashboard.json; do
    [ -f "/usr/share/doc/loopin/$f" ] || die "/usr/share/doc/loopin/$f missing"
done
[ -f /usr/share/loopin/api-docs/swagger-ui.css ] || die "API docs viewers missing"
[ -f /usr/share/man/man1/loopin.1.gz ] || die "manual page missing"
dpkg --verify loopin || die "dpkg --verify: installed files differ from the package's md5sums"
dpkg-query -W -f='${Conffiles}\n' loopin | grep -q '^ /etc/loopin/loopin.env ' ||
    die "/etc/loopin/loopin.env is not a conffile"
[ "$(stat -c '%U:%G %a' /etc/loopin/loopin.env)" = "root:loopin 640" ] ||
    die "loopin.env is $(stat -c '%U:%G %a' /etc/loopin/loopin.env), expected root:loopin 640"

IFS=: read -r _ _ uid _ _ home shell < <(getent passwd loopin) || die "no loopin user"
[ "$uid" -lt 1000 ] || die "loopin is not a system user (uid $uid)"
if [ "$home" != /var/lib/loopin ] || [ "$shell" != /usr/sbin/nologin ]; then
    die "loopin user: home $home, shell $shell"
fi
[ "$(id -gn loopin)" = loopin ] || die "loopin's group is $(id -gn loopin)"
for d in /var/lib/loopin /var/lib/loopin/media; do
    [ "$(stat -c '%U:%G %a' "$d")" = "loopin:loopin 750" ] ||
        die "$d is $(stat -c '%U:%G %a' "$d"), expected loopin:loopin 750"
done

LOOPIN_CONFIG_FILE=/etc/loopin/loopin.env /usr/bin/loopin config >"$tmp/config"
for want in LOOPIN_ENV=development LOOPIN_DATABASE_URL=sqlite:///var/lib/loopin/loopin.db \
            LOOPIN_HOST=127.0.0.1 LOOPIN_PORT=8000 LOOPIN_MEDIA_DIR=/var/lib/loopin/media \
            LOOPIN_TRUSTED_PROXIES=127.0.0.1/32,::1/128 LOOPIN_API_DOCS_DIR=/usr/share/loopin/api-docs; do
    grep -qx "$want" "$tmp/config" || die "effective config lacks $want"
done
# the template: each active variable set once, and every variable it names,
# active or commented, one the binary knows
grep -E '^[A-Z_]+=' /etc/loopin/loopin.env | cut -d= -f1 | sort | uniq -d | grep . &&
    die "loopin.env sets a variable twice"
unknown=$(comm -23 <(grep -o '^#\?LOOPIN_[A-Z0-9_]*=' /etc/loopin/loopin.env | tr -d '#=' | sort -u) \
    <(grep -ao 'LOOPIN_[A-Z0-9_]*' /usr/bin/loopin | sort -u))
[ -z "$unknown" ] || die "loopin.env names variables the binary does not know: $unknown"
if command -v systemd-analyze >/dev/null; then
    (cd /lib/systemd/system && systemd-analyze verify loopin.service loopin-worker.service) ||
        die "systemd-analyze verify"
    ln -s /lib/systemd/system/loopin@.service "$tmp/loopin@8001.service"
    systemd-analyze verify "$tmp/loopin@8001.service" || die "systemd-analyze verify loopin@"
fi
step "files, conffile, user, state directory, configuration and units as expected"

# --- 3. start, write, stop ----------------------------------------------------
# a port nothing listens on (a refused connect)
port=""
for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port=$p; break; fi
done
[ -n "$port" ] || die "no free port found"
base=http://127.0.0.1:$port
db=/var/lib/loopin/loopin.db

# The unit's own settings, read from the installed file.
unit=/lib/systemd/system/loopin.service
unit_get() { sed -n "s/^$1=//p" "$unit" | tail -n 1; }
exec_start="$(unit_get ExecStart) --port $port"

start_service() {
    if $systemd; then
        # a runtime drop-in moves the test to its free port
        mkdir -p "$dropin"
        printf '[Service]\nExecStart=\nExecStart=%s\n' "$exec_start" >"$dropin/test-port.conf"
        systemctl daemon-reload
        systemctl start loopin.service
    else
        # What systemd would do: a clean environment plus the EnvironmentFile's
        # KEY=VALUE lines, as User=/Group= in WorkingDirectory=, with
        # NoNewPrivileges and no capabilities. setpriv execs (runuser would
        # stay in between as the parent and turn SIGTERM into exit 143).
        local -a vars=(PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8)
        local line
        while IFS= read -r line; do
            [[ $line =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] && vars+=("$line")
        done <"$(unit_get EnvironmentFile)"
        # shellcheck disable=SC2086 # ExecStart is split into words, as systemd does
        (cd "$(unit_get WorkingDirectory)" &&
            exec setpriv --reuid="$(unit_get User)" --regid="$(unit_get Group)" --init-groups \
                --no-new-privs --bounding-set=-all -- env -i "${vars[@]}" $exec_start) \
            >>"$tmp/server.log" 2>&1 &
        pid=$!
    fi
    local _
    for _ in $(seq 1 100); do
        [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/health")" = 200 ] && return 0
        sleep 0.1
    done
    server_log >&2
    die "no 200 from $base/health within 10 s"
}

stop_service() {
    if $systemd; then
        systemctl stop loopin.service
        local status
        status=$(systemctl show -p ExecMainStatus --value loopin.service)
        [ "$status" = 0 ] || die "loopin.service exited with status $status after SIGTERM"
    else
        kill -TERM "$pid"
        local rc=0
        wait "$pid" || rc=$?
        pid=""
        [ $rc -eq 0 ] || { server_log >&2; die "loopin serve exited $rc after SIGTERM"; }
    fi
}

server_log() {
    if $systemd; then journalctl -u loopin.service --no-pager -n 50; else cat "$tmp/server.log"; fi
}

rows() { runuser -u loopin -- sqlite3 "$db" 'SELECT count(*) FROM host_leads'; }

if $systemd; then
    systemctl is-enabled --quiet loopin.service || die "postinst did not enable loopin.service"
    systemctl stop loopin.service # started by postinst on port 8000
fi
start_service
step "started: $base/health answers 200"
code=$(curl -s -o "$tmp/lead.json" -w '%{http_code}' -X POST "$base/api/hosts/become-a-host" \
    -H 'content-type: application/json' \
    -d '{"first_name":"Deb","last_name":"Test","phone_number":"+919876500001"}')
[ "$code" = 200 ] || [ "$code" = 201 ] || die "become-a-host answered $code: $(cat "$tmp/lead.json")"
stop_service
step "stopped with SIGTERM, exit status 0"
[ "$(rows)" = 1 ] || die "expected 1 host lead, found $(rows)"
[ -s /var/lib/loopin/loopin.db.secret_key ] || die "no development secret key beside the database"
sha_db=$(sha256sum "$db" | cut -d' ' -f1)
sha_key=$(sha256sum /var/lib/loopin/loopin.db.secret_key | cut -d' ' -f1)

# --- 4. upgrade -----------------------------------------------------------------
# The same package with a higher version: a real "Unpacking ... over ...".
repack=$tmp/repack
dpkg-deb -R "$deb" "$repack"
sed -i "s/^Version: .*/Version: $version+upgradetest/" "$repack/DEBIAN/control"
dpkg-deb --build --root-owner-group "$repack" "$tmp/loopin-upgrade.deb" >/dev/null
echo '# a local edit the upgrade must keep' >>/etc/loopin/loopin.env
dpkg -i "$tmp/loopin-upgrade.deb" </dev/null >"$tmp/dpkg-upgrade.log" 2>&1 ||
    { cat "$tmp/dpkg-upgrade.log" >&2; die "dpkg -i (upgrade)"; }
grep -q "over ($version)" "$tmp/dpkg-upgrade.log" || die "not an upgrade: $(cat "$tmp/dpkg-upgrade.log")"
[ "$(dpkg-query -W -f='${Version}' loopin)" = "$version+upgradetest" ] || die "version after upgrade"
[ "$(sha256sum "$db" | cut -d' ' -f1)" = "$sha_db" ] || die "the upgrade changed the database file"
[ "$(sha256sum /var/lib/loopin/loopin.db.secret_key | cut -d' ' -f1)" = "$sha_key" ] ||
    die "the upgrade changed the secret key"
tail -n 1 /etc/loopin/loopin.env | grep -q 'a local edit the upgrade must keep' ||
    die "the upgrade replaced the edited conffile"
$systemd && systemctl stop loopin.service # in case postinst restarted it
start_service
[ "$(rows)" = 1 ] || die "after the upgrade: expected 1 host lead, found $(rows)"
stop_service
step "upgraded to $version+upgradetest: database, rows, secret key and local config kept"

# --- 5. purge -----------------------------------------------------------------
dpkg --purge loopin </dev/null >"$tmp/dpkg-purge.log" 2>&1 ||
    { cat "$tmp/dpkg-purge.log" >&2; die "dpkg --purge"; }
[ ! -e /usr/bin/loopin ] || die "/usr/bin/loopin left after purge"
[ ! -e /etc/loopin ] || die "/etc/loopin left after purge"
[ -f "$db" ] || die "purge deleted the database"
step "purged: /etc/loopin removed, /var/lib/loopin kept"
step "ok ($(($(date +%s) - t_start)) s)"
