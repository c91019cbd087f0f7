# -p NAME=a,b,c is a sweep: three runs, one per value, in order.
. "$TEST_LIB" || exit 1
expect_rc 0 bx run trivial -p count=1,2,3 --db s.db
eq "$(sql s.db "SELECT count(*) FROM runs WHERE status='ok'")" 3 "runs"
eq "$(sql s.db "SELECT group_concat(c, ' ') FROM (SELECT json_extract(params_json, '\$.count') AS c FROM runs ORDER BY point)")" "1 2 3" "count per point"
eq "$(sql s.db "SELECT group_concat(point, ' ') FROM (SELECT point FROM runs ORDER BY id)")" "0 1 2" "points in order"
# --json lists every point
expect_rc 0 bx run trivial -p size=1k,2k --json --db j.db
eq "$(sqlite3 :memory: "SELECT json_array_length(readfile('$TMP/out'), '\$.runs')")" 2 "runs in --json"
eq "$(sql j.db "SELECT group_concat(value, ' ') FROM (SELECT value FROM params WHERE name='size' ORDER BY run_id)")" "1024 2048" "sizes stored in bytes"
exit 0
