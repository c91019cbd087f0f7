# Four ranks on four nodes, rank 2 held up inside OpenMPI's MPI_Init, before it sets its
# message handlers, for 2 s (tests/plugins/initstall.c, preloaded through slurm.env).
# Slurm's PMIx plugin lets the other ranks out of MPI_Init at once (its closing fence
# collects no data, and such a fence does not wait), so without the worker's fence after
# MPI_Init their first message reaches rank 2 before it can take it and rank 2 dies
# (SIGSEGV in the TCP BTL); with the fence the run is stored ok.
# Fails when: the worker does not wait for every rank after MPI_Init (ranks_out_of_init in
# core/worker/worker.c not called, or its fence collecting no data): rank 2 segfaults.
. "$CLUSTER_LIB" || exit 1
need_cluster
shim="$BENCHAAS_TEST_PLUGINS/preload/initstall.so"
[ -f "$shim" ] || fail "the test shim $shim is not built"
cat > r.cfg <<CFG
experiments = ( { name = "race"; plugin = "stream"; ranks = 4; repetitions = 1;
  params = { array_size = 100000; ntimes = 3; }; } );
slurm = { time_limit = "5"; nodes = 4;
  env = { LD_PRELOAD = "$shim"; BENCHAAS_TEST_STALL_RANK = "2"; }; };
CFG
expect_rc 0 bx submit r.cfg --db r.db --wait
eq "$(sql r.db "SELECT count(*) FROM runs WHERE status = 'ok'")" 1 "ok runs"
eq "$(prov r.db "$(sql r.db "SELECT id FROM runs")" nodes)" "bxnode1,bxnode2,bxnode3,bxnode4" "the run's nodes"
exit 0
