#!/bin/bash
# cli_test.sh BENCHAAS — the ior plugin end to end through the benchaas CLI:
# runs recorded with their metrics and samples, bad input (exit 2, nothing
# written), a corrupted kept file caught (exit 1, run `failed`, verified 0),
# and no files left behind.  Files go to a folder under $IOR_TEST_DIR
# (default /var/tmp, a real disk).
set -u
BX=${1:?usage: cli_test.sh path/to/benchaas}
DIR=$(mktemp -d "${IOR_TEST_DIR:-/var/tmp}/benchaas-ior-cli.XXXXXX") || exit 1
trap 'rm -rf "$DIR"' EXIT
cd "$DIR" || exit 1
unset BENCHAAS_DB BENCHAAS_PLUGIN_PATH
DB=$DIR/r.db
F=$DIR/data/f
mkdir "$DIR/data"

fail() { echo "FAIL: $*" >&2; exit 1; }
# expect CODE ARGS...: run benchaas, check the exit code
expect() {
    local want=$1; shift
    "$BX" "$@" >"$DIR/out" 2>"$DIR/err"
    local rc=$?
    [ "$rc" -eq "$want" ] || { cat "$DIR/out" "$DIR/err" >&2; fail "exit $rc, expected $want: $*"; }
}
q() { sqlite3 -batch "$DB" "$1"; }
empty() { [ -z "$(ls -A "$DIR/data")" ] || fail "$1: files left: $(ls "$DIR/data")"; }

# 1. two ranks, verified: metrics in the results view, one sample per repetition
expect 0 run ior -p path="$F" -p block_size=1m -p transfer_size=64k -p segments=2 \
    -p verify=true --ranks 2 --repetitions 2 --db "$DB"
[ "$(q "SELECT status FROM runs_view")" = ok ] || fail "run 1 not ok"
[ "$(q "SELECT value FROM results WHERE metric='verified'")" = 1.0 ] || fail "verified != 1"
[ "$(q "SELECT value > 0 FROM results WHERE metric='write_bw' AND unit='MiB/s'")" = 1 ] \
    || fail "no write_bw in MiB/s"
[ "$(q "SELECT count(*) FROM samples_view WHERE metric='read_bw'")" = 2 ] \
    || fail "read_bw: $(q "SELECT count(*) FROM samples_view WHERE metric='read_bw'") samples, want 2"
empty "after an ok run"

# 2. MPI-IO, file per process, collective, four ranks
expect 0 run ior -p api=mpiio -p file_per_process=true -p collective=true -p path="$F" \
    -p block_size=256k -p transfer_size=64k -p verify=true --ranks 4 --repetitions 1 --db "$DB"
[ "$(q "SELECT count(*) FROM results WHERE metric='verified' AND value=1")" = 2 ] \
    || fail "mpiio run not verified"
empty "after the mpiio run"

# 3. bad input: exit 2 before anything runs, nothing stored
runs=$(q "SELECT count(*) FROM runs")
expect 2 run ior -p path="$F" -p block_size=1m -p transfer_size=2m --db "$DB"
grep -q "larger than block_size" "$DIR/err" || fail "message: $(cat "$DIR/err")"
expect 2 run ior -p path="$DIR/nope/f" --db "$DB"
grep -q "does not exist" "$DIR/err" || fail "message: $(cat "$DIR/err")"
expect 2 run ior -p path="$F" -p block_size=1g -p segments=100000000 --db "$DB"
grep -q "not enough free space" "$DIR/err" || fail "message: $(cat "$DIR/err")"
[ "$(q "SELECT count(*) FROM runs")" = "$runs" ] || fail "a refused run was stored"
empty "after refused runs"

# 4. kept file, one byte corrupted, read back verified: failed run, exit 1
expect 0 run ior -p path="$F" -p phases=write -p keep=true -p block_size=256k \
    -p transfer_size=64k --repetitions 1 --db "$DB"
[ -f "$F" ] || fail "keep=true did not keep $F"
printf 'X' | dd of="$F" bs=1 seek=70000 conv=notrunc status=none
expect 1 run ior -p path="$F" -p phases=read -p verify=true -p block_size=256k \
    -p transfer_size=64k --repetitions 1 --db "$DB"
[ "$(q "SELECT status FROM runs_view ORDER BY run_id DESC LIMIT 1")" = failed ] || fail "not failed"
q "SELECT error FROM runs_view ORDER BY run_id DESC LIMIT 1" | grep -q "offset 70000 " \
    || fail "error text: $(q "SELECT error FROM runs_view ORDER BY run_id DESC LIMIT 1")"
[ "$(q "SELECT value FROM results WHERE metric='verified' ORDER BY run_id DESC LIMIT 1")" = 0.0 ] \
    || fail "verified != 0"
empty "a read-only run without keep removes the files"
echo "passed"
