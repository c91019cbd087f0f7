# kill -9 of the runner while it stores a result, at each moment of the ingest
# (the document read; inside the transaction just before COMMIT; committed but
# the spool files not yet removed): the database passes PRAGMA integrity_check,
# the document waits in the spool, and the next `collect` stores it exactly once.
# Uses the documented test hook BENCHAAS_TEST_PAUSE_INGEST (core/runner/run.c).
. "$TEST_LIB" || exit 1
. "$BENCHAAS_SOURCE/tests/faults/lib/faults.sh" || exit 1
expect_rc 0 bx run faulty -p value=1 --db k.db
value=10
for phase in before commit after; do
    value=$((value + 1))
    BENCHAAS_TEST_PAUSE_INGEST=$phase "$BENCHAAS" run faulty -p value=$value --db k.db \
        >"$TMP/out" 2>"$TMP/err" &
    pid=$!
    for _ in $(seq 300); do
        grep -q "pausing $phase ingest" "$TMP/err" && break
        kill -0 $pid 2>/dev/null || break
        sleep 0.1
    done
    grep -q "pausing $phase ingest" "$TMP/err" || { kill -9 $pid; cat "$TMP/err"; fail "$phase: the hook did not pause"; }
    kill -9 $pid
    wait $pid 2>/dev/null
    eq "$(sql k.db 'PRAGMA integrity_check')" ok "$phase: integrity_check after kill -9"
    want=0; [ $phase = after ] && want=1
    eq "$(sql k.db "SELECT count(*) FROM results WHERE metric='echo' AND value=$value")" $want \
       "$phase: runs stored before collect"
    eq "$(ls k.db.spool/*.result.json 2>/dev/null | wc -l)" 1 "$phase: result documents in the spool"
    expect_rc 0 bx collect --db k.db
    expect_out "collected 1 result"
    eq "$(sql k.db "SELECT count(*) FROM results WHERE metric='echo' AND value=$value")" 1 \
       "$phase: runs stored after collect"
    eq "$(sql k.db "SELECT status FROM runs JOIN metrics m ON m.run_id = runs.id WHERE m.name='echo' AND m.value=$value")" \
       ok "$phase: status"
    eq "$(ls k.db.spool | wc -l)" 0 "$phase: files left in the spool"
    eq "$(sql k.db 'PRAGMA integrity_check')" ok "$phase: integrity_check after collect"
done
eq "$(sql k.db 'SELECT count(*) FROM runs')" 4 "runs in the end"
eq "$(sql k.db 'SELECT count(DISTINCT uuid) FROM runs')" 4 "distinct runs"
exit 0
