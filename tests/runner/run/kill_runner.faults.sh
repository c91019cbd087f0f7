# kill -9 of `benchaas run` while a point runs (locally, and under mpirun with
# two ranks): the worker, mpirun and the ranks do not outlive it (the kernel
# kills them: PR_SET_PDEATHSIG), the database is intact, and the next
# `collect` records the orphaned point as `interrupted`, once.
. "$TEST_LIB" || exit 1
. "$BENCHAAS_SOURCE/tests/faults/lib/faults.sh" || exit 1
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"  # OpenMPI leaks at exit
cases="1"
command -v mpirun >/dev/null && cases="1 2"
for ranks in $cases; do
    db="$TMP/k$ranks.db"
    expect_rc 0 bx run faulty --db "$db"         # one stored run before
    rm -f "$FAULT_PID_DIR"/*.pid
    # (TMPDIR: mpirun, killed with the runner, cannot remove its session folder; it is
    # left in this test's folder, removed with it, instead of the temporary folder)
    TMPDIR="$TMP" "$BENCHAAS" run faulty --ranks $ranks -p mode=hang,ok --db "$db" >"$TMP/out" 2>"$TMP/err" &
    pid=$!
    wait_for 30 have_rank_pid 0 || { kill -9 $pid; no_leftovers "$TMP/"; fail "ranks=$ranks: the worker did not start"; }
    w=$(rank_pid 0)
    kill -9 $pid
    wait $pid 2>/dev/null
    wait_for 10 eval '! alive $w' || fail "ranks=$ranks: the worker ($w) outlived the runner's kill -9"
    sleep 0.5
    no_leftovers "$TMP/"
    eq "$(sql "$db" 'PRAGMA integrity_check')" ok "ranks=$ranks: integrity_check"
    eq "$(sql "$db" 'SELECT count(*) FROM runs')" 1 "ranks=$ranks: runs before collect"
    expect_rc 0 bx collect --db "$db"
    expect_out "collected 1 result"
    eq "$(sql "$db" "SELECT status FROM runs ORDER BY id DESC LIMIT 1")" interrupted "ranks=$ranks: status"
    case "$(sql "$db" "SELECT error FROM runs ORDER BY id DESC LIMIT 1")" in
        *"runner stopped"*) ;; *) fail "ranks=$ranks: the error does not say why" ;;
    esac
    eq "$(sql "$db" "SELECT ranks || ' ' || launcher FROM runs ORDER BY id DESC LIMIT 1")" \
       "$ranks $([ $ranks = 1 ] && echo local || echo mpi)" "ranks=$ranks: the run's settings"
    eq "$(ls "$db.spool" | wc -l)" 0 "ranks=$ranks: files left in the spool"
    expect_rc 0 bx collect --db "$db"
    expect_out "collected 0 results"
    eq "$(sql "$db" 'SELECT count(*) FROM runs')" 2 "ranks=$ranks: runs after collecting twice"
done
exit 0
