# An unknown command is bad usage: exit 2, named on stderr with the help.
. "$TEST_LIB" || exit 1
expect_rc 2 bx frobnicate
expect_err "unknown command 'frobnicate'"
expect_err "usage: benchaas"
expect_rc 2 bx --frobnicate
[ -e benchaas.db ] && fail "benchaas.db written"
exit 0
