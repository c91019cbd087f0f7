# The database's disk is full when a result is to be stored: the runner says
# so, clearly, and keeps the result document in the spool (on another disk);
# the database is intact; once there is room, `collect` stores the run, once.
. "$TEST_LIB" || exit 1
. "$BENCHAAS_SOURCE/tests/faults/lib/faults.sh" || exit 1
. "$BENCHAAS_SOURCE/tests/faults/lib/tmpfs.sh" || exit 1
mount_small "$TMP/fs" 2m
# The spool beside the database is a link to a folder on the big disk.
mkdir spool && ln -s "$TMP/spool" fs/d.db.spool
expect_rc 0 bx run faulty -p value=1 --db fs/d.db
fill fs 64                  # 64 KiB left: the database opens, a large run does not fit
expect_rc 1 bx run faulty -p value=7 -p pad=300k --db fs/d.db
expect_err "database or disk is full"
expect_err "kept in"
eq "$(ls spool/*.result.json | wc -l)" 1 "result documents kept in the spool"
eq "$(sql fs/d.db 'PRAGMA integrity_check')" ok "integrity_check on the full disk"
eq "$(sql fs/d.db 'SELECT count(*) FROM runs')" 1 "runs stored while full"
# collect while still full: refused the same way, the document stays
expect_rc 1 bx collect --db fs/d.db
expect_err "database or disk is full"
eq "$(ls spool/*.result.json | wc -l)" 1 "result documents after a failed collect"
rm fs/filler
expect_rc 0 bx collect --db fs/d.db
expect_out "collected 1 result"
eq "$(sql fs/d.db "SELECT count(*) FROM results WHERE metric='echo' AND value=7")" 1 "the run, stored once"
eq "$(sql fs/d.db "SELECT length(value) FROM run_meta WHERE key='pad'")" 307200 "its metadata, whole"
eq "$(sql fs/d.db 'PRAGMA integrity_check')" ok "integrity_check after collect"
eq "$(ls spool | wc -l)" 0 "files left in the spool"
# The database and its spool both on the full disk: refused before anything
# runs (exit 2), saying the disk is full; the file is intact and usable after.
mkdir fs/spool2 && ln -s "$TMP/fs/spool2" fs/e.db.spool
expect_rc 0 bx run faulty --db fs/e.db
fill fs 0
expect_rc 2 bx run faulty -p value=9 --db fs/e.db
expect_err "full"
rm fs/filler
eq "$(sql fs/e.db 'PRAGMA integrity_check')" ok "integrity_check after a full disk at open"
expect_rc 0 bx run faulty -p value=9 --db fs/e.db
eq "$(sql fs/e.db 'SELECT count(*) FROM runs')" 2 "runs once there is room again"
exit 0
