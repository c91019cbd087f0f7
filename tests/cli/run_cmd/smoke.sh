# A run of the trivial plugin stores one run, its metrics and resource usage.
. "$TEST_LIB"
expect_rc 0 bx run trivial -p count=5000 --db r.db
eq "$(sql r.db "SELECT count(*) FROM runs WHERE status='ok'")" 1 "ok runs"
eq "$(sql r.db "SELECT value FROM results WHERE metric='echo'")" 42.0 "echo metric"
eq "$(sql r.db "SELECT count(*) FROM results WHERE metric IN ('wall_time','user_time','sys_time','max_rss')")" 4 "resource metrics"
eq "$(sql r.db "SELECT count(*) FROM samples WHERE metric='rate'")" 3 "one rate sample per repetition"
