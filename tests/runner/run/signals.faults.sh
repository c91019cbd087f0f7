# SIGINT, SIGTERM and SIGHUP to `benchaas run`: the running point's worker is
# stopped (also one that ignores SIGTERM: SIGKILL follows), the point is
# recorded `interrupted` with the reason, the remaining points are not run,
# the runner exits 1 promptly and no process is left behind.
. "$TEST_LIB" || exit 1
. "$BENCHAAS_SOURCE/tests/faults/lib/faults.sh" || exit 1
n=0
for case in INT:hang TERM:stubborn HUP:hang; do
    sig=${case%%:*} mode=${case#*:}
    n=$((n + 1))
    rm -f "$FAULT_PID_DIR"/*.pid
    # setsid: the runner alone in its session, as under nohup/ssh; the signal goes to it only.
    setsid "$BENCHAAS" run faulty -p mode=$mode,ok,ok --db "$TMP/s$n.db" >"$TMP/out" 2>"$TMP/err" &
    pid=$!
    wait_for 30 have_rank_pid 0 || { kill -9 $pid; no_leftovers "$TMP/"; fail "$sig: the worker did not start"; }
    w=$(rank_pid 0)
    kill -$sig $pid
    wait_for 10 eval '! kill -0 $pid 2>/dev/null' || { kill -9 $pid; no_leftovers "$TMP/"; fail "$sig: the runner still runs 10 s later"; }
    wait $pid
    eq $? 1 "$sig: exit code"
    eq "$(sql s$n.db "SELECT group_concat(status, ' ') FROM runs")" interrupted "$sig: runs stored"
    case "$(sql s$n.db "SELECT error FROM runs")" in
        *interrupted*) ;; *) fail "$sig: the error does not say interrupted" ;;
    esac
    grep -q "the remaining points were not run" "$TMP/err" || { cat "$TMP/err"; fail "$sig: no message about the remaining points"; }
    sleep 0.2
    alive "$w" && { kill -9 "$w"; fail "$sig: the worker ($w) outlived the interrupt"; }
    no_leftovers "$TMP/"
    eq "$(ls s$n.db.spool | wc -l)" 0 "$sig: files left in the spool"
done
exit 0
