# An unknown --launcher is bad input: exit 2, the valid ones are listed,
# nothing written.
. "$TEST_LIB" || exit 1
expect_rc 2 bx run trivial --launcher ssh --db x.db
expect_err "--launcher ssh"
expect_err "local, mpi or slurm"
expect_rc 2 bx run trivial --launcher= --db x.db
[ -e x.db ] || [ -e x.db.spool ] && fail "x.db written"
exit 0
