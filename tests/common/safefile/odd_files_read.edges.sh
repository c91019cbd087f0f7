# Every file the runner reads is checked first (a regular file, within its
# size cap, and for a plugin an ELF shared object of this machine whose
# segments lie inside the file), without blocking: a truncated, empty, text
# or foreign .so, a FIFO, a folder or a device node named like a plugin is
# refused with its path and reason while the other plugins work; a FIFO named
# like a result document, a spec or a configuration never blocks.
. "$TEST_LIB" || exit 1
GOOD="$BENCHAAS_TEST_PLUGINS/good/trivial.so"
mkdir odd && chmod 755 odd
size=$(stat -c %s "$GOOD")
head -c $((size / 2)) "$GOOD" > odd/half.so
head -c 100 "$GOOD" > odd/tiny.so
head -c 5000 "$GOOD" > odd/head.so
: > odd/empty.so
echo "not a plugin" > odd/text.so
printf '\177ELF\002\001\001' > odd/stub.so && head -c 100 /dev/zero >> odd/stub.so
mkfifo odd/fifo.so
mkdir odd/folder.so
mknod odd/dev.so c 1 3 2>/dev/null || echo "note: no device node here"
chmod 644 odd/*.so 2>/dev/null
q() { timeout 20 "$BENCHAAS" "$@"; }
export BENCHAAS_PLUGIN_PATH="$TMP/odd:$BENCHAAS_TEST_PLUGINS/good"
expect_rc 0 q plugins
expect_out "trivial"
for n in half tiny head empty text stub fifo folder; do
    grep -F "odd/$n.so" "$TMP/err" | grep -qE "truncated|not an ELF|too short|not a regular file|outside the file|not a shared|another processor" \
        || { cat "$TMP/err"; fail "odd/$n.so not refused with its reason"; }
done
expect_rc 0 q describe trivial
expect_rc 0 q run trivial --db d.db
for n in half tiny fifo folder text; do
    expect_rc 2 q run "$n" --db d.db
    expect_err "odd/$n.so"
done
eq "$(sql d.db 'SELECT count(*) FROM runs')" 1 "runs"
# a FIFO named like a result document: collect does not wait for it
u=0b7dfe58-8c44-47b6-ae20-51c70f1e9993
mkfifo d.db.spool/$u.result.json
expect_rc 1 q collect --db d.db
expect_err "not a regular file"
[ -p d.db.spool/$u.result.json ] || fail "the FIFO was replaced"
rm d.db.spool/$u.result.json
# a folder and a device node named like one
mkdir d.db.spool/$u.result.json
expect_rc 1 q collect --db d.db
rmdir d.db.spool/$u.result.json
# a FIFO named like a spec in the spool, or given as the database
mkfifo d.db.spool/$u.spec.json
expect_rc 0 q collect --db d.db
rm -f d.db.spool/$u.spec.json
mkfifo f.db
expect_rc 2 q query --db f.db
expect_err "not a regular file"
expect_rc 2 q run trivial --db f.db
[ -p f.db ] || fail "the FIFO database was replaced"
# a FIFO as a spec, as a configuration, as SQL text is refused at once
mkfifo s.spec.json c.cfg
expect_rc 2 q worker s.spec.json
expect_err "not a regular file"
expect_rc 2 q run c.cfg --db d.db
expect_err "not a regular file"
exit 0
