# The documented `results` view has exactly the columns of docs (run_id,
# started_at, plugin, plugin_version, status, host, job_id, params, metric,
# value, unit, better, and since schema 3 user), in that order, one row per run
# and metric; a CLI run records the login name of who ran it.
. "$TEST_LIB" || exit 1
expect_rc 0 bx run trivial -p value=9 --db v.db
eq "$(sql v.db "SELECT group_concat(name, ',') FROM pragma_table_info('results')")" \
   "run_id,started_at,plugin,plugin_version,status,host,job_id,params,metric,value,unit,better,user" \
   "columns of the results view"
eq "$(sql v.db "SELECT count(*) FROM results")" "$(sql v.db "SELECT count(*) FROM metrics")" "one row per run and metric"
eq "$(sql v.db "SELECT plugin || '|' || plugin_version || '|' || status || '|' || unit || '|' || better FROM results WHERE metric='rate'")" \
   "trivial|1.0.0|ok|ops/s|higher" "a row of the view"
eq "$(sql v.db "SELECT json_extract(params, '\$.value') FROM results WHERE metric='echo'")" 9 "params as JSON"
eq "$(sql v.db "SELECT job_id IS NULL FROM results WHERE metric='echo'")" 1 "job_id of a local run"
eq "$(sql v.db "SELECT host = '$(hostname -s)' FROM results WHERE metric='echo'")" 1 "host"
sql v.db "SELECT started_at FROM results LIMIT 1" | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$' || fail "started_at is not ISO 8601 UTC"
eq "$(sql v.db "SELECT DISTINCT user FROM results")" "$(id -un)" "user of a CLI run"
exit 0
