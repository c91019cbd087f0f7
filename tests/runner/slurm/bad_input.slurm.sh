# Slurm's refusals are exit 2 with sbatch's message, and nothing is submitted or stored.
. "$TEST_LIB"
need_slurm
printf 'experiments = ( { plugin = "trivial"; } );\nslurm = { partition = "nosuchpart"; };\n' > a.cfg
expect_rc 2 bx submit a.cfg --db a.db
expect_err "sbatch refused"
expect_err "Invalid partition"
[ -e a.db ] && fail "the database was created although nothing was submitted"
[ -e a.db.spool ] && fail "the spool folder was left behind"
printf 'experiments = ( { plugin = "trivial"; } );\nslurm = { time_limit = "99:99:99:99"; };\n' > b.cfg
expect_rc 2 bx submit b.cfg --db b.db
printf 'experiments = ( { plugin = "trivial"; } );\nslurm = { partiton = "debug"; };\n' > c.cfg
expect_rc 2 bx submit c.cfg --db c.db
expect_err "did you mean 'partition'"
printf 'experiments = ( { plugin = "trivial"; } );\nslurm = { extra = ["--exclusive\\n#SBATCH --x"]; };\n' > d.cfg
expect_rc 2 bx submit d.cfg --db d.db
# more ranks x threads than the largest node, and no node count
cpus=$(sinfo -h -o %c | sort -n | tail -1)
printf 'experiments = ( { plugin = "trivial"; threads = %d; } );\n' $((cpus + 1)) > e.cfg
expect_rc 2 bx submit e.cfg --db e.db
expect_err "CPUs of the largest node"
# no Slurm installed at all
expect_rc 2 env PATH=/nonexistent "$BENCHAAS" submit e.cfg --db e.db
expect_err "needs Slurm's sbatch"
