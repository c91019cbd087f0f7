# The whole-job memory timeline of a 4-node HPL run (one rank a node) has a series for
# each node: four nodes in timeline_nodes, one rank each, on the same time grid as the
# job's series, and the job's sum at each instant is the sum of the nodes'.
# Fails when: the worker groups ranks by anything but their node (MPI's shared-memory
# domain), e.g. one series for the job or one per rank under one name; the store drops a
# node's series.
. "$CLUSTER_LIB" || exit 1
need_cluster
cat > t.cfg <<'CFG'
experiments = ( { name = "hpl4"; plugin = "hpl"; ranks = 4; repetitions = 1; slurm = { nodes = 4; };
    params = { N = 2000; NB = 128; P = 2; Q = 2; }; } );
slurm = { time_limit = "5"; };
CFG
expect_rc 0 bx submit t.cfg --db t.db --wait
id=$(sql t.db "SELECT id FROM runs WHERE status = 'ok'")
[ -n "$id" ] || fail "the run is not ok: $(sql t.db "SELECT status, error FROM runs")"
eq "$(sql t.db "SELECT group_concat(node || ':' || ranks, ' ') FROM (SELECT DISTINCT node, ranks FROM timeline_nodes WHERE run_id = $id ORDER BY node)")" \
   "bxnode1:1 bxnode2:1 bxnode3:1 bxnode4:1" "the nodes' series (node:ranks)"
n=$(sql t.db "SELECT count(*) FROM timeline WHERE run_id = $id")
[ "$n" -ge 2 ] || fail "the job's timeline has $n points"
eq "$(sql t.db "SELECT count(DISTINCT c) FROM (SELECT count(*) AS c FROM timeline_nodes WHERE run_id = $id GROUP BY node)")" 1 "points per node all equal"
eq "$(sql t.db "SELECT count(*) FROM timeline_nodes WHERE run_id = $id AND node = 'bxnode1'")" "$n" "a node's points vs the job's"
bad=$(sql t.db "SELECT count(*) FROM timeline t JOIN (SELECT seq, sum(rss_mib) AS s FROM timeline_nodes WHERE run_id = $id GROUP BY seq) n
                ON n.seq = t.seq WHERE t.run_id = $id AND abs(t.rss_mib - n.s) > 0.01 * t.rss_mib + 0.1")
eq "$bad" 0 "instants where the job's memory is not the sum of the nodes'"
exit 0
