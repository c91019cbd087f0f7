# A plugin file that every user may write is refused (as ssh refuses such keys),
# with the reason and the fix; running it exits 2 and writes nothing.
. "$TEST_LIB" || exit 1
mkdir pl && cp "$BENCHAAS_TEST_PLUGINS/good/trivial.so" pl/ || fail "copy"
D=$(realpath pl)
chmod 0757 pl/trivial.so
expect_rc 0 bx plugins --plugin-path "$D"
expect_err "refused $D/trivial.so"
expect_err "writable by every user"
grep -qF "$D/trivial.so" "$TMP/out" && fail "the world-writable plugin is listed"
expect_rc 2 bx run trivial --plugin-path "$D" --db x.db
expect_err "$D/trivial.so"
expect_err "writable by every user"
[ -e x.db ] || [ -e x.db.spool ] && fail "x.db written"
# Fixed as the message says: accepted.
chmod o-w pl/trivial.so
expect_rc 0 bx run trivial --plugin-path "$D" --db x.db
exit 0
