#!/usr/bin/env bash
# tests/fuzz/run.sh — build the libFuzzer targets with clang and run each for
# a bounded time (scripts/test.sh calls this; bench/fuzz.sh runs it longer).
#
#   tests/fuzz/run.sh [TARGET...]        default: every target of tests/fuzz/
#
# Environment:
#   FUZZ_SECONDS  seconds per target (default 20)
#   FUZZ_BUILD    build folder (default <source>/build-fuzz)
#   FUZZ_SUMMARY  also append "target executions crashes" lines to this file
#
# New interesting inputs go to $FUZZ_BUILD/corpus/TARGET (seeded from
# tests/fuzz/corpus/TARGET, kept between runs); a crash is written to
# $FUZZ_BUILD/artifacts/TARGET/ — copy it into tests/fuzz/regressions/TARGET/
# once fixed, and the normal build replays it forever (ctest -L fuzz).
# Exit status: 0 no crash, 1 a target crashed, 2 build error or a target missing.
set -u
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${FUZZ_BUILD:-$SRC/build-fuzz}
SECS=${FUZZ_SECONDS:-20}
CC_FUZZ=${FUZZ_CC:-clang}

command -v "$CC_FUZZ" >/dev/null || { echo "fuzz: $CC_FUZZ not found (apt-get install clang)" >&2; exit 2; }

echo "fuzz: building in $BUILD" >&2
mkdir -p "$BUILD"
# Plugins are not needed (the plugin parsers are compiled into their targets).
cmake -S "$SRC" -B "$BUILD" -DCMAKE_C_COMPILER="$CC_FUZZ" -DBENCHAAS_FUZZ=ON \
      -DBENCHAAS_PLUGINS= -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$BUILD/fuzz-cmake.log" 2>&1 \
    || { cat "$BUILD/fuzz-cmake.log" >&2; exit 2; }
cmake --build "$BUILD" -j"$(nproc)" --target fuzz_targets tp_trivial >"$BUILD/fuzz-build.log" 2>&1 \
    || { tail -40 "$BUILD/fuzz-build.log" >&2; exit 2; }

if [ $# -gt 0 ]; then
    TARGETS="$*"
else
    TARGETS=$(tr ';' ' ' <"$BUILD/tests/fuzz/targets.txt")
fi
BIN="$BUILD/bin"

crashed=0 missing=0
printf '%-12s %12s %10s %8s  %s\n' TARGET EXECUTIONS EXEC/S CORPUS RESULT
for t in $TARGETS; do
    exe="$BIN/fuzz_$t"
    [ -x "$exe" ] || { echo "fuzz: no target $t (was it built?)" >&2; missing=1; continue; }
    corpus="$BUILD/corpus/$t"
    arts="$BUILD/artifacts/$t"
    mkdir -p "$corpus" "$arts"
    log="$BUILD/fuzz-$t.log"
    # -close_fd_mask=3: the targets' own output (query prints tables) is noise;
    # libFuzzer and sanitizer reports still reach the log.
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1} \
    UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    LSAN_OPTIONS="suppressions=$SRC/tests/fuzz/lsan.supp:print_suppressions=0" \
        "$exe" -max_total_time="$SECS" -timeout=25 -rss_limit_mb=2048 -close_fd_mask=3 \
        -print_final_stats=1 -artifact_prefix="$arts/" \
        "$corpus" "$SRC/tests/fuzz/corpus/$t" >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    size=$(ls "$corpus" | wc -l)
    if [ $rc -eq 0 ]; then
        result=ok
    else
        result="CRASH (exit $rc): $(ls -t "$arts" 2>/dev/null | head -1), see $log"
        crashed=1
        grep -m3 -E 'ERROR: |runtime error|property violated|SUMMARY' "$log" | sed 's/^/    /' >&2
    fi
    printf '%-12s %12s %10s %8s  %s\n' "$t" "${execs:-?}" "${rate:-?}" "$size" "$result"
    if [ -n "${FUZZ_SUMMARY:-}" ]; then
        echo "$t ${execs:-0} $([ $rc -eq 0 ] && echo 0 || echo 1)" >>"$FUZZ_SUMMARY"
    fi
done
[ $missing = 0 ] || exit 2
exit $crashed
