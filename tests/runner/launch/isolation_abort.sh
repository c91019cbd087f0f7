# A plugin that calls abort() is recorded as crashed with "signal 6"; the next
# point still runs; exit 1.
. "$TEST_LIB" || exit 1
expect_rc 1 bx run trivial -p mode=abort,ok --db a.db
eq "$(sql a.db "SELECT group_concat(status, ' ') FROM (SELECT status FROM runs ORDER BY id)")" "crashed ok" "statuses"
sql a.db "SELECT error FROM runs WHERE status='crashed'" | grep -q "signal 6" || fail "the error does not name signal 6"
exit 0
