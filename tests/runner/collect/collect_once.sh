# `collect` ingests a result document left in the spool, exactly once: the same
# document collected again (or left with --keep-spool) stores no second run.
. "$TEST_LIB" || exit 1
expect_rc 0 bx run trivial -p value=5 --keep-spool --db a.db
mkdir b.db.spool
cp a.db.spool/*.result.json b.db.spool/ || fail "no result document kept"
doc=$(ls b.db.spool/*.result.json)
cp "$doc" saved.json
expect_rc 0 bx collect --db b.db
eq "$(sql b.db "SELECT count(*) FROM runs")" 1 "runs after collect"
eq "$(sql b.db "SELECT value FROM results WHERE metric='echo'")" 5.0 "the collected metric"
eq "$(sql b.db "SELECT uuid FROM runs")" "$(sql a.db "SELECT uuid FROM runs")" "uuid"
[ -e "$doc" ] && fail "the collected document is still in the spool"
cp saved.json "$doc"
expect_rc 0 bx collect --db b.db
eq "$(sql b.db "SELECT count(*) FROM runs")" 1 "runs after collecting the same document again"
cp saved.json "$doc"
expect_rc 0 bx collect --db b.db --keep-spool
expect_rc 0 bx collect --db b.db --keep-spool
eq "$(sql b.db "SELECT count(*) FROM runs")" 1 "runs after collect --keep-spool twice"
[ -e "$doc" ] || fail "--keep-spool removed the document"
# the run's own database already has it
expect_rc 0 bx collect --db a.db
eq "$(sql a.db "SELECT count(*) FROM runs")" 1 "runs in the original database"
exit 0
