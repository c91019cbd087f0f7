# A plugin built for another ABI major version (2.0) is refused with "built for
# ABI 2.0", naming the file; running it exits 2 and writes nothing.
. "$TEST_LIB" || exit 1
D=$(realpath "$BENCHAAS_TEST_PLUGINS/abi_major")
expect_rc 0 bx plugins --plugin-path "$D"
expect_err "refused $D/abimajor.so"
expect_err "built for ABI 2.0"
grep -q abimajor "$TMP/out" && fail "the refused plugin is listed"
expect_rc 2 bx run abimajor --plugin-path "$D" --db x.db
expect_err "$D/abimajor.so"
expect_err "built for ABI 2.0"
[ -e x.db ] || [ -e x.db.spool ] && fail "a refused plugin's run wrote x.db"
exit 0
