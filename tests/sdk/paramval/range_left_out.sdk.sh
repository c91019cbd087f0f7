# A parameter an ABI 1.2 plugin declares without min and max (designated
# initializers leaving them out) has no range: every value is accepted
# (before 1.2 the zeros meant the range 0 .. 0 and every value but 0 was
# refused).
. "$TEST_LIB" || exit 1
export BENCHAAS_PLUGIN_PATH="$SDK_TEST_PLUGINS/trap"
expect_rc 0 bx run trap -p n=7 --repetitions 1 --db t.db
eq "$(sql t.db "SELECT value FROM params WHERE name='n'")" 7 "n stored"
expect_rc 0 bx describe trap
grep -E '^ +n +int' "$TMP/out" | grep -q '\.\.' && fail "describe shows a range for n"
# a declared range still holds
expect_rc 2 bx run trap -p ratio=2 --db t.db
expect_err "out of range (allowed: 0 .. 1)"
exit 0
