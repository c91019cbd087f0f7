# The plugins' memory checks count the ranks on one node, not all ranks: a
# submission that spreads 4 ranks over slurm.nodes = 4 passes HPL's check
# with a problem that 4 ranks on one node could not hold, and the same
# problem without slurm.nodes (or with the mpi launcher) is refused, exit 2.
# Dry runs only: no Slurm, nothing allocated.
. "$TEST_LIB" || exit 1
bx describe hpl >/dev/null 2>&1 || skip "the hpl plugin is not built"
kb=$(awk '/^MemAvailable:/ {print $2}' /proc/meminfo)
[ -n "$kb" ] || skip "no MemAvailable"
# 8 N^2 bytes in all = 1.6 x the available memory: 40 % of it per rank of 2 x 2
N=$(awk -v kb="$kb" 'BEGIN { printf "%d", sqrt(1.6 * kb * 1024 / 8) }')
cfg() { # NODES_LINE
    printf 'experiments = ( { name = "big"; plugin = "hpl"; ranks = 4;\n'
    printf '  params = { N = %s; NB = 192; P = 2; Q = 2; }; } );\n' "$N"
    printf 'slurm = { time_limit = "10"; %s };\n' "$1"
}
cfg 'nodes = 4;' >spread.cfg
cfg '' >packed.cfg
expect_rc 0 bx submit spread.cfg --dry-run --db d.db
expect_out '#SBATCH --nodes=4'
# the experiment's own slurm.nodes wins over the file's, as in the batch script
printf 'experiments = ( { name = "big"; plugin = "hpl"; ranks = 4; slurm = { nodes = 4; };\n  params = { N = %s; NB = 192; P = 2; Q = 2; }; } );\nslurm = { time_limit = "10"; nodes = 1; };\n' "$N" >override.cfg
expect_rc 0 bx submit override.cfg --dry-run --db d.db
expect_out '#SBATCH --nodes=4'
expect_rc 2 bx submit packed.cfg --dry-run --db d.db
expect_err "for the 4 ranks on this node"
expect_err "slurm.nodes"
# the mpi launcher puts all 4 ranks here: refused too, before anything runs
expect_rc 2 bx run hpl -p N="$N" -p P=2 -p Q=2 --ranks 4 --dry-run --db d.db
expect_err "for the 4 ranks on this node"
[ ! -e d.db ] || fail "a dry run wrote the database"
exit 0
