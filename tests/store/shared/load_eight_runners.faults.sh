# Eight `benchaas run` processes and `collect`, run again and again, writing one
# database at once: every run is stored exactly once with all its metrics and
# samples, every runner exits 0 (collect never takes a result from under the
# runner that is about to store it), the spool ends empty, the file is intact.
# The database does not exist at first and every runner is held for a moment in the
# middle of creating it (BENCHAAS_TEST_CREATE_DELAY_MS): a runner that looks at the file
# then must not take it for a foreign one (issue: one runner in eight refused it).
. "$TEST_LIB" || exit 1
. "$BENCHAAS_SOURCE/tests/faults/lib/faults.sh" || exit 1
P=12                                   # points per runner
L=$(seq -s, 1 $P)
pids=""
for r in 1 2 3 4 5 6 7 8; do
    BENCHAAS_TEST_CREATE_DELAY_MS=300 "$BENCHAAS" run faulty -p value=$L --repetitions 2 --tag r$r --db "$TMP/l.db" >"$TMP/r$r.out" 2>"$TMP/r$r.err" &
    pids="$pids $!"
done
# collect in a loop while they run, from when the runners have made the database (collect
# refuses a file that is not there yet: it has nothing to store into)
n=0
until [ -s "$TMP/l.db" ] && sqlite3 "file:$TMP/l.db?mode=ro" "SELECT 1 FROM runs LIMIT 1" >/dev/null 2>&1; do
    n=$((n + 1)); [ $n -gt 600 ] && fail "no runner made the database in 30 s"
    sleep 0.05
done
(
    while :; do
        "$BENCHAAS" collect --db "$TMP/l.db" >>"$TMP/collect.out" 2>>"$TMP/collect.err" || echo "collect exit $?" >>"$TMP/collect.err"
        [ -e "$TMP/stop" ] && break
    done
) &
cpid=$!
rc_all=0
for p in $pids; do wait $p || rc_all=$?; done
touch "$TMP/stop"; wait $cpid
[ $rc_all -eq 0 ] || { cat "$TMP"/r*.err; fail "a runner exited $rc_all"; }
[ -s "$TMP/collect.err" ] && { cat "$TMP/collect.err"; fail "collect complained"; }
grep -q "collected" "$TMP/collect.out" || fail "collect never ran"
total=$((8 * P))
eq "$(sql l.db "SELECT count(*) FROM runs")" $total "runs"
eq "$(sql l.db "SELECT count(DISTINCT uuid) FROM runs")" $total "distinct runs"
eq "$(sql l.db "SELECT count(*) FROM runs WHERE status='ok'")" $total "runs ok"
eq "$(sql l.db "SELECT group_concat(n, ' ') FROM (SELECT count(*) AS n FROM tags GROUP BY tag)")" \
   "$(for _ in 1 2 3 4 5 6 7 8; do printf '%s ' $P; done | sed 's/ $//')" "runs per runner"
eq "$(sql l.db "SELECT count(*) FROM (SELECT t.tag, m.value FROM tags t JOIN metrics m ON m.run_id = t.run_id AND m.name='echo' GROUP BY t.tag, m.value)")" \
   $total "one run per runner and value"
eq "$(sql l.db "SELECT count(*) FROM samples WHERE metric='elapsed'")" $((total * 2)) "samples"
eq "$(ls l.db.spool | wc -l)" 0 "files left in the spool"
eq "$(sql l.db 'PRAGMA integrity_check')" ok "integrity_check"
eq "$(ls -a | grep -c '^l\.db\.new-')" 0 "creators' files left"
eq "$(stat -c %a l.db)" 600 "the database's mode"
exit 0
