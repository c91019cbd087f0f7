#!/usr/bin/env bash
# Build BenchaaS and run its whole test suite, the way CI does (.ci/run).
#
#   scripts/test.sh [--no-asan | --only-asan] [--no-deps] [--no-slurm] [--no-cluster]
#                   [-R REGEX] [-j N]
#
# Phases (each timed):
#   1. scripts/deps.sh --test       install missing Debian packages (no-op when complete)
#   2. scripts/slurm-up.sh          start the local one-node Slurm (tests skip without it)
#      scripts/cluster-up.sh        start the four-node test cluster (the cluster tests skip
#                                   without it); brought down again at the end
#   3. build/       -DBENCHAAS_WERROR=ON, then ctest
#   4. build-asan/  -DBENCHAAS_WERROR=ON -DBENCHAAS_SANITIZE=ON (ASan + UBSan), then ctest
#   5. build-fuzz/  libFuzzer targets (clang), each for BENCHAAS_FUZZ_SECONDS (15)
#
# Options:
#   --no-asan     skip phase 4          --only-asan   skip phase 3
#   --no-deps     skip phase 1          --no-slurm    skip phase 2 (both clusters)
#   --no-cluster  skip the four-node cluster (its tests skip)
#   --no-fuzz     skip phase 5
#   -R REGEX      only the tests whose name matches (passed to ctest -R)
#   -j N          tests run in parallel by ctest (default: $BENCHAAS_CTEST_JOBS or 2)
#
# Environment:
#   BENCHAAS_CTEST_JOBS   ctest parallelism (default 2; the suite must also pass with 1)
#   BENCHAAS_BUILD_DIR    normal build folder (default build)
#   BENCHAAS_ASAN_DIR     sanitizer build folder (default build-asan)
#   BENCHAAS_CMAKE_ARGS   extra cmake arguments for both builds, e.g. -DBENCHAAS_BUILD_CORE=OFF
#   ASAN_OPTIONS, UBSAN_OPTIONS, LSAN_OPTIONS   appended to the defaults below (yours win)
#
# Runs every phase even after a failure, prints a summary, exits 1 if anything failed.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

run_normal=1 run_asan=1 run_deps=1 run_slurm=1 run_fuzz=1 run_cluster=1
ctest_jobs=${BENCHAAS_CTEST_JOBS:-2}
ctest_filter=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --no-asan) run_asan=0 ;;
        --only-asan) run_normal=0 ;;
        --no-deps) run_deps=0 ;;
        --no-slurm) run_slurm=0; run_cluster=0 ;;
        --no-cluster) run_cluster=0 ;;
        --no-fuzz) run_fuzz=0 ;;
        -R) [[ $# -ge 2 ]] || { echo "test.sh: -R needs a REGEX" >&2; exit 2; }
            ctest_filter=(-R "$2"); shift ;;
        -j) [[ $# -ge 2 && $2 =~ ^[1-9][0-9]*$ ]] || { echo "test.sh: -j needs a positive number" >&2; exit 2; }
            ctest_jobs=$2; shift ;;
        -h|--help) sed -n '2,31s/^# \{0,1\}//p' "$0"; exit 0 ;;
        *) echo "test.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
    shift
done
if [[ $run_normal == 0 && $run_asan == 0 ]]; then
    echo "test.sh: --no-asan and --only-asan together leave nothing to do" >&2; exit 2
fi

build_dir=${BENCHAAS_BUILD_DIR:-build}
asan_dir=${BENCHAAS_ASAN_DIR:-build-asan}
read -r -a extra_cmake <<<"${BENCHAAS_CMAKE_ARGS:-}"
build_jobs=$(nproc 2>/dev/null || echo 2)

summary=()   # "phase  seconds  result" lines for the end
failed=0

# phase NAME COMMAND...: run, time and record one phase; never stops the script.
phase() {
    local name=$1; shift
    local start end rc=0
    echo
    echo "==== $name: $*"
    start=$(date +%s.%N)
    "$@" || rc=$?
    end=$(date +%s.%N)
    local secs
    secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
    if [[ $rc == 0 ]]; then
        summary+=("$(printf '%-34s %8ss  ok' "$name" "$secs")")
    else
        summary+=("$(printf '%-34s %8ss  FAILED (exit %d)' "$name" "$secs" "$rc")")
        failed=1
    fi
    echo "==== $name: $([[ $rc == 0 ]] && echo ok || echo "FAILED (exit $rc)") in ${secs}s"
    return "$rc"
}

# Slurm: exit 3 means "cannot start here" (not root, foreign config): tests skip, not a
# failure. Exit 1 means we are allowed to start it and it did not come up: a failure.
slurm_phase() {
    local rc=0
    scripts/slurm-up.sh || rc=$?
    if [[ $rc == 3 ]]; then
        echo "test.sh: no Slurm here; the Slurm tests will skip."
        return 0
    fi
    return "$rc"
}

# The four-node cluster (docs/cluster-local.md): exit 3 means it cannot be made here (not
# root, no network namespaces): its tests skip.  Exit 1: it should start and did not.
cluster_phase() {
    local rc=0
    scripts/cluster-up.sh || rc=$?
    if [[ $rc == 3 ]]; then
        echo "test.sh: no test cluster here; the cluster tests will skip."
        return 0
    fi
    return "$rc"
}

# Taking it down: exit 3 (not root, no namespaces) means there was none to take down.
cluster_down_phase() {
    local rc=0
    scripts/cluster-up.sh --down || rc=$?
    [[ $rc == 3 ]] && return 0
    return "$rc"
}

configure_and_build() {
    local dir=$1; shift
    cmake -S . -B "$dir" -DBENCHAAS_WERROR=ON "$@" "${extra_cmake[@]}" &&
        cmake --build "$dir" -j"$build_jobs"
}

# Every test cleans up after itself, checked two ways around each ctest and fuzz phase
# (with_private_tmp):
#   - the tests get a temporary folder of their own (TMPDIR: tests/lib.sh, serve_lib.py,
#     the C tests and the fuzz targets make theirs under it); whatever is left in it at the
#     end fails the phase, listed.  Everything in it is the tests' own, so nothing else
#     running on the machine can fail the check;
#   - what a test or the code under test makes in the outer temporary folder itself
#     (${TMPDIR:-/tmp}, and /tmp: paths named there, such as the service's
#     /tmp/benchaas-scratch-DEV-INO) is found by listing those before and after,
#     limited to the names BenchaaS and its tests make there, "benchaas-*": the cluster,
#     Slurm, systemd and other programs write into /tmp at the same time, and are not
#     ours to judge.  A new benchaas-* entry fails the phase, listed.  (Two suites run at
#     once on one machine, by two checkouts, would see each other's: run one at a time.)
outer_tmp=${TMPDIR:-/tmp}
ours_in_outer_tmp() {
    local dirs=(/tmp)   # /tmp too: the service's fallback scratch folder is always there
    [[ $outer_tmp -ef /tmp ]] || dirs+=("$outer_tmp")
    (find "${dirs[@]}" -mindepth 1 -maxdepth 1 -name 'benchaas-*' ! -name 'benchaas-ctest.*' \
        2>/dev/null | sort) || true
}

# with_private_tmp COMMAND...: run COMMAND with TMPDIR a new folder, then fail (listing
# them) when it left anything in that folder or new benchaas-* entries beside it: its
# exit status, or 3 when it exited 0 and left something.
with_private_tmp() {
    local rc=0 tmp left before after new
    before=$(ours_in_outer_tmp)
    tmp=$(mktemp -d "$outer_tmp/benchaas-ctest.XXXXXX") || return 1
    # 0711 as /tmp is open: the service's tests run members' work as an unprivileged user
    # (--run-as) that must reach the folders the tests make inside (not list them)
    chmod 0711 "$tmp"
    TMPDIR=$tmp "$@" || rc=$?
    left=$(cd "$tmp" && find . -mindepth 1 -maxdepth 2 | sort)
    if [[ -n $left ]]; then
        echo "test.sh: the tests left these in their temporary folder ($tmp):" >&2
        printf '%s\n' "$left" | head -50 | sed 's/^/  /' >&2
        [[ $rc == 0 ]] && rc=3
    fi
    rm -rf "$tmp"
    after=$(ours_in_outer_tmp)
    new=$(comm -13 <(printf '%s\n' "$before") <(printf '%s\n' "$after") | sed '/^$/d')
    if [[ -n $new ]]; then
        echo "test.sh: the tests left these beside their temporary folder (paths they name themselves):" >&2
        printf '%s\n' "$new" | head -50 | sed 's/^/  /' >&2
        [[ $rc == 0 ]] && rc=3
    fi
    return "$rc"
}

run_ctest() {
    # --no-tests=error: an empty selection (a typo in -R, a broken CMakeLists) must fail.
    with_private_tmp ctest --test-dir "$1" --output-on-failure --no-tests=error \
        -j"$ctest_jobs" --output-junit ctest-junit.xml "${ctest_filter[@]}"
}

# The sanitizer run, in a subshell so the variables stay out of the other phases.
# abort_on_error: a finding kills the test with SIGABRT so ctest cannot miss it.
# Leak reports from OpenMPI/PMIx/hwloc/libevent/OpenBLAS/libgomp internals are
# suppressed by tests/lsan.supp; leaks in our code still fail.
asan_ctest() (
    export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
    export LSAN_OPTIONS="suppressions=$repo/tests/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
    export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
    run_ctest "$1"
)

total_start=$(date +%s.%N)

if [[ $run_deps == 1 ]]; then
    phase "deps" scripts/deps.sh --test || true
fi
if [[ $run_slurm == 1 ]]; then
    phase "slurm" slurm_phase || true
fi
if [[ $run_cluster == 1 ]]; then
    phase "cluster" cluster_phase || true
fi

if [[ $run_normal == 1 ]]; then
    if phase "build ($build_dir)" configure_and_build "$build_dir" -DBENCHAAS_SANITIZE=OFF; then
        phase "ctest ($build_dir)" run_ctest "$build_dir" || true
    fi
fi

if [[ $run_asan == 1 ]]; then
    if phase "build ($asan_dir)" configure_and_build "$asan_dir" -DBENCHAAS_SANITIZE=ON; then
        phase "ctest ($asan_dir)" asan_ctest "$asan_dir" || true
    fi
fi

# Fuzzing: every libFuzzer target of tests/fuzz for a bounded time (clang).
# Random by nature, so a crash found here is reported loudly but fails the
# run only with BENCHAAS_FUZZ_STRICT=1 (a build that fails, or a missing target,
# always fails the run); the saved inputs it finds go to
# tests/fuzz/regressions/, which the ctest runs above replay deterministically.
fuzz_phase() {
    if ! command -v clang >/dev/null 2>&1; then
        echo "fuzz: clang not installed; skipped"
        return 0
    fi
    local rc=0
    with_private_tmp env FUZZ_BUILD="$repo/build-fuzz" \
        FUZZ_SECONDS="${BENCHAAS_FUZZ_SECONDS:-15}" tests/fuzz/run.sh || rc=$?
    [[ $rc == 0 ]] && return 0
    if [[ $rc == 3 ]]; then
        echo "fuzz: THE TARGETS LEFT FILES BEHIND (see above)" >&2
        return 1
    fi
    if [[ $rc == 2 ]]; then
        # not chance: the targets do not build (or one is missing), and that always fails
        echo "fuzz: THE FUZZ TARGETS DID NOT BUILD (see above)" >&2
        return 1
    fi
    echo "fuzz: A TARGET CRASHED (see above; artifacts in build-fuzz/artifacts/)" >&2
    [[ ${BENCHAAS_FUZZ_STRICT:-0} == 1 ]] && return 1
    return 0
}
if [[ $run_fuzz == 1 ]]; then
    phase "fuzz (build-fuzz)" fuzz_phase || true
fi

if [[ $run_cluster == 1 ]]; then
    phase "cluster down" cluster_down_phase || true
fi

total_end=$(date +%s.%N)
echo
echo "==== summary"
printf '%s\n' "${summary[@]}"
printf '%-34s %8ss\n' "total" "$(awk -v a="$total_start" -v b="$total_end" 'BEGIN { printf "%.1f", b - a }')"
if [[ $failed != 0 ]]; then
    echo "test.sh: FAILED" >&2
    exit 1
fi
echo "test.sh: all phases passed"
