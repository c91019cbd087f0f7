# A plugin without a run callback is refused with "missing run callback",
# naming the file; running it exits 2 and writes nothing.
. "$TEST_LIB" || exit 1
D=$(realpath "$BENCHAAS_TEST_PLUGINS/no_run")
expect_rc 0 bx plugins --plugin-path "$D"
expect_err "refused $D/norun.so"
expect_err "missing run callback"
grep -q norun "$TMP/out" && fail "the refused plugin is listed"
expect_rc 2 bx run norun --plugin-path "$D" --db x.db
expect_err "$D/norun.so"
expect_err "missing run callback"
[ -e x.db ] || [ -e x.db.spool ] && fail "a refused plugin's run wrote x.db"
exit 0
