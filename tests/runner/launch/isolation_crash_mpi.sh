# Under the mpi launcher, a rank that dies of SIGSEGV is recorded as crashed
# naming signal 11 (not only mpirun's exit code), and the next point runs.
. "$TEST_LIB" || exit 1
# Under AddressSanitizer the SIGSEGV must reach the runner as a signal, not as
# ASan's report and exit 1 (the crash is the point of this test).
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}handle_segv=0:detect_leaks=0"
command -v mpirun >/dev/null || skip "no mpirun"
expect_rc 1 bx run trivial --launcher mpi -p mode=crash,ok --db m.db
eq "$(sql m.db "SELECT group_concat(status, ' ') FROM (SELECT status FROM runs ORDER BY id)")" "crashed ok" "statuses"
eq "$(sql m.db "SELECT DISTINCT launcher FROM runs")" mpi "launcher"
err=$(sql m.db "SELECT error FROM runs WHERE status='crashed'")
case "$err" in *"signal 11"*) ;; *) fail "the error does not name signal 11: $err" ;; esac
exit 0
