# tests/lib.sh — helpers for the CLI tests (tests/LIBRARY/FILE/CASE[.FAMILY].sh).
#
# Each test runs in a fresh temporary folder (cwd), with
#   $BENCHAAS               the built runner
#   $BENCHAAS_TEST_PLUGINS  the test plugins: good/trivial.so and broken ones
#   $BENCHAAS_SOURCE        the source tree, $BENCHAAS_BUILD the build tree
# and BENCHAAS_PLUGIN_PATH pointing at the good test plugin.
# A test exits 0 on success, 1 on failure (use `fail`), 77 to skip (`skip`).
set -u
: "${BENCHAAS:?BENCHAAS must name the runner}"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/benchaas-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
cd "$TMP" || exit 1
export BENCHAAS_PLUGIN_PATH="$BENCHAAS_TEST_PLUGINS/good"
unset BENCHAAS_DB

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }

# bx ARGS...: the runner.
bx() { "$BENCHAAS" "$@"; }

# expect_rc CODE CMD...: run CMD, stdout to $TMP/out, stderr to $TMP/err; check its exit code.
expect_rc() {
    local want=$1; shift
    "$@" >"$TMP/out" 2>"$TMP/err"
    local rc=$?
    if [ "$rc" -ne "$want" ]; then
        echo "--- stdout"; cat "$TMP/out"; echo "--- stderr"; cat "$TMP/err"
        fail "expected exit code $want, got $rc: $*"
    fi
}
# expect_err TEXT / expect_out TEXT: the last command's stderr / stdout contains TEXT (fixed string).
expect_err() { grep -qF -- "$1" "$TMP/err" || { cat "$TMP/err" >&2; fail "stderr lacks: $1"; }; }
expect_out() { grep -qF -- "$1" "$TMP/out" || { cat "$TMP/out" >&2; fail "stdout lacks: $1"; }; }
# sql DB QUERY: one query through the sqlite3 shell.
sql() { sqlite3 -batch "$1" "$2"; }
# eq GOT WANT MESSAGE
eq() { [ "$1" = "$2" ] || fail "$3: got '$1', want '$2'"; }

# need_slurm: skip unless a Slurm controller answers with a usable node.
# Slurm's jobs run as the submitting user on this host, so the test folder
# must be reachable by them: it is, as it is ours.
need_slurm() {
    command -v sbatch >/dev/null 2>&1 || skip "no sbatch installed"
    timeout 15 sinfo --noheader --format=%T 2>/dev/null | grep -qE '^(idle|mixed|allocated|completing)' \
        || skip "no Slurm node answers (scripts/slurm-up.sh starts one as root)"
}
