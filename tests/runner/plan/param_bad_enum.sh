# -p with a value that is not one of an enum's choices is bad input: exit 2,
# the choices are listed, nothing is written.
. "$TEST_LIB" || exit 1
expect_rc 2 bx run trivial -p mode=boom --db x.db
expect_err "'boom' for 'mode' is not allowed (one of: ok, crash, abort, hang, exit, fail, error)"
expect_rc 2 bx run trivial -p mode=okay --db x.db
expect_err "'okay' for 'mode'"
expect_rc 2 bx run trivial -p mode=ok,boom --db x.db
expect_err "'boom'"
[ -e x.db ] || [ -e x.db.spool ] && fail "x.db written"
exit 0
