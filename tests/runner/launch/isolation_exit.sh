# A plugin that calls exit() mid-run (no result document) is recorded as
# crashed "without writing a result"; the next point runs; exit 1.
. "$TEST_LIB" || exit 1
expect_rc 1 bx run trivial -p mode=exit,ok --db e.db
eq "$(sql e.db "SELECT group_concat(status, ' ') FROM (SELECT status FROM runs ORDER BY id)")" "crashed ok" "statuses"
sql e.db "SELECT error FROM runs WHERE status='crashed'" | grep -q "without writing a result" || fail "the error does not say why"
exit 0
