#!/bin/bash
# cli_test.sh BENCHAAS — the mdtest plugin end to end through the benchaas CLI:
# one rank and two MPI ranks (shared and unique folders), every phase's rate
# stored with one sample per repetition, what was in `path` before left as it
# was and nothing of the run's left behind, and bad input refused (exit 2).
# Files go to a folder under $MDTEST_TEST_DIR (default /var/tmp, a real disk).
set -u
BX=${1:?usage: cli_test.sh path/to/benchaas}
DIR=$(mktemp -d "${MDTEST_TEST_DIR:-/var/tmp}/benchaas-mdtest-cli.XXXXXX") || exit 1
trap 'rm -rf "$DIR"' EXIT
cd "$DIR" || exit 1
unset BENCHAAS_DB BENCHAAS_PLUGIN_PATH
DB=$DIR/r.db
D=$DIR/data
mkdir -p "$D/theirs" && echo "keep me" >"$D/theirs.txt"

fail() { echo "FAIL: $*" >&2; exit 1; }
expect() {
    local want=$1; shift
    "$BX" "$@" >"$DIR/out" 2>"$DIR/err"
    local rc=$?
    [ "$rc" -eq "$want" ] || { cat "$DIR/out" "$DIR/err" >&2; fail "exit $rc, expected $want: $*"; }
}
q() { sqlite3 -batch "$DB" "$1"; }
last() { q "SELECT $1 FROM runs_view ORDER BY run_id DESC LIMIT 1"; }
untouched() {
    [ "$(ls -A "$D" | tr '\n' ' ')" = "theirs theirs.txt " ] || fail "$1: path holds $(ls -A "$D")"
    [ "$(cat "$D/theirs.txt")" = "keep me" ] || fail "$1: theirs.txt changed"
    [ -z "$(ls -A "$D/theirs")" ] || fail "$1: theirs/ changed"
}

# 1. one rank, files written and read back
expect 0 run mdtest -p path="$D" -p items=200 -p write_bytes=512 -p read_bytes=512 \
    --repetitions 2 --db "$DB"
[ "$(last status)" = ok ] || fail "run 1: $(last status)"
for m in dir_create dir_stat dir_remove file_create file_stat file_read file_remove; do
    [ "$(q "SELECT value > 0 FROM results WHERE metric='$m' AND unit='op/s'")" = 1 ] \
        || fail "no $m in op/s"
    [ "$(q "SELECT count(*) FROM samples_view WHERE metric='$m'")" = 2 ] || fail "$m samples"
done
untouched "after one rank"

# 2. two MPI ranks, a folder each, then one shared folder
expect 0 run mdtest -p path="$D" -p items=100 -p unique_dir=true --ranks 2 --repetitions 1 --db "$DB"
[ "$(last status)" = ok ] || fail "unique_dir: $(last status)"
[ "$(last ranks)" = 2 ] || fail "ranks: $(last ranks)"
expect 0 run mdtest -p path="$D" -p items=100 -p files_only=true --ranks 2 --repetitions 1 --db "$DB"
[ "$(q "SELECT count(*) FROM results WHERE metric='dir_create' AND run_id=(SELECT max(id) FROM runs)")" = 0 ] \
    || fail "files_only ran the folder phases"
untouched "after two ranks"

# 3. bad input: exit 2, nothing stored, nothing made
runs=$(q "SELECT count(*) FROM runs")
expect 2 run mdtest -p path="$D/nope" --db "$DB"
grep -q "does not exist" "$DIR/err" || fail "message: $(cat "$DIR/err")"
expect 2 run mdtest -p path="$D/theirs.txt" --db "$DB"
grep -q "not a folder" "$DIR/err" || fail "message: $(cat "$DIR/err")"
[ "$(q "SELECT count(*) FROM runs")" = "$runs" ] || fail "a refused run was stored"
untouched "after refused runs"
echo "passed"
