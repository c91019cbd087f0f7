#!/bin/bash
# stream_cli.sh BENCHAAS — the stream plugin end to end through the CLI:
# ordinary and non-temporal stores, two MPI ranks, and bad input (exit 2,
# nothing stored).  Small arrays: the whole script takes a few seconds.
set -u
BX=${1:?usage: stream_cli.sh PATH/TO/benchaas}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
DB=$TMP/stream.db
fails=0

fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

# run EXPECTED_EXIT ARGS... — benchaas run stream ARGS, output in $TMP/out, $TMP/err
run() {
    local want=$1; shift
    "$BX" run stream --db "$DB" "$@" >"$TMP/out" 2>"$TMP/err"
    local rc=$?
    if [ "$rc" != "$want" ]; then
        fail "benchaas run stream $* exited $rc, expected $want"
        sed 's/^/    /' "$TMP/err" >&2
    fi
}

# value METRIC — the newest stored value of METRIC
value() { sqlite3 "$DB" "SELECT value FROM results WHERE metric='$1' ORDER BY run_id DESC LIMIT 1"; }
# meta KEY — the newest run's metadata (table run_meta), warnings — its warnings
last_run() { sqlite3 "$DB" "SELECT max(run_id) FROM results"; }
meta() { sqlite3 "$DB" "SELECT value FROM run_meta WHERE key='$1' AND run_id=$(last_run)"; }
warnings() { sqlite3 "$DB" "SELECT text FROM warnings WHERE run_id=$(last_run)"; }
rows() { sqlite3 "$DB" "SELECT count(*) FROM results" 2>/dev/null || echo 0; }
positive() { awk -v v="$1" 'BEGIN { exit !(v + 0 > 0) }'; }

# 1. ordinary stores, two threads
run 0 -p array_size=200000 -p ntimes=3 --threads 2
positive "$(value triad)" || fail "triad is '$(value triad)' after an ordinary run"
[ "$(value validated)" = 1.0 ] || [ "$(value validated)" = 1 ] ||
    fail "validated is '$(value validated)'"
[ -z "$(meta tuned)" ] || fail "an ordinary run is labelled tuned: '$(meta tuned)'"
# 4.8 MB of arrays are no match for any last-level cache: the rule is broken, and said so
warnings | grep -q "last-level cache" || fail "no cache-size warning stored: '$(warnings)'"

# 2. non-temporal stores
run 0 -p array_size=200000 -p ntimes=3 -p nt_stores=true --threads 2
positive "$(value triad)" || fail "triad is '$(value triad)' with nt_stores"
if [ "$(meta stores)" = non-temporal ]; then # (not on CPUs without such stores)
    [ "$(meta tuned)" = nt_stores ] || fail "nt_stores run not labelled tuned: '$(meta tuned)'"
fi

# 3. two ranks (mpi launcher): the aggregate is stored
run 0 -p array_size=200000 -p ntimes=3 --ranks 2
positive "$(value triad)" || fail "triad is '$(value triad)' with 2 ranks"
[ "$(value validated)" = 1.0 ] || [ "$(value validated)" = 1 ] ||
    fail "validated is '$(value validated)' with 2 ranks"

# 4. bad input: exit 2 before anything runs, nothing stored
before=$(rows)
run 2 -p array_size=0
run 2 -p ntimes=1
run 2 -p array_size=1000000000000000
grep -q "available" "$TMP/err" || fail "no 'available' in the too-big message: $(cat "$TMP/err")"
[ "$(rows)" = "$before" ] || fail "bad input stored results ($before rows before, $(rows) after)"

# 5. the default array_size (from this machine's cache) is stored as the run's
#    array_size parameter, marked computed: a query for it finds the run
run 0 -p ntimes=2 --repetitions 1 --threads 2
n=$(meta array_size)
[ "$(meta array_size_source)" = default ] || fail "array_size_source '$(meta array_size_source)'"
[ "$(sqlite3 "$DB" "SELECT value FROM params WHERE name='array_size' AND run_id=$(last_run)")" = "$n" ] ||
    fail "computed array_size $n not in the params table"
"$BX" query -p "array_size=$n" --format csv --db "$DB" >"$TMP/out" 2>"$TMP/err" ||
    fail "query -p array_size=$n: $(cat "$TMP/err")"
[ "$(grep -c '^[0-9]' "$TMP/out")" -ge 1 ] || fail "query -p array_size=$n finds no run: $(cat "$TMP/out")"

[ "$fails" = 0 ] && echo "ok   stream end to end"
exit $((fails != 0))
