# submit --each-node: every point once on every node (one job per experiment
# and node, sbatch --nodelist=NODE), each run tagged node=NODE; the nodes come
# from --nodes, --partition (sinfo) or every node Slurm lists.
. "$TEST_LIB"
cat > s.cfg <<'CFG'
experiments = ( { name = "qa"; plugin = "trivial"; params = { value = [1.0, 2.0]; }; } );
slurm = { time_limit = "5"; };
CFG
# the scripts without Slurm: one job per node, each pinned to its node
expect_rc 0 bx submit s.cfg --db d.db --each-node --nodes n2,n1,n2 --dry-run
eq "$(grep -c '^# ---- qa on n[12] (2 points) ----$' "$TMP/out")" 2 "one job per node"
eq "$(grep -c '^#SBATCH --nodelist=n1$' "$TMP/out")" 1 "n1 pinned"
eq "$(grep -c '^#SBATCH --nodelist=n2$' "$TMP/out")" 1 "n2 pinned"
grep -q '^#SBATCH --job-name=benchaas-qa-n1$' "$TMP/out" || fail "job name"
[ ! -e d.db ] || fail "dry run wrote a database"
# bad input: nothing submitted
expect_rc 2 bx submit s.cfg --db d.db --each-node --nodes 'n1,bad;name' --dry-run
expect_err "'bad;name' is not a node name"
expect_rc 2 bx submit s.cfg --db d.db --nodes n1 --dry-run
expect_err "--nodes goes with --each-node"
expect_rc 2 bx run s.cfg --db d.db --each-node
expect_err "use \`benchaas submit\`"
expect_rc 2 bx submit s.cfg --db d.db --each-node --nodes n1 --partition debug --dry-run
expect_err "not both"

# the real local Slurm: its nodes, found by sinfo
need_slurm
node=$(sinfo -h -N -o %N | sort -u | head -1)
nnodes=$(sinfo -h -N -o %N | sort -u | wc -l)
part=$(sinfo -h -o %P | head -1 | tr -d '*')
expect_rc 0 bx submit s.cfg --db s.db --each-node --partition "$part" --wait
expect_out "submitted qa on $node: job"
eq "$(sql s.db "SELECT count(*) FROM runs WHERE status = 'ok'")" "$((2 * nnodes))" "ok runs: points x nodes"
eq "$(sql s.db "SELECT count(*) FROM tags t JOIN runs r ON r.id = t.run_id WHERE t.tag = 'node=$node'")" 2 "runs tagged with the node"
# the node list given by a Slurm host list expression
expect_rc 0 bx submit s.cfg --db s.db --each-node --nodes "$node" --wait
eq "$(sql s.db "SELECT count(*) FROM runs WHERE status = 'ok'")" "$((2 * nnodes + 2))" "ok runs after --nodes"
# the fleet check reads them (one node: too small to judge, said so)
expect_rc 0 bx check --across-nodes --db s.db --all-metrics --metric echo
expect_out "fleet too small to judge"
exit 0
