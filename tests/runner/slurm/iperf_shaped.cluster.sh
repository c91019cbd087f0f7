# iperf between nodes (mode=pairs, one rank a node: rank i measures against rank i+2,
# bxnode1<->bxnode3 and bxnode2<->bxnode4) with bxnode4's link shaped to 200 Mbit/s
# (tc tbf, both ways): that pair's figure is within 10 % of the shaped rate, the other
# pair is not held back by it (over five times faster).
# Between two nodes the sender keeps the kernel's autotuned send buffer: rank 0's
# socket_buffer is not the same-host one (plugins/iperf, BXI_SAME_HOST_SNDBUF).
# Fails when: the pairs talk over loopback or any path that avoids the nodes' links
# (nothing shaped: both pairs fast); the runner drops slurm.nodes (all ranks on one
# node); the plugin reports the pairs in another order or sums them; the sender sets
# the same-host buffer whatever its peer (run: socket_buffer 524288).
. "$CLUSTER_LIB" || exit 1
need_cluster
rate_mbit=200
fault shape bxnode4 rate ${rate_mbit}mbit
cat > ip.cfg <<'CFG'
experiments = ( { name = "pairs"; plugin = "iperf"; ranks = 4; repetitions = 1;
  params = { mode = "pairs"; duration = 3; }; } );
slurm = { time_limit = "5"; nodes = 4; };
CFG
expect_rc 0 bx submit ip.cfg --db ip.db --wait
id=$(sql ip.db "SELECT id FROM runs WHERE status = 'ok'")
[ -n "$id" ] || fail "the iperf run is not ok: $(sql ip.db "SELECT status, error FROM runs")"
eq "$(prov ip.db "$id" nodes)" "bxnode1,bxnode2,bxnode3,bxnode4" "the run's nodes"
pair() { sql ip.db "SELECT value * 1000 FROM samples WHERE run_id = $id AND metric = 'pair_throughput' AND idx = $1"; }
free=$(pair 0) shaped=$(pair 1)
echo "shaped link ${rate_mbit} Mbit/s: pair bxnode2-bxnode4 measured $shaped Mbit/s; pair bxnode1-bxnode3 $free Mbit/s"
awk -v m="$shaped" -v r="$rate_mbit" 'BEGIN { exit !(m >= 0.9 * r && m <= 1.1 * r) }' \
    || fail "the shaped pair measured $shaped Mbit/s, not within 10 % of $rate_mbit"
awk -v m="$free" -v r="$rate_mbit" 'BEGIN { exit !(m > 5 * r) }' \
    || fail "the unshaped pair measured $free Mbit/s: held back by the shaped link"
# the same-host buffer: 256 KiB, capped at net.core.wmem_max, doubled by the kernel
cap=$(cat /proc/sys/net/core/wmem_max)
same_host=$((2 * (cap < 262144 ? cap : 262144)))
buf=$(sql ip.db "SELECT value FROM run_meta WHERE run_id = $id AND key = 'socket_buffer'")
[ -n "$buf" ] || fail "no socket_buffer in the run's metadata"
[ "$buf" != "$same_host" ] ||
    fail "socket_buffer $buf between two nodes: the same-host buffer, not the kernel's"
echo "rank 0's socket buffer, bxnode1 to bxnode3: $buf bytes (same-host: $same_host)"
exit 0
