# A plugin built for a newer ABI minor version (1.99) than the runner provides
# is refused with "built for ABI 1.99"; running it exits 2 and writes nothing.
. "$TEST_LIB" || exit 1
D=$(realpath "$BENCHAAS_TEST_PLUGINS/abi_minor")
expect_rc 0 bx plugins --plugin-path "$D"
expect_err "refused $D/abiminor.so"
expect_err "built for ABI 1.99"
grep -q abiminor "$TMP/out" && fail "the refused plugin is listed"
expect_rc 2 bx run abiminor --plugin-path "$D" --db x.db
expect_err "$D/abiminor.so"
expect_err "built for ABI 1.99"
[ -e x.db ] || [ -e x.db.spool ] && fail "a refused plugin's run wrote x.db"
exit 0
