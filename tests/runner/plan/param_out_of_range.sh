# -p values outside the declared range are bad input (exit 2, the range is
# shown); one bad value in a sweep stops the whole sweep before anything runs.
. "$TEST_LIB" || exit 1
expect_rc 2 bx run trivial -p count=0 --db x.db
expect_err "'0' for 'count' is out of range"
expect_err "1 .. 100000000"
expect_rc 2 bx run trivial -p value=-2e9 --db x.db
expect_err "out of range"
expect_rc 2 bx run trivial -p count=5,6,0 --db x.db
expect_err "'0' for 'count' is out of range"
[ -e x.db ] || [ -e x.db.spool ] && fail "x.db written: part of the sweep ran"
# the edges of the range are valid
expect_rc 0 bx run trivial -p count=1 -p value=-1e9 --db x.db
exit 0
