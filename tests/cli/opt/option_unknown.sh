# An unknown option, an option without its value, or a second target is bad
# input for `run` (exit 2, pointing to --help); nothing is written.
. "$TEST_LIB" || exit 1
expect_rc 2 bx run trivial --bogus --db x.db
expect_err "unknown option '--bogus'"
expect_err "benchaas run --help"
expect_rc 2 bx run trivial --db
expect_err "--db"
expect_rc 2 bx run trivial other --db x.db
expect_err "unexpected argument 'other'"
expect_rc 2 bx run --db x.db
expect_err "what to run"
expect_rc 2 bx query --bogus
expect_rc 2 bx plugins --bogus
expect_rc 2 bx collect --bogus
[ -e x.db ] || [ -e x.db.spool ] && fail "x.db written"
[ -e benchaas.db ] && fail "benchaas.db written"
exit 0
