# A packed sweep is one job; every point comes back as its own run with the job id and a queue wait.
. "$TEST_LIB"
need_slurm
cat > s.cfg <<'CFG'
experiments = ( { name = "sweep"; plugin = "trivial"; params = { count = [100, 200, 300]; }; } );
slurm = { time_limit = "00:05:00"; };
CFG
expect_rc 0 bx submit s.cfg --db s.db --wait
expect_out "submitted sweep: job"
eq "$(sql s.db "SELECT count(*) FROM runs WHERE status='ok' AND launcher='slurm'")" 3 "ok runs"
eq "$(sql s.db "SELECT count(DISTINCT job_id) FROM runs")" 1 "one job"
eq "$(sql s.db "SELECT count(*) FROM results WHERE metric='queue_wait' AND value >= 0")" 3 "queue_wait metrics"
# collect again stores nothing twice
expect_rc 0 bx collect --db s.db
eq "$(sql s.db "SELECT count(*) FROM runs")" 3 "no duplicates after a second collect"
