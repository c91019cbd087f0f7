# The same parameter given twice with -p is bad input (which one would win?):
# exit 2, nothing written.
. "$TEST_LIB" || exit 1
expect_rc 2 bx run trivial -p count=5 -p count=6 --db x.db
expect_err "parameter 'count' is given twice"
expect_rc 2 bx run trivial -p count=5 --param count=5 --db x.db
expect_err "given twice"
[ -e x.db ] || [ -e x.db.spool ] && fail "x.db written"
exit 0
