# Inside the job the worker tells plugins how many ranks share their node
# (bx_node_ranks, from MPI's shared-memory split): 2 for two ranks here, 1 for
# a single local rank.  The faulty plugin stores what it was told as meta.
. "$TEST_LIB" || exit 1
command -v mpirun >/dev/null || skip "no mpirun"
. "$BENCHAAS_SOURCE/tests/faults/lib/faults.sh" || exit 1
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"  # OpenMPI leaks at exit
expect_rc 0 bx run faulty --ranks 2 -p mode=ok --db n.db
expect_rc 0 bx run faulty -p mode=ok --db n.db
eq "$(sql n.db "SELECT group_concat(value, ' ') FROM (SELECT value FROM run_meta WHERE key = 'node_ranks' ORDER BY run_id)")" "2 1" "node_ranks seen by the plugin"
exit 0
