# -p without NAME=VALUE (no '=', or no name) is bad input: exit 2, nothing
# written.
. "$TEST_LIB" || exit 1
expect_rc 2 bx run trivial -p count --db x.db
expect_err "-p count: expected NAME=VALUE"
expect_rc 2 bx run trivial -p =5 --db x.db
expect_err "expected NAME=VALUE"
expect_rc 2 bx run trivial --db x.db -p
expect_err "-p"
[ -e x.db ] || [ -e x.db.spool ] && fail "x.db written"
exit 0
