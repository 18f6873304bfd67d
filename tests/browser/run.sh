#!/usr/bin/env bash
# run.sh: browser tests (playwright-core driving Debian's chromium) against a
# real `loopin serve` on SQLite.   tests/browser/run.sh <loopin-binary>
set -euo pipefail
bin=${1:?usage: tests/browser/run.sh <loopin-binary>}
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LOOPIN_BIN=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
export LOOPIN_BIN
cd "$repo"
run_tmp=$(mktemp -d /tmp/loopin-browser.XXXXXX)
trap 'rm -rf "$run_tmp"' EXIT
export TMPDIR=$run_tmp
LOOPIN_TEST_DB=sqlite node --test --test-timeout=120000 tests/browser/*.test.mjs
