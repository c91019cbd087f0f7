# An empty configuration (or one with only comments) is bad input: exit 2, a
# message that says what is missing, nothing written.
. "$TEST_LIB" || exit 1
: > c.cfg
expect_rc 2 bx run c.cfg --db x.db
expect_err "c.cfg"
expect_err "empty"
printf '# only a comment\n\n' > d.cfg
expect_rc 2 bx run d.cfg --db x.db
expect_err "d.cfg"
expect_err "experiments"
printf 'experiments = ( );\n' > e.cfg
expect_rc 2 bx run e.cfg --db x.db
expect_err "e.cfg:1:"
[ -e x.db ] || [ -e x.db.spool ] && fail "x.db written"
exit 0
