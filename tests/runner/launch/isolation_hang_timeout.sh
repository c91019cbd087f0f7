# A plugin that hangs is killed after --timeout and recorded as timeout, soon
# (not after the default hour); no process of it is left behind; the next point
# runs; exit 1.
. "$TEST_LIB" || exit 1
t0=$(date +%s)
expect_rc 1 bx run trivial -p mode=hang,ok --timeout 1 --db "$TMP/h.db"
dt=$(( $(date +%s) - t0 ))
[ "$dt" -lt 15 ] || fail "the run took $dt s with --timeout 1"
eq "$(sql h.db "SELECT group_concat(status, ' ') FROM (SELECT status FROM runs ORDER BY id)")" "timeout ok" "statuses"
sql h.db "SELECT error FROM runs WHERE status='timeout'" | grep -q "timeout" || fail "the error does not mention the timeout"
sleep 0.2
# The worker's command line names our spool (an absolute path under $TMP).
if pgrep -f "benchaas-worker.*$TMP" >/dev/null; then
    pgrep -af "benchaas-worker.*$TMP"
    fail "a worker outlived the timeout"
fi
exit 0
