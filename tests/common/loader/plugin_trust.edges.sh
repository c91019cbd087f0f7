# Plugins are trusted as ssh and sudo trust key files: the plugin and every
# folder above it must be owned by root or the invoking user and be writable
# by neither group nor others.  A plugin owned by another user, in a folder
# owned by another user, in a group-writable file or folder, or below a
# world-writable ancestor (also one with the sticky bit when it is not
# root's) is refused, naming the wrong path; `run` exits 2 and writes
# nothing.  A root-owned sticky folder (as /tmp) may be passed through: only
# root may rename or replace what others own in it.
. "$TEST_LIB" || exit 1
[ "$(id -u)" = 0 ] || skip "needs root to give files to another user"
unset BENCHAAS_PLUGIN_PATH
GOOD="$BENCHAAS_TEST_PLUGINS/good/trivial.so"
fresh() { rm -rf t; mkdir -p t/a/b/pl; cp "$GOOD" t/a/b/pl/; chmod -R go-w t; chmod 755 t t/a t/a/b t/a/b/pl; }
refused() { # WRONG-PATH WORDS: run and plugins refuse, naming WRONG-PATH
    expect_rc 2 bx run trivial --plugin-path "$TMP/t/a/b/pl" --db x.db
    expect_err "$1"
    expect_err "$2"
    [ -e x.db ] || [ -e x.db.spool ] && fail "x.db written"
    expect_rc 0 bx plugins --plugin-path "$TMP/t/a/b/pl"
    expect_err "refused"
    grep -q '^trivial ' "$TMP/out" && fail "a refused plugin is listed"
}
fresh; chown 4242 t/a/b/pl/trivial.so
refused "$TMP/t/a/b/pl/trivial.so" "owned by uid 4242"
fresh; chown 4242 t/a/b/pl
refused "its folder $TMP/t/a/b/pl" "owned by uid 4242"
fresh; chown 4242:4242 t/a
refused "its ancestor folder $TMP/t/a " "owned by uid 4242"
fresh; chmod 0777 t/a
refused "its ancestor folder $TMP/t/a " "writable by every user"
fresh; chmod 0775 t
refused "its ancestor folder $TMP/t " "writable by its group"
fresh; chmod 0664 t/a/b/pl/trivial.so
refused "$TMP/t/a/b/pl/trivial.so" "writable by its group"
fresh; chmod 0770 t/a/b/pl
refused "its folder $TMP/t/a/b/pl" "writable by its group"
fresh; chmod 1777 t/a && chown 4242 t/a
refused "$TMP/t/a " "owned by uid 4242"
# a link in a safe folder to a plugin below a loose ancestor
fresh; mkdir safe && ln -s "$TMP/t/a/b/pl/trivial.so" safe/trivial.so && chmod 0777 t/a/b
expect_rc 2 bx run trivial --plugin-path "$TMP/safe" --db x.db
expect_err "$TMP/t/a/b "
expect_err "writable by every user"
rm -rf safe
# root's sticky folder on the way is fine (as /tmp); so is the fixed tree
fresh; chmod 1777 t/a
expect_rc 0 bx run trivial --plugin-path "$TMP/t/a/b/pl" --db x.db
fresh
expect_rc 0 bx run trivial --plugin-path "$TMP/t/a/b/pl" --db x.db
exit 0
