# -p with a parameter the plugin does not declare is bad input: exit 2, the
# message names it with a did-you-mean, nothing is written.
. "$TEST_LIB" || exit 1
expect_rc 2 bx run trivial -p cuont=5 --db x.db
expect_err "unknown parameter 'cuont' for plugin trivial"
expect_err "did you mean 'count'?"
expect_rc 2 bx run trivial -p zzzzzzzz=1 --db x.db
expect_err "unknown parameter 'zzzzzzzz'"
expect_err "benchaas describe trivial"   # where to look when nothing is close
[ -e x.db ] || [ -e x.db.spool ] && fail "x.db written"
exit 0
