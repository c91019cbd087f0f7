# A run the runner records itself (crashed, timeout) stores its parameters with
# their declared types, like an ok run: the view's params JSON and the params
# table agree, so `json_extract(params, '$.count') = 1000` finds every run.
. "$TEST_LIB" || exit 1
# Under AddressSanitizer the SIGSEGV must reach the runner as a signal, not as
# ASan's report and exit 1 (the crash is the point of this test).
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}handle_segv=0"
expect_rc 1 bx run trivial -p mode=ok,crash,exit --db t.db
eq "$(sql t.db "SELECT group_concat(status, ' ') FROM (SELECT status FROM runs ORDER BY id)")" "ok crashed crashed" "statuses"
eq "$(sql t.db "SELECT count(DISTINCT run_id) FROM results WHERE json_extract(params, '\$.count') = 1000")" 3 "runs with count = 1000 through the view"
eq "$(sql t.db "SELECT count(*) FROM runs WHERE json_type(params_json, '\$.flag') = 'false'")" 3 "runs with a boolean flag"
eq "$(sql t.db "SELECT group_concat(DISTINCT type) FROM params WHERE name='count'")" int "declared type of count"
expect_rc 1 bx run trivial -p mode=crash --json --db j.db
eq "$(sqlite3 :memory: "SELECT json_type(readfile('$TMP/out'), '\$.runs[0].params.count')")" integer "params.count in run --json"
exit 0
