# SIGTERM to `benchaas run` while an MPI point runs whose ranks ignore SIGTERM:
# mpirun and both ranks are stopped (SIGTERM to mpirun, then SIGKILL), the
# point is recorded `interrupted`, no process is left behind.
. "$TEST_LIB" || exit 1
command -v mpirun >/dev/null || skip "no mpirun"
. "$BENCHAAS_SOURCE/tests/faults/lib/faults.sh" || exit 1
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"  # OpenMPI leaks at exit
for mode in hang stubborn; do
    rm -f "$FAULT_PID_DIR"/*.pid
    setsid "$BENCHAAS" run faulty --ranks 2 -p mode=$mode,ok --db "$TMP/$mode.db" >"$TMP/out" 2>"$TMP/err" &
    pid=$!
    wait_for 30 have_rank_pid 0 && wait_for 5 have_rank_pid 1 || { kill -9 $pid; no_leftovers "$TMP/"; fail "$mode: the ranks did not start"; }
    r0=$(rank_pid 0) r1=$(rank_pid 1)
    kill -TERM $pid
    wait_for 15 eval '! kill -0 $pid 2>/dev/null' || { kill -9 $pid; no_leftovers "$TMP/"; fail "$mode: the runner still runs 15 s later"; }
    wait $pid
    eq $? 1 "$mode: exit code"
    eq "$(sql $mode.db "SELECT group_concat(status, ' ') FROM runs")" interrupted "$mode: runs stored"
    sleep 0.5
    for r in $r0 $r1; do alive $r && { kill -9 $r0 $r1; fail "$mode: rank $r outlived the interrupt"; }; done
    no_leftovers "$TMP/"
done
exit 0
