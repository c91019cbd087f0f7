# Bad --timeout values (zero, negative, not a number, NaN, absurdly large) are
# bad input: exit 2, nothing written.
. "$TEST_LIB" || exit 1
for v in 0 -3 abc nan inf 1e99 10s ""; do
    expect_rc 2 bx run trivial --timeout "$v" --db x.db
    expect_err "--timeout"
done
expect_err "expected seconds"
[ -e x.db ] || [ -e x.db.spool ] && fail "x.db written"
# fractional seconds are fine
expect_rc 0 bx run trivial --timeout 30.5 --db x.db
exit 0
