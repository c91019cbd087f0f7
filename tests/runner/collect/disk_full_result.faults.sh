# The spool's disk is full when the worker writes its result document: no
# half-written document is left, the run is recorded `crashed` with the
# reason ("No space left on device") in the database (on another disk),
# which stays intact, and the runner exits 1.
. "$TEST_LIB" || exit 1
. "$BENCHAAS_SOURCE/tests/faults/lib/faults.sh" || exit 1
. "$BENCHAAS_SOURCE/tests/faults/lib/tmpfs.sh" || exit 1
mount_small "$TMP/fs" 2m
mkdir fs/spool && ln -s "$TMP/fs/spool" r.db.spool
expect_rc 0 bx run faulty -p value=1 --db r.db
fill fs 4                  # one page: the spec fits, the padded result does not
expect_rc 1 bx run faulty -p value=7 -p pad=64k --db r.db
expect_err "No space left on device"
eq "$(sql r.db "SELECT status FROM runs ORDER BY id DESC LIMIT 1")" crashed "status"
case "$(sql r.db "SELECT error FROM runs ORDER BY id DESC LIMIT 1")" in
    *"No space left on device"*) ;; *) fail "the stored error does not say the disk is full" ;;
esac
eq "$(sql r.db "SELECT count(*) FROM metrics WHERE name='echo' AND value=7")" 0 "metrics of the lost result"
eq "$(ls fs/spool | wc -l)" 0 "files left in the spool (no .tmp)"
eq "$(sql r.db 'PRAGMA integrity_check')" ok "integrity_check"
# With room again, runs work.
rm fs/filler
expect_rc 0 bx run faulty -p value=8 --db r.db
eq "$(sql r.db "SELECT count(*) FROM results WHERE metric='echo' AND value=8")" 1 "a run after the disk was freed"
exit 0
