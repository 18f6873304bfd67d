#!/usr/bin/env bash
# run.sh: runs every built libFuzzer target for a fixed time.
#
#   bash tests/fuzz/run.sh <build-dir> <seconds-per-target>
#
# Each fuzz_<name> binary in <build-dir> runs on a temporary copy of
# tests/fuzz/corpus/<name>/ (so CI never modifies the checked-in corpus),
# with tests/fuzz/<name>.dict when present. Crash, leak and timeout inputs are
# kept in <build-dir>/fuzz-artifacts/<name>/. Prints one summary line per
# target; exits 1 if any target found a problem, 2 on a usage error.
set -u

if [ $# -ne 2 ] || ! [[ $2 =~ ^[0-9]+$ ]] || [ "$2" -lt 1 ]; then
    echo "usage: $0 <build-dir> <seconds-per-target>" >&2
    exit 2
fi
build=$(cd "$1" 2>/dev/null && pwd) || { echo "run.sh: no build directory '$1'" >&2; exit 2; }
seconds=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

targets=()
for bin in "$build"/fuzz_*; do
    [ -f "$bin" ] && [ -x "$bin" ] && targets+=("$bin")
done
if [ ${#targets[@]} -eq 0 ]; then
    echo "run.sh: no fuzz_* executables in $build (configure with -DLOOPIN_FUZZ=ON)" >&2
    exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/loopin-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Sanitizer reports with stacks; libFuzzer checks leaks per input itself.
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:symbolize=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

failed=0
for bin in "${targets[@]}"; do
    exe=$(basename "$bin")
    name=${exe#fuzz_}
    corpus="$work/$name/corpus"
    artifacts="$build/fuzz-artifacts/$name"
    log="$work/$name/log"
    mkdir -p "$corpus" "$artifacts"
    seeds=0
    if [ -d "$here/corpus/$name" ]; then
        cp -R "$here/corpus/$name/." "$corpus/"
        seeds=$(find "$corpus" -type f | wc -l)
    fi
    args=(-max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -jobs=1
          -print_final_stats=1 -artifact_prefix="$artifacts/")
    [ -f "$here/$name.dict" ] && args+=(-dict="$here/$name.dict")

    # Run from the scratch directory: libFuzzer may drop fuzz-N.log files there.
    (cd "$work/$name" && "$bin" "${args[@]}" "$corpus") >"$log" 2>&1
    rc=$?

    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
    rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -n1)
    cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n1 | cut -d' ' -f2)
    total=$(find "$corpus" -type f | wc -l)
    if [ $rc -eq 0 ]; then
        printf '%-22s ok     %s runs in %ss, cov %s, corpus %s (%s seeds), peak rss %s MB\n' \
            "$exe" "${runs:-?}" "$seconds" "${cov:-?}" "$total" "$seeds" "${rss:-?}"
    else
        failed=1
        what=$(grep -m1 -E '^SUMMARY: |ERROR: libFuzzer: ' "$log" | sed 's/^SUMMARY: //')
        input=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n1)
        printf '%-22s FAILED (exit %s) %s; input: %s\n' \
            "$exe" "$rc" "${what:-see log}" "${input:-none}"
        # The report itself, for the CI log.
        sed -n '/==[0-9]*==ERROR\|runtime error\|ERROR: libFuzzer/,$p' "$log" | head -n 60 >&2
    fi
done
exit $failed
