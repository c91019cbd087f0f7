# A benchmark removes or overwrites only files it created itself in this run
# (the ior plugin: O_EXCL creation; a read-only run consumes only files an
# earlier ior run kept).  Whatever is at its path before the run (the
# database, an ordinary file, a FIFO, a device node, a link, a per-rank file)
# is refused with exit 2 naming it, and left exactly as it was.
. "$TEST_LIB" || exit 1
IOR="$BENCHAAS_BUILD/lib/benchaas/plugins"
[ -f "$IOR/ior.so" ] || skip "the ior plugin is not built"
export BENCHAAS_PLUGIN_PATH="$IOR:$BENCHAAS_TEST_PLUGINS/good"
# as the ior plugin's own tests: OpenMPI's components leak from modules they
# unload, which LeakSanitizer cannot name (the sanitizer build)
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
small="-p block_size=64k -p transfer_size=16k --repetitions 1"
bx run trivial --db d.db >/dev/null 2>&1 || fail "setup"
sumdb=$(sha256sum d.db)
refuse() { # PATH-PARAM [more -p]: refused, exit 2, naming the path
    expect_rc 2 bx run ior -p path="$@" $small --db d.db
    grep -qE "already exists|not written by the ior plugin|not a regular file| holds " "$TMP/err" \
        || { cat "$TMP/err"; fail "no reason: $*"; }
}
# the database itself, by every name
refuse d.db
refuse "$TMP/d.db"
refuse ./d.db
eq "$(sha256sum d.db)" "$sumdb" "the database"
eq "$(sql d.db 'SELECT count(*) FROM runs')" 1 "runs"
# the -wal file appears only once the runner has opened the database: the
# worker's exclusive creation refuses it then (the run fails, exit 1)
bx run ior -p path=d.db-wal $small --db d.db >/dev/null 2>"$TMP/err"
grep -q "already exists" "$TMP/err" || { cat "$TMP/err"; fail "d.db-wal not refused"; }
eq "$(sql d.db 'PRAGMA integrity_check')" ok "the database after the -wal clash"
# an ordinary file, a FIFO, a device node, a link, a per-rank file
echo precious > keep.txt
refuse keep.txt
refuse keep.txt -p phases=read
head -c 1048576 /dev/zero > zeros.dat
refuse zeros.dat -p phases=read
mkfifo fifo && refuse fifo
if mknod dev c 1 3 2>/dev/null; then refuse dev; [ -c dev ] || fail "the device node was replaced"; fi
ln -s keep.txt link && refuse link
ln -s nowhere dangling && refuse dangling
echo precious > f.00000000 && refuse f -p file_per_process=true
eq "$(cat keep.txt)" precious "keep.txt"
eq "$(cat f.00000000)" precious "the per-rank file"
[ -p fifo ] || fail "the FIFO was replaced"
[ -L dangling ] || fail "the dangling link was replaced"
eq "$(cmp zeros.dat <(head -c 1048576 /dev/zero) && echo same)" same "zeros.dat"
# its own files: created, then removed; kept ones consumed by a read-only run
expect_rc 0 bx run ior -p path=new.dat $small --db d.db
[ -e new.dat ] && fail "ior left its file"
expect_rc 0 bx run ior -p path=kept.dat -p phases=write -p keep=true $small --db d.db
[ -f kept.dat ] || fail "keep=true left nothing"
expect_rc 0 bx run ior -p path=kept.dat -p phases=read $small --db d.db
[ -e kept.dat ] && fail "the read-only run did not consume the kept file"
exit 0
