# Messages name the right thing.  --plugin-path naming a folder that does
# not exist (or a file) is an error, exit 2, for run, plugins and describe,
# instead of falling back silently on the other folders.  `sql` and `query`
# on a database they cannot open for want of write access (a read-only file
# system: a WAL database needs its -shm file beside it) name the file and say
# what to do.  (@include messages: runner.cfgsrc.config_include.)
. "$TEST_LIB" || exit 1
G="$BENCHAAS_TEST_PLUGINS/good"
echo x > afile
for bad in /nonexistent-benchaas "$TMP/afile" "$G:/nonexistent-benchaas"; do
    expect_rc 2 bx run trivial --plugin-path "$bad" --db x.db
    grep -qE -- "--plugin-path .*(no such folder|not a folder)" "$TMP/err" || { cat "$TMP/err"; fail "run: $bad"; }
    [ -e x.db ] && fail "x.db written"
    expect_rc 2 bx plugins --plugin-path "$bad"
    expect_err "--plugin-path"
    expect_rc 2 bx describe trivial --plugin-path "$bad"
    expect_err "--plugin-path"
done
expect_rc 2 bx plugins --plugin-path=/nonexistent-benchaas
expect_err "no such folder"
expect_rc 0 bx run trivial --plugin-path "$G" --db x.db
# a database on a read-only file system
[ "$(id -u)" = 0 ] || skip "needs root to mount a read-only file system"
mkdir ro && mount -t tmpfs -o size=4m tmpfs ro 2>/dev/null || skip "cannot mount a tmpfs here"
trap 'umount -l "$TMP/ro" 2>/dev/null; rm -rf "$TMP"' EXIT
bx run trivial --db ro/r.db >/dev/null 2>&1 || fail "setup"
mount -o remount,ro ro || skip "cannot remount read-only"
expect_rc 2 bx sql --db ro/r.db "SELECT count(*) FROM runs"
expect_err "benchaas sql: ro/r.db:"
expect_err "its folder ro cannot be written"
expect_err "copy ro/r.db"
expect_rc 2 bx query --db ro/r.db
expect_err "ro/r.db"
expect_err "Read-only file system"
exit 0
