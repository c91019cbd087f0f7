# A plugin reached through a symbolic link is judged by the file it points to:
# a link in a safe folder to a plugin in a folder every user may write (as a
# copy in /tmp-like scratch space), or to a plugin file every user may write,
# is refused with the reason naming the real file; running it exits 2 and
# writes nothing.  The same link to a safe place is accepted.
. "$TEST_LIB" || exit 1
unset BENCHAAS_PLUGIN_PATH        # only the folders named here
mkdir -p safe ww
D=$(realpath safe)
cp "$BENCHAAS_TEST_PLUGINS/good/trivial.so" ww/trivial.so
chmod 0755 ww/trivial.so
chmod 0777 ww                       # writable by every user, no sticky bit
ln -s "$TMP/ww/trivial.so" safe/trivial.so
expect_rc 0 bx plugins --plugin-path "$D"
expect_err "refused"
expect_err "$TMP/ww"
expect_err "writable by every user"
grep -q '^trivial ' "$TMP/out" && fail "a plugin linked into a world-writable folder is listed"
expect_rc 2 bx run trivial --plugin-path "$D" --db x.db
expect_err "$TMP/ww"
expect_err "writable by every user"
[ -e x.db ] || [ -e x.db.spool ] && fail "x.db written"
# the linked file itself writable by every user (its folder is fine)
chmod 0755 ww && chmod 0757 ww/trivial.so
expect_rc 2 bx run trivial --plugin-path "$D" --db x.db
expect_err "writable by every user"
# a link to a safe file in a safe folder is fine
chmod 0755 ww/trivial.so
expect_rc 0 bx run trivial --plugin-path "$D" --db x.db
# a plugin folder that is itself a link into a world-writable folder
rm safe/trivial.so && chmod 0777 ww && ln -s "$TMP/ww" linkdir
expect_rc 2 bx run trivial --plugin-path "$TMP/linkdir" --db y.db
expect_err "writable by every user"
[ -e y.db ] && fail "y.db written"
exit 0
