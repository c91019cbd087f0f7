# Bad --repetitions values are bad input: exit 2, nothing written.
. "$TEST_LIB" || exit 1
for v in 0 -1 many 2.5 1000001 ""; do
    expect_rc 2 bx run trivial --repetitions "$v" --db x.db
    expect_err "--repetitions"
done
[ -e x.db ] || [ -e x.db.spool ] && fail "x.db written"
exit 0
