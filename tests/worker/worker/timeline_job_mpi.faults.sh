# Whole-job timelines: every rank samples its own RSS and CPU; the stored
# timeline is the sum over the job's ranks, timeline_nodes has the sums per
# node with the number of ranks, max_rss stays the largest rank, and
# node_peak_rss / job_peak_rss are the peaks of the summed series.
. "$TEST_LIB" || exit 1
command -v mpirun >/dev/null || skip "no mpirun"
. "$BENCHAAS_SOURCE/tests/faults/lib/faults.sh" || exit 1
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" # OpenMPI leaks at exit
expect_rc 0 bx run faulty -p mode=sleep -p seconds=0.4 --repetitions 2 --ranks 2 --db t.db --keep-spool --quiet
doc=$(ls t.db.spool/*.result.json)
grep -q '"timeline_nodes":\[{"node":"[^"]*","ranks":2,"timeline":\[\[0' "$doc" ||
    fail "no per-node timeline with 2 ranks: $(grep -o '"timeline_nodes":.\{0,80\}' "$doc")"
m() { sql t.db "SELECT value FROM results WHERE run_id = 1 AND metric = '$1'"; }
nodes=$(sql t.db "SELECT count(DISTINCT node) FROM timeline_nodes WHERE run_id = 1")
eq "$nodes" 1 "one node"
eq "$(sql t.db "SELECT DISTINCT ranks FROM timeline_nodes WHERE run_id = 1")" 2 "ranks summed"
n=$(sql t.db "SELECT count(*) FROM timeline WHERE run_id = 1")
[ "$n" -ge 2 ] || fail "only $n job timeline points"
eq "$(sql t.db "SELECT count(*) FROM timeline_nodes WHERE run_id = 1")" "$n" "node points = job points"
# one node: its sums are the job's
eq "$(sql t.db "SELECT count(*) FROM timeline j JOIN timeline_nodes n ON n.run_id = j.run_id AND n.seq = j.seq WHERE abs(j.rss_mib - n.rss_mib) > 0.011")" 0 "node sums = job sums"
# two processes together hold more than the largest alone; the peaks are of the sums
awk -v node="$(m node_peak_rss)" -v job="$(m job_peak_rss)" -v max="$(m max_rss)" \
    -v peak="$(sql t.db "SELECT max(rss_mib) FROM timeline WHERE run_id = 1")" \
    'BEGIN { exit !(node > max * 1.3 && node == job && job + 0.011 >= peak && peak + 0.011 >= job) }' ||
    fail "peaks: node_peak_rss=$(m node_peak_rss) job_peak_rss=$(m job_peak_rss) max_rss=$(m max_rss)"
eq "$(sql t.db "SELECT count(*) FROM timeline j JOIN timeline_nodes n ON n.run_id = j.run_id AND n.seq = j.seq WHERE j.seq > 0 AND (j.cpu_percent IS NULL OR abs(j.cpu_percent - n.cpu_percent) > 0.011)")" 0 "node CPU = job CPU"
# one process: the node is the job, 1 rank
expect_rc 0 bx run faulty -p mode=sleep -p seconds=0.3 --repetitions 1 --db t.db --quiet
eq "$(sql t.db "SELECT DISTINCT ranks FROM timeline_nodes WHERE run_id = 2")" 1 "one rank"
awk -v a="$(sql t.db "SELECT value FROM results WHERE run_id = 2 AND metric = 'node_peak_rss'")" \
    -v b="$(sql t.db "SELECT max(rss_mib) FROM timeline WHERE run_id = 2")" 'BEGIN { exit !(a == b && a > 0) }' ||
    fail "single-process node_peak_rss"
# the documented view
eq "$(sql t.db "SELECT count(*) > 0 FROM timeline_nodes_view WHERE run_id = 1 AND plugin = 'faulty'")" 1 "timeline_nodes_view"
# a malformed timeline_nodes is refused with a clear message
mkdir -p bad.db.spool
sed 's/"timeline_nodes":\[{"node":"[^"]*"/"timeline_nodes":[{"node":7/' "$doc" >"bad.db.spool/$(basename "$doc")"
expect_rc 1 bx collect --db bad.db
expect_err '"timeline_nodes" must be a list of {"node": NAME'
exit 0
