# Everything knowable before a benchmark runs is checked before it runs:
# a spool path that is not a folder (a regular file, a FIFO), a damaged
# database, a read-only database, a database folder that does not exist.
# Each is exit 2 with the reason, at once (the point, which would sleep
# 30 s, never starts), with nothing written.  `collect` refuses a database
# that does not exist (a typo) instead of creating an empty one.
. "$TEST_LIB" || exit 1
export BENCHAAS_PLUGIN_PATH="$FAULT_PLUGINS"
slow() { timeout 20 "$BENCHAAS" run faulty -p mode=sleep -p seconds=30 "$@"; }
quick2() { # the slow run, refused at once with exit 2
    local t0=$SECONDS
    expect_rc 2 slow "$@"
    [ $((SECONDS - t0)) -lt 10 ] || fail "refused only after the run: $*"
}
expect_rc 0 bx run faulty --db good.db
# the spool is a regular file / a FIFO / a link to a file
cp good.db a.db && echo keep > a.db.spool
quick2 --db a.db
expect_err "a.db.spool is not a folder"
eq "$(cat a.db.spool)" keep "the file in the spool's place"
eq "$(sql a.db 'SELECT count(*) FROM runs')" 1 "runs in a.db"
cp good.db b.db && mkfifo b.db.spool
quick2 --db b.db
expect_err "not a folder"
[ -p b.db.spool ] || fail "the FIFO was replaced"
echo keep > target && ln -s target n.db.spool
quick2 --db n.db
expect_err "not a folder"
[ -e n.db ] && fail "n.db created"
# a fresh database with a spool that is a file
echo keep > f.db.spool
quick2 --db f.db
[ -e f.db ] && fail "f.db created"
# a damaged database: a copy cut short, or with a page overwritten
for i in 1 2 3 4 5 6; do bx run faulty -p pad=20k --db big.db >/dev/null 2>&1; done
pages=$(sql big.db 'PRAGMA page_count')
[ "$pages" -gt 8 ] || fail "setup: only $pages pages"
sql big.db 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
cp big.db cut.db && truncate -s $(( $(stat -c %s big.db) / 2 )) cut.db
sum=$(sha256sum cut.db)
quick2 --db cut.db
grep -qE "damaged|malformed" "$TMP/err" || fail "no word of the damage"
eq "$(sha256sum cut.db)" "$sum" "the damaged file"
cp big.db garbled.db
dd if=/dev/urandom of=garbled.db bs=4096 seek=3 count=2 conv=notrunc 2>/dev/null
quick2 --db garbled.db
grep -qE "damaged|malformed" "$TMP/err" || fail "no word of the damage"
# the database's folder does not exist
quick2 --db nowhere/x.db
[ -e nowhere ] && fail "a folder was created"
# collect: a database that does not exist is a typo
expect_rc 2 bx collect --db typo.db
expect_err "no database at 'typo.db'"
[ -e typo.db ] && fail "collect created typo.db"
[ -e typo.db.spool ] && fail "collect created a spool"
expect_rc 2 bx collect --db cut.db
grep -qE "damaged|malformed" "$TMP/err" || fail "no word of the damage"
# a read-only database (a read-only file system): refused before running
if [ "$(id -u)" = 0 ] && mkdir ro && mount -t tmpfs -o size=4m tmpfs ro 2>/dev/null; then
    trap 'umount -l "$TMP/ro" 2>/dev/null; rm -rf "$TMP"' EXIT
    cp good.db ro/r.db && mkdir ro/r.db.spool && mount -o remount,ro ro
    quick2 --db ro/r.db
    expect_err "cannot be written"
    expect_rc 2 bx collect --db ro/r.db
    expect_err "cannot be written"
    quick2 --db ro/new.db
    expect_err "cannot be written"
else
    echo "note: no read-only file system here; that variant skipped"
fi
exit 0
