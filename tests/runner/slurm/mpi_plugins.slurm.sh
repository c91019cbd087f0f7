# Real benchmarks through Slurm: a 2-rank HPL (srun --mpi=pmix) and a 2-thread STREAM in one
# packed submission, and the same HPL with launch = "mpirun" inside the allocation.
. "$TEST_LIB"
need_slurm
hpl_so="$BENCHAAS_BUILD/lib/benchaas/plugins/hpl.so"
stream_so="$BENCHAAS_BUILD/lib/benchaas/plugins/stream.so"
[ -e "$hpl_so" ] && [ -e "$stream_so" ] || skip "the hpl and stream plugins are not built"
cat > s.cfg <<'CFG'
experiments = (
  { name = "hpl2"; plugin = "hpl"; ranks = 2; params = { N = 600; NB = 64; P = 1; Q = 2; }; },
  { name = "stream2"; plugin = "stream"; threads = 2; params = { array_size = 2000000; ntimes = 3; }; },
  { name = "hpl2-mpirun"; plugin = "hpl"; ranks = 2; params = { N = 500; NB = 32; P = 2; Q = 1; };
    slurm = { launch = "mpirun"; }; }
);
slurm = { time_limit = "5"; };
CFG
expect_rc 0 bx submit s.cfg --db s.db --wait
eq "$(sql s.db "SELECT group_concat(status) FROM (SELECT status FROM runs ORDER BY id)")" "ok,ok,ok" "statuses"
eq "$(sql s.db "SELECT value FROM results WHERE metric='passed' ORDER BY run_id LIMIT 1")" 1.0 "hpl residual check passed"
eq "$(sql s.db "SELECT ranks FROM runs WHERE experiment='hpl2'")" 2 "hpl ran on 2 ranks"
eq "$(sql s.db "SELECT value FROM results WHERE metric='validated'")" 1.0 "stream validated"
eq "$(sql s.db "SELECT count(DISTINCT job_id) FROM runs")" 3 "one job per experiment"
grep -q "srun --mpi=" s.db.spool/job-hpl2-*.sbatch || fail "hpl2 did not use srun"
grep -q "^timeout.*mpirun -np 2" s.db.spool/job-hpl2-mpirun-*.sbatch || fail "hpl2-mpirun did not use mpirun"
