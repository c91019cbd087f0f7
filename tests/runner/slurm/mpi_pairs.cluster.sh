# The mpi plugin's mode=pairs across the four nodes (one rank a node: six pairs, one at a
# time) with bxnode4's link shaped to 200 Mbit/s (tc tbf both ways): the three pairs with
# bxnode4 measure about the shaped rate (25 MB/s), the three others are over five times
# faster, and the plugin names bxnode4 -- and no other node -- as the one behind a slow
# link (a warning, the run's metadata slow_nodes.bandwidth).
# Fails when: nothing is shaped, or the pairs avoid the nodes' links (no slow node named);
# the plugin judges a node by its worst pair or compares pairs with the median of the
# pairs without excluding the shared node (bxnode1-3 are in slow pairs too: nobody or
# every node named); the runner drops slurm.nodes (all ranks on one node: one pair set);
# the ranks outside the pair being measured wait in MPI_Barrier, which busy-polls: on this
# machine's two cores the three free pairs then measure 2-5x apart (176-1107 MB/s), where
# ranks that wait without spinning leave them within 1.5x (960-1930 MB/s in 13 runs).
. "$CLUSTER_LIB" || exit 1
need_cluster
rate_mbit=200
fault shape bxnode4 rate ${rate_mbit}mbit
# 64 KiB messages, a window of 64 (4 MiB an iteration), 5 timed + 2 warm-up iterations:
# about 1.2 s for each pair with bxnode4, twice (the warm-up run and one repetition)
cat > p.cfg <<'CFG'
experiments = ( { name = "pairs"; plugin = "mpi"; ranks = 4; repetitions = 1;
  params = { test = "bw"; mode = "pairs"; min_size = "64k"; max_size = "64k"; iterations = 25; }; } );
slurm = { time_limit = "5"; nodes = 4; };
CFG
expect_rc 0 bx submit p.cfg --db p.db --wait
id=$(sql p.db "SELECT id FROM runs WHERE status = 'ok'")
[ -n "$id" ] || fail "the mpi run is not ok: $(sql p.db "SELECT status, error FROM runs")"
eq "$(prov p.db "$id" nodes)" "bxnode1,bxnode2,bxnode3,bxnode4" "the run's nodes"
eq "$(sql p.db "SELECT CAST(value AS INT) FROM metrics WHERE run_id = $id AND name = 'verified'")" 1 "verified"
meta() { sql p.db "SELECT value FROM run_meta WHERE run_id = $id AND key = '$1'"; }
rep=$(sql p.db "SELECT max(rep) FROM samples WHERE run_id = $id AND metric = 'pair_bandwidth'")
eq "$(sql p.db "SELECT count(*) FROM samples WHERE run_id = $id AND metric = 'pair_bandwidth' AND rep = $rep")" 6 \
    "pairs of 4 nodes"
slow=0 fast=0 slowmax=0 fastmin= fastmax=0
for p in 0 1 2 3 4 5; do
    names=$(meta "pair$p")
    bw=$(sql p.db "SELECT printf('%.1f', value) FROM samples WHERE run_id = $id AND metric = 'pair_bandwidth' AND rep = $rep AND idx = $p")
    echo "pair $p ($names): $bw MB/s"
    [ "$(grep -o 'bxnode[0-9]' <<<"$names" | sort -u | wc -l)" = 2 ] || fail "pair $p is not two nodes: $names"
    if grep -q bxnode4 <<<"$names"; then
        slow=$((slow + 1))
        slowmax=$(awk -v a="$slowmax" -v b="$bw" 'BEGIN { print (b > a ? b : a) }')
    else
        fast=$((fast + 1))
        fastmin=$(awk -v a="${fastmin:-$bw}" -v b="$bw" 'BEGIN { print (b < a ? b : a) }')
        fastmax=$(awk -v a="$fastmax" -v b="$bw" 'BEGIN { print (b > a ? b : a) }')
    fi
done
eq "$slow/$fast" 3/3 "pairs with / without bxnode4"
# 200 Mbit/s = 25 MB/s (the plugin's MB is 10^6 B)
rate_mbs=$((rate_mbit / 8))
echo "shaped link ${rate_mbit} Mbit/s = $rate_mbs MB/s: pairs with bxnode4 at most $slowmax MB/s; the other pairs $fastmin to $fastmax MB/s"
awk -v m="$slowmax" -v r="$rate_mbs" 'BEGIN { exit !(m > 0 && m <= 1.1 * r) }' \
    || fail "a pair with bxnode4 measured $slowmax MB/s, over the shaped $rate_mbs MB/s"
awk -v m="$fastmin" -v r="$rate_mbs" 'BEGIN { exit !(m > 5 * r) }' \
    || fail "a pair without bxnode4 measured $fastmin MB/s: held back by the shaped link"
awk -v lo="$fastmin" -v hi="$fastmax" 'BEGIN { exit !(hi <= 2 * lo) }' \
    || fail "the pairs without bxnode4 measured $fastmin to $fastmax MB/s: the waiting ranks disturb the pair measured"
# the node named, and only it
eq "$(meta slow_nodes.bandwidth)" "bxnode4 (rank 3)" "slow_nodes.bandwidth"
eq "$(meta slow_nodes.latency)" "" "slow_nodes.latency (bandwidth test only)"
warns=$(sql p.db "SELECT text FROM warnings WHERE run_id = $id AND text LIKE '%check this node''s link%'")
echo "warning: $warns"
eq "$(grep -c . <<<"$warns")" 1 "warnings naming a slow node"
grep -q '^rank 3 on bxnode4: ' <<<"$warns" || fail "the warning does not name bxnode4: $warns"
exit 0
