# Bad --ranks values (zero, negative, not a number, trailing junk, more than
# one rank for a plugin that does not use MPI) are bad input: exit 2, nothing
# written.
. "$TEST_LIB" || exit 1
for v in 0 -1 x 3x 1.5 ""; do
    expect_rc 2 bx run trivial --ranks "$v" --db x.db
    expect_err "--ranks"
done
expect_rc 2 bx run trivial --ranks=0 --db x.db
expect_err "--ranks"
expect_rc 2 bx run trivial --ranks 2 --db x.db
expect_err "does not use MPI"
expect_rc 2 bx run trivial --ranks 2 --launcher local --db x.db
[ -e x.db ] || [ -e x.db.spool ] && fail "x.db written"
exit 0
