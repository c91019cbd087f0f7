# A plugin whose report() returns BX_EFAILED is recorded as failed with its
# message, its metrics are kept, and the CLI exits 1; an init() error is failed
# too.
. "$TEST_LIB" || exit 1
expect_rc 1 bx run trivial -p mode=fail -p value=3 --db f.db
expect_err "validation failed on purpose"
eq "$(sql f.db "SELECT status FROM runs")" failed "status"
eq "$(sql f.db "SELECT error FROM runs")" "validation failed on purpose (mode=fail)" "error"
eq "$(sql f.db "SELECT value FROM results WHERE metric='echo'")" 3.0 "metric emitted before failing"
expect_rc 1 bx run trivial -p mode=error --db g.db
eq "$(sql g.db "SELECT status FROM runs")" failed "status after init error"
sql g.db "SELECT error FROM runs" | grep -q "init failed on purpose" || fail "init's message is lost"
exit 0
