# kill -9 of one MPI rank of a running point: the run is recorded `crashed`
# naming the signal, the next point runs, and no process of the job (mpirun,
# the other rank) is left behind.
. "$TEST_LIB" || exit 1
command -v mpirun >/dev/null || skip "no mpirun"
. "$BENCHAAS_SOURCE/tests/faults/lib/faults.sh" || exit 1
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"  # OpenMPI leaks at exit
# An absolute --db: the job's command lines name $TMP, so pgrep finds only ours.
"$BENCHAAS" run faulty --ranks 2 -p mode=hang,ok --timeout 100 --db "$TMP/m.db" >"$TMP/out" 2>"$TMP/err" &
pid=$!
wait_for 30 have_rank_pid 0 && wait_for 5 have_rank_pid 1
r0=$(rank_pid 0); r1=$(rank_pid 1)
[ -n "$r0" ] && [ -n "$r1" ] || { kill -9 $pid; no_leftovers "$TMP/"; cat "$TMP/err"; fail "the ranks did not start"; }
rm -f "$FAULT_PID_DIR"/*.pid
kill -9 "$r1"
wait_for 30 eval '! kill -0 $pid 2>/dev/null' || { kill -9 $pid; no_leftovers "$TMP/"; fail "the runner still runs 30 s after a rank was killed"; }
wait $pid
eq $? 1 "exit code"
eq "$(sql m.db "SELECT group_concat(status, ' ') FROM (SELECT status FROM runs ORDER BY id)")" "crashed ok" "statuses"
err=$(sql m.db "SELECT error FROM runs WHERE status='crashed'")
case "$err" in *"signal 9"*) ;; *) fail "the error does not name signal 9: $err" ;; esac
sleep 0.5
alive "$r0" && { kill -9 "$r0"; fail "rank 0 ($r0) outlived the job"; }
no_leftovers "$TMP/"
exit 0
