# A configuration file that does not exist (or is a folder) is bad input:
# exit 2, the message names it, nothing written.
. "$TEST_LIB" || exit 1
expect_rc 2 bx run nope.cfg --db x.db
expect_err "nope.cfg"
expect_err "No such file"
mkdir dir.cfg
expect_rc 2 bx run dir.cfg --db x.db
expect_err "dir.cfg"
expect_rc 2 bx run ./sub/nope.conf --db x.db
expect_err "nope.conf"
[ -e x.db ] || [ -e x.db.spool ] && fail "x.db written"
exit 0
