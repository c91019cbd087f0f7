# A plugin whose descriptor has a bad magic number is refused, naming the file
# and the mismatch; running it is bad input (exit 2, nothing written).
. "$TEST_LIB" || exit 1
D=$(realpath "$BENCHAAS_TEST_PLUGINS/bad_magic")
expect_rc 0 bx plugins --plugin-path "$D"
expect_err "refused $D/badmagic.so"
expect_err "bad magic"
expect_out "trivial"      # the other plugins are still listed
grep -q badmagic "$TMP/out" && fail "the refused plugin is listed"
expect_rc 2 bx run badmagic --plugin-path "$D" --db x.db
expect_err "$D/badmagic.so"
expect_err "bad magic"
[ -e x.db ] || [ -e x.db.spool ] && fail "a refused plugin's run wrote x.db"
exit 0
