# A plugin in a folder that every user may write (without the sticky bit) is
# refused, naming the folder; running it exits 2 and writes nothing.
. "$TEST_LIB" || exit 1
mkdir pl && cp "$BENCHAAS_TEST_PLUGINS/good/trivial.so" pl/ || fail "copy"
D=$(realpath pl)
chmod 0755 pl/trivial.so
chmod 0777 pl
expect_rc 0 bx plugins --plugin-path "$D"
expect_err "refused $D/trivial.so"
expect_err "its folder $D is writable by every user"
grep -qF "$D/trivial.so" "$TMP/out" && fail "the plugin of a world-writable folder is listed"
expect_rc 2 bx run trivial --plugin-path "$D" --db x.db
expect_err "its folder $D is writable by every user"
[ -e x.db ] || [ -e x.db.spool ] && fail "x.db written"
chmod 0755 pl
expect_rc 0 bx run trivial --plugin-path "$D" --db x.db
exit 0
