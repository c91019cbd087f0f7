# An empty item in a -p list is an error, not silently dropped.
. "$TEST_LIB" || exit 1
expect_rc 2 bx run trivial -p count=1,,2 --db x.db
expect_err "value '' for 'count' is not an integer"
expect_rc 2 bx run trivial -p count=1,2, --db x.db
[ -e x.db ] && fail "a database was created"
exit 0
