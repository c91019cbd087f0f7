# Two plugin folders holding a plugin of the same name: the one searched first
# is used, the other is refused as a duplicate naming both files.
. "$TEST_LIB" || exit 1
G=$(realpath "$BENCHAAS_TEST_PLUGINS/good")
U=$(realpath "$BENCHAAS_TEST_PLUGINS/dup")
unset BENCHAAS_PLUGIN_PATH
expect_rc 0 bx plugins --plugin-path "$G" --plugin-path "$U"
expect_err "refused $U/trivial.so"
expect_err "duplicate plugin name 'trivial'"
grep "duplicate" "$TMP/err" | grep -qF "$G/trivial.so" || fail "the duplicate message does not name the winner $G/trivial.so"
eq "$(grep -c '^trivial ' "$TMP/out")" 1 "plugins listing 'trivial'"
grep -qF "$U/trivial.so" "$TMP/out" && fail "the refused duplicate is listed"
# The other order: the other one wins.
expect_rc 0 bx plugins --plugin-path "$U" --plugin-path "$G"
expect_err "refused $G/trivial.so"
expect_out "$U/trivial.so"
exit 0
