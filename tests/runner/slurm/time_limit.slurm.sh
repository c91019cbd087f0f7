# A packed job killed by its time limit keeps every point that finished; the
# killed point becomes a timeout run with Slurm's reason.
# On a busy machine this takes minutes (the job may wait behind other jobs, Slurm
# kills within ~30 s after the limit, `--wait` polls every 30 s at most): its
# TIMEOUT is longer than the other Slurm tests' (tests/CMakeLists.txt), and a failure
# shows what Slurm and the database said.
. "$TEST_LIB"
need_slurm
cat > s.cfg <<'CFG'
experiments = ( { name = "tl"; plugin = "trivial"; params = { mode = ["ok", "hang", "ok"]; }; } );
slurm = { time_limit = "1"; };
CFG
explain() {
    echo "--- runs"; sql s.db "SELECT id, status, job_id, error FROM runs ORDER BY id"
    for j in $(sql s.db "SELECT DISTINCT job_id FROM runs WHERE job_id IS NOT NULL"); do
        echo "--- scontrol show job $j"; scontrol show job "$j" 2>&1
        echo "--- the job's output"; cat s.db.spool/slurm-"$j".out 2>&1
    done
    echo "--- submit's stderr"; cat "$TMP/err"
}
bx submit s.cfg --db s.db --wait >"$TMP/out" 2>"$TMP/err"
rc=$?
got=$(sql s.db "SELECT group_concat(status) FROM (SELECT status FROM runs ORDER BY id)")
[ "$rc" = 1 ] && [ "$got" = "ok,timeout,timeout" ] || { explain; fail "exit code $rc, statuses '$got', wanted 1 and 'ok,timeout,timeout'"; }
sql s.db "SELECT error FROM runs WHERE status='timeout' LIMIT 1" | grep -q "time limit" || { explain; fail "error does not name the time limit"; }
