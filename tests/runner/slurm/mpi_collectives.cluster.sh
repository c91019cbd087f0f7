# The mpi plugin's collectives (allreduce, alltoall, bcast) over the four nodes, one rank a
# node, 1 B .. 64 KiB: status ok, every message verified, one sample per size of each test
# (allreduce from 4 B), the sizes in the run's metadata, and the provenance names the four
# nodes.  Then a corrupted message (the plugin's test hook, in every rank's environment
# through Slurm) fails the run with the size, so the check sees what crossed the nodes.
# Fails when: the runner drops slurm.nodes (one node in the provenance); a test skips a
# size; the buffers are not checked after crossing nodes (the corrupted run passes).
. "$CLUSTER_LIB" || exit 1
need_cluster
cat > c.cfg <<'CFG'
experiments = ( { name = "coll4"; plugin = "mpi"; ranks = 4; repetitions = 1;
  params = { test = "collective"; min_size = "1"; max_size = "64k"; iterations = 20; warmup = 2; }; } );
slurm = { time_limit = "5"; nodes = 4; };
CFG
expect_rc 0 bx submit c.cfg --db c.db --wait
id=$(sql c.db "SELECT id FROM runs WHERE status = 'ok'")
[ -n "$id" ] || fail "the collectives run is not ok: $(sql c.db "SELECT status, error FROM runs")"
eq "$(prov c.db "$id" nodes)" "bxnode1,bxnode2,bxnode3,bxnode4" "the run's nodes"
eq "$(sql c.db "SELECT ranks FROM runs WHERE id = $id")" 4 "ranks"
eq "$(sql c.db "SELECT CAST(value AS INT) FROM metrics WHERE run_id = $id AND name = 'verified'")" 1 "verified"
all=1,2,4,8,16,32,64,128,256,512,1024,2048,4096,8192,16384,32768,65536
for m in allreduce alltoall bcast; do
    want=$all n=17
    [ $m = allreduce ] && want=${all#1,2,} n=15
    eq "$(sql c.db "SELECT value FROM run_meta WHERE run_id = $id AND key = 'sizes.$m'")" "$want" "sizes.$m"
    eq "$(sql c.db "SELECT count(*) || ' ' || min(idx) || ' ' || max(idx) || ' ' || min(value > 0) FROM samples WHERE run_id = $id AND metric = '$m'")" \
        "$n 0 $((n - 1)) 1" "$m: samples (count, first, last index, all > 0)"
        echo "$m: $(sql c.db "SELECT printf('%.1f us at ${want%%,*} B', value) FROM samples WHERE run_id = $id AND metric = '$m' AND idx = 0"), $(sql c.db "SELECT printf('%.1f us at 64 KiB', value) FROM samples WHERE run_id = $id AND metric = '$m' AND idx = $((n - 1))")"
done
# a byte flipped in every 1 KiB message sent: the run fails, naming the size; bcast from
# rank 0 (bxnode1), and the lowest rank that finds it is rank 1, on bxnode2
cat > bad.cfg <<'CFG'
experiments = ( { name = "corrupt"; plugin = "mpi"; ranks = 4; repetitions = 1;
  params = { test = "bcast"; min_size = "1k"; max_size = "1k"; iterations = 10; warmup = 2; }; } );
slurm = { time_limit = "5"; nodes = 4; };
CFG
BENCHAAS_MPI_TEST_CORRUPT=1024 expect_rc 1 bx submit bad.cfg --db bad.db --wait
eq "$(sql bad.db "SELECT status FROM runs")" failed "the corrupted run"
err=$(sql bad.db "SELECT error FROM runs")
grep -q 'bcast: a message of 1024 bytes from rank 0 arrived wrong at rank 1 ' <<<"$err" \
    || fail "the corrupted run's error: $err"
exit 0
