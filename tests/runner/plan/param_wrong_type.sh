# -p values of the wrong type (int, double, size, bool) are bad input: exit 2,
# the message names the value and the parameter, nothing is written.
. "$TEST_LIB" || exit 1
expect_rc 2 bx run trivial -p count=abc --db x.db
expect_err "'abc' for 'count' is not an integer"
expect_rc 2 bx run trivial -p count=2.5 --db x.db
expect_err "'2.5' for 'count' is not an integer"
expect_rc 2 bx run trivial -p value=abc --db x.db
expect_err "'abc' for 'value'"
expect_rc 2 bx run trivial -p value=nan --db x.db
expect_err "'nan' for 'value'"
expect_rc 2 bx run trivial -p size=3x --db x.db
expect_err "'3x' for 'size' is not a size"
expect_rc 2 bx run trivial -p flag=3 --db x.db
expect_err "'3' for 'flag' is not a boolean"
expect_rc 2 bx run trivial -p count= --db x.db
expect_err "for 'count'"
expect_rc 2 bx run trivial -p count=99999999999999999999 --db x.db
expect_err "'count'"
[ -e x.db ] || [ -e x.db.spool ] && fail "x.db written"
exit 0
