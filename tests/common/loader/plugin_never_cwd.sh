# The current folder is never searched implicitly: a trivial.so copied there is
# not found when no path names it, not even through empty elements of
# BENCHAAS_PLUGIN_PATH; naming the folder explicitly (--plugin-path .) works.
. "$TEST_LIB" || exit 1
mkdir w && cd w || fail "mkdir"
cp "$BENCHAAS_TEST_PLUGINS/good/trivial.so" .
unset BENCHAAS_PLUGIN_PATH
expect_rc 2 bx run trivial --db x.db
expect_err "unknown plugin 'trivial'"
[ -e x.db ] && fail "x.db written"
for p in "" ":" "::" ":/nonexistent:"; do
    BENCHAAS_PLUGIN_PATH=$p expect_rc 2 bx run trivial --db x.db
    expect_err "unknown plugin 'trivial'"
done
expect_rc 0 bx plugins
grep -q '^trivial ' "$TMP/out" && fail "plugins lists the trivial.so of the current folder"
expect_rc 0 bx run trivial --plugin-path . --db x.db
eq "$(sql x.db "SELECT status FROM runs")" ok "explicit --plugin-path ."
exit 0
