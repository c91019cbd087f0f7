# The worker samples the benchmark process's memory and CPU while it runs;
# the series is stored with the run and the report plots it.
. "$TEST_LIB"
expect_rc 0 bx run trivial -p count=40000000 --repetitions 4 --db t.db --keep-spool --quiet
grep -q '"timeline":\[\[0' t.db.spool/*.result.json || fail "no timeline in the result document"
n=$(sqlite3 t.db "SELECT count(*) FROM timeline_view WHERE run_id = 1")
[ "$n" -ge 2 ] || fail "only $n timeline points"
eq "$(sqlite3 t.db "SELECT count(*) FROM timeline WHERE rss_mib IS NULL OR rss_mib <= 0")" 0 "RSS of every point"
eq "$(sqlite3 t.db "SELECT count(*) FROM timeline WHERE seq > 0 AND cpu_percent IS NULL")" 0 "CPU of every later point"
eq "$(sqlite3 t.db "SELECT cpu_percent IS NULL FROM timeline WHERE seq = 0")" 1 "no CPU for the first point"
# a busy loop uses CPU; times grow and end near the run's wall time
busy=$(sqlite3 t.db "SELECT max(cpu_percent) > 5 FROM timeline")
eq "$busy" 1 "a CPU-bound run shows CPU use"
eq "$(sqlite3 t.db "SELECT count(*) FROM timeline a JOIN timeline b ON b.run_id = a.run_id AND b.seq = a.seq + 1 WHERE b.t <= a.t")" 0 "increasing times"
awk -v last="$(sqlite3 t.db "SELECT max(t) FROM timeline")" \
    -v wall="$(sqlite3 t.db "SELECT value FROM results WHERE metric = 'wall_time'")" \
    'BEGIN { exit !(last > 0 && last <= wall + 0.01) }' || fail "the last point is not within the run"
expect_rc 0 bx report --db t.db --html r.html
grep -q "run 1, peak [0-9]* MiB: trivial" r.html || fail "the report has no timeline of run 1"
exit 0
