# HPL on 2 and 4 nodes through `benchaas submit` (one rank a node; 1x2 and 2x2 grids):
# the residual passes, the run's provenance names every node it ran on (and only those),
# the job's ranks really were spread (Slurm's node list of the job), and a second collect
# stores nothing again.
# Fails when: the runner drops slurm.nodes (every rank lands on one node: one name);
# the worker names only rank 0's host; collect ingests a document twice.
. "$CLUSTER_LIB" || exit 1
need_cluster
cat > h.cfg <<'CFG'
experiments = (
  { name = "hpl2"; plugin = "hpl"; ranks = 2; repetitions = 1; slurm = { nodes = 2; };
    params = { N = 400; NB = 64; P = 1; Q = 2; }; },
  { name = "hpl4"; plugin = "hpl"; ranks = 4; repetitions = 1; slurm = { nodes = 4; };
    params = { N = 400; NB = 64; P = 2; Q = 2; }; }
);
slurm = { time_limit = "5"; };
CFG
expect_rc 0 bx submit h.cfg --db h.db --wait
eq "$(sql h.db "SELECT count(*) FROM runs")" 2 "runs stored"
eq "$(sql h.db "SELECT count(*) FROM runs WHERE status = 'ok'")" 2 "ok runs"
for n in 2 4; do
    id=$(sql h.db "SELECT r.id FROM runs r JOIN params p ON p.run_id = r.id WHERE p.name = 'Q' AND r.ranks = $n")
    [ -n "$id" ] || fail "no run with $n ranks"
    eq "$(sql h.db "SELECT CAST(value AS INT) FROM metrics WHERE run_id = $id AND name = 'passed'")" 1 "HPL $n nodes: residual check"
    names=$(prov h.db "$id" nodes)
    eq "$(tr ',' '\n' <<<"$names" | sort -u | grep -c '^bxnode[0-9]*$')" "$n" "nodes in the provenance of the $n-node run ($names)"
    host=$(sql h.db "SELECT host FROM runs_view WHERE id = $id" 2>/dev/null || sql h.db "SELECT h.name FROM runs r JOIN hosts h ON h.id = r.host_id WHERE r.id = $id")
    grep -qF "$host" <<<"$names" || fail "rank 0's host $host is not among the nodes $names"
    job=$(sql h.db "SELECT job_id FROM runs WHERE id = $id")
    eq "$(prov h.db "$id" env.SLURM_JOB_NUM_NODES)" "$n" "Slurm job $job's node count"
done
# stored once: collecting again finds nothing new
expect_rc 0 bx collect --db h.db
eq "$(sql h.db "SELECT count(*) FROM runs")" 2 "runs after a second collect"
exit 0
