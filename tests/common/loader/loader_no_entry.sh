# A shared object without the plugin entry point is refused with "no entry
# point", naming the file; running it exits 2 and writes nothing.
. "$TEST_LIB" || exit 1
D=$(realpath "$BENCHAAS_TEST_PLUGINS/no_entry")
expect_rc 0 bx plugins --plugin-path "$D"
expect_err "refused $D/noentry.so"
expect_err "no entry point"
grep -q noentry "$TMP/out" && fail "the refused plugin is listed"
expect_rc 2 bx run noentry --plugin-path "$D" --db x.db
expect_err "$D/noentry.so"
expect_err "no entry point"
[ -e x.db ] || [ -e x.db.spool ] && fail "a refused plugin's run wrote x.db"
exit 0
