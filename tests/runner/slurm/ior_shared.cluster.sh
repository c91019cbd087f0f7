# IOR from 4 nodes (one rank a node) into one shared folder: one file per process and one
# shared file, POSIX and MPI-IO, every byte read back and verified; reorder = true makes
# each rank read what a rank on another node wrote.
# Fails when: the ranks do not share the folder (a node-local path: the per-rank files of
# another node are missing, the verification of a reordered read fails); the runner drops
# slurm.nodes (one node name in the provenance).
. "$CLUSTER_LIB" || exit 1
need_cluster
mkdir shared
cat > ior.cfg <<CFG
experiments = ( { name = "ior4"; plugin = "ior"; ranks = 4; repetitions = 1;
  sweep = "zip";
  params = { api = ["posix", "posix", "mpiio", "mpiio"]; file_per_process = [true, false, true, false];
             path = ["$TMP/shared/pp", "$TMP/shared/ps", "$TMP/shared/mp", "$TMP/shared/ms"]; block_size = "1m"; transfer_size = "256k"; segments = 2;
             verify = true; reorder = true; keep = true; }; } );
slurm = { time_limit = "5"; nodes = 4; };
CFG
expect_rc 0 bx submit ior.cfg --db ior.db --wait
eq "$(sql ior.db "SELECT count(*) FROM runs WHERE status = 'ok'")" 4 "ok runs (posix/mpiio x per-process/shared)"
for id in $(sql ior.db "SELECT id FROM runs"); do
    eq "$(sql ior.db "SELECT CAST(value AS INT) FROM metrics WHERE run_id = $id AND name = 'verified'")" 1 "run $id verified"
    eq "$(prov ior.db "$id" nodes)" "bxnode1,bxnode2,bxnode3,bxnode4" "run $id's nodes"
done
# what the ranks left (keep = true) in the one shared folder: 4 per-rank files of each
# file-per-process run, 2 segments x 1 MiB each, and shared files of 4 ranks x 2 x 1 MiB
for f in pp mp; do
    for r in 0 1 2 3; do
        eq "$(stat -c %s "shared/$f.0000000$r" 2>&1)" $((2 * 1048576)) "size of $f's rank $r file"
    done
done
for f in ps ms; do eq "$(stat -c %s "shared/$f" 2>&1)" $((4 * 2 * 1048576)) "size of the shared file $f"; done
exit 0
