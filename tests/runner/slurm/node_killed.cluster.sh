# A node killed while a 2-node HPL job runs on it (its slurmd, its ranks and its link):
# the run is recorded failed and its error names the node; Slurm does not requeue the
# job behind our back; `submit --retry-failed` runs the point again on nodes that are up
# (never the dead one); the failed run stays (nothing lost), one ok run is added (nothing
# stored twice), and a later collect changes nothing.
# Fails when: the batch script lets Slurm requeue the job (the point runs again unseen
# and the run stays queued); reconcile does not name the failed node; --retry-failed
# skips the failed point or runs an ok one again.
. "$CLUSTER_LIB" || exit 1
need_cluster
cat > k.cfg <<'CFG'
experiments = ( { name = "hpl2"; plugin = "hpl"; ranks = 2; repetitions = 8; slurm = { nodes = 2; };
    params = { N = 5000; NB = 128; P = 1; Q = 2; }; } );
slurm = { time_limit = "5"; };
CFG
expect_rc 0 bx submit k.cfg --db k.db
job=$(grep -o 'job [0-9]*' "$TMP/out" | awk '{print $2}')
[ -n "$job" ] || fail "no job id: $(cat "$TMP/out")"
for _ in $(seq 60); do
    [ "$(squeue -h -j "$job" -o %T)" = RUNNING ] && break
    sleep 0.5
done
victim=$(scontrol show hostnames "$(squeue -h -j "$job" -o %N)" | tail -1)
[ -n "$victim" ] || fail "job $job has no nodes"
# The kill must land inside the run, not after it: wait until the victim's rank (an
# MPI worker in its namespace) is running, then one second more (eight repetitions of
# N=5000 leave several seconds of work on any machine).  A kill after the run's end
# would rightly store it as ok, and that is not what this test is about.
rank_running() {
    local pid
    for pid in $(ip netns pids "$victim" 2>/dev/null); do
        tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'benchaas-worker-mpi' && return 0
    done
    return 1
}
for _ in $(seq 100); do rank_running && break; sleep 0.1; done
rank_running || fail "no rank of job $job ever ran on $victim"
sleep 1
fault kill "$victim"
for _ in $(seq 90); do
    st=$(squeue -h --states=all -j "$job" -o %T)
    case $st in RUNNING|COMPLETING|CONFIGURING) sleep 1 ;; *) break ;; esac
done
eq "$st" NODE_FAIL "job $job's state after $victim died"
expect_rc 0 bx collect --db k.db
eq "$(sql k.db "SELECT status FROM runs")" failed "the run's status"
err=$(sql k.db "SELECT error FROM runs")
grep -qF "node $victim failed" <<<"$err" || fail "the error does not name $victim: $err"
# again, with the node still dead: on two of the three nodes that are up
expect_rc 0 bx submit k.cfg --db k.db --retry-failed --wait
eq "$(sql k.db "SELECT group_concat(status, ' ') FROM (SELECT status FROM runs ORDER BY id)")" "failed ok" "runs after the retry"
eq "$(sql k.db "SELECT count(DISTINCT uuid) FROM runs")" 2 "distinct runs"
ok=$(sql k.db "SELECT id FROM runs WHERE status = 'ok'")
nodes=$(prov k.db "$ok" nodes)
eq "$(tr ',' '\n' <<<"$nodes" | grep -c .)" 2 "nodes of the retried run ($nodes)"
grep -qw "$victim" <<<"${nodes//,/ }" && fail "the retry ran on the dead node $victim"
expect_rc 0 bx collect --db k.db
expect_rc 0 bx submit k.cfg --db k.db --retry-failed --wait
eq "$(sql k.db "SELECT count(*) FROM runs")" 2 "runs after collect and a second retry"
exit 0
