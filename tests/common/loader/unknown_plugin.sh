# `run` of an unknown plugin is bad input: exit 2, the message names it and
# lists the plugins that exist, and nothing is written.
. "$TEST_LIB" || exit 1
expect_rc 2 bx run nosuch --db x.db
expect_err "unknown plugin 'nosuch'"
expect_err "trivial"     # what would have been valid
[ -e x.db ] || [ -e x.db.spool ] && fail "x.db written"
expect_rc 2 bx describe nosuch
expect_err "unknown plugin 'nosuch'"
# a path-like name is not looked up as a plugin file
expect_rc 2 bx run ../good/trivial --db x.db
[ -e x.db ] || [ -e x.db.spool ] && fail "x.db written"
exit 0
