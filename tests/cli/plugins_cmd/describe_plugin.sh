# describe PLUGIN lists every declared parameter (type, default, range or
# choices, help) and every metric (unit, better).
. "$TEST_LIB" || exit 1
expect_rc 0 bx describe trivial
expect_out "trivial 1.0.0"
row() { grep -E "^ +$1 " "$TMP/out" || fail "describe does not list '$1'"; }
row count | grep -q "int" || fail "type of count"
row count | grep -q "1000" || fail "default of count"
row count | grep -q "100000000" || fail "range of count"
row count | grep -q "loop iterations per repetition" || fail "help of count"
row value | grep -q "double" || fail "type of value"
row size | grep -q "size" || fail "type of size"
row flag | grep -q "bool" || fail "type of flag"
row label | grep -q "string" || fail "type of label"
row mode | grep -q "ok, crash, abort, hang, exit, fail, error" || fail "choices of mode"
row rate | grep -q "ops/s" || fail "unit of rate"
row rate | grep -q "higher" || fail "better of rate"
row elapsed | grep -q "lower" || fail "better of elapsed"
row echo >/dev/null
expect_out "default repetitions 3"
expect_rc 2 bx describe
expect_rc 0 bx describe --help
expect_out "usage:"
exit 0
