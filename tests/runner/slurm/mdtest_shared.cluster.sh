# mdtest from the four nodes (one rank a node) into one shared folder, all ranks in one
# folder (unique_dir false) and a folder each (true): both ok, every phase's rate stored
# (op/s, one sample), the provenance names the four nodes, and afterwards the shared folder
# holds exactly what it held: a file that was there, untouched (content, inode, mtime), and
# nothing of the runs (their folders, named in the metadata, are gone).
# Fails when: the ranks do not share the folder (a node-local path: a rank misses another's
# folder); the plugin leaves an item or its folder behind, or touches the file that was
# there; the runner drops slurm.nodes.
. "$CLUSTER_LIB" || exit 1
need_cluster
mkdir shared
echo "keep me" > shared/theirs.txt
touch -d '2020-01-01 00:00:00' shared/theirs.txt
before=$(stat -c '%i %s %Y' shared/theirs.txt)
cat > md.cfg <<CFG
experiments = ( { name = "md4"; plugin = "mdtest"; ranks = 4; repetitions = 1;
  params = { path = "$TMP/shared"; items = 200; unique_dir = [false, true];
             write_bytes = 512; read_bytes = 512; }; } );
slurm = { time_limit = "5"; nodes = 4; };
CFG
expect_rc 0 bx submit md.cfg --db md.db --wait
eq "$(sql md.db "SELECT count(*) FROM runs WHERE status = 'ok'")" 2 "ok runs (shared folder, a folder each)"
for id in $(sql md.db "SELECT id FROM runs"); do
    u=$(sql md.db "SELECT value FROM params WHERE run_id = $id AND name = 'unique_dir'")
    eq "$(prov md.db "$id" nodes)" "bxnode1,bxnode2,bxnode3,bxnode4" "run $id's nodes"
    eq "$(sql md.db "SELECT ranks FROM runs WHERE id = $id")" 4 "run $id's ranks"
    line="unique_dir=$u:"
    for m in dir_create dir_stat dir_remove file_create file_stat file_read file_remove; do
        eq "$(sql md.db "SELECT count(*) FROM metrics WHERE run_id = $id AND name = '$m' AND unit = 'op/s' AND value > 0")" 1 "run $id: $m"
        eq "$(sql md.db "SELECT count(*) FROM samples WHERE run_id = $id AND metric = '$m'")" 1 "run $id: $m samples"
        line="$line $m $(sql md.db "SELECT CAST(value AS INT) FROM metrics WHERE run_id = $id AND name = '$m'")"
    done
    echo "$line op/s"
    folder=$(sql md.db "SELECT value FROM run_meta WHERE run_id = $id AND key = 'folder'")
    case $folder in "$TMP/shared/benchaas-mdtest."*) ;; *) fail "run $id's folder: '$folder'" ;; esac
    [ -e "$folder" ] && fail "run $id left its folder $folder: $(ls -A "$folder" | head -5)"
done
eq "$(ls -A shared | tr '\n' ' ')" "theirs.txt " "the shared folder afterwards"
eq "$(cat shared/theirs.txt)" "keep me" "theirs.txt's content"
eq "$(stat -c '%i %s %Y' shared/theirs.txt)" "$before" "theirs.txt's inode, size, mtime"
exit 0
