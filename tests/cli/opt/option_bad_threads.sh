# Bad --threads values are bad input: exit 2, the message says what is valid,
# nothing written.
. "$TEST_LIB" || exit 1
for v in 0 -2 two 1.5 100001 ""; do
    expect_rc 2 bx run trivial --threads "$v" --db x.db
    expect_err "--threads"
done
expect_err "expected a whole number"
[ -e x.db ] || [ -e x.db.spool ] && fail "x.db written"
exit 0
