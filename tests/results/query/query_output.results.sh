# query --format csv has the results view's columns as header; --format json is
# the {"runs": [...]} document of run --json; the table names run and metric.
. "$TEST_LIB" || exit 1
bx run trivial -p value=7 --db q.db >/dev/null 2>&1 || fail "run"
expect_rc 0 bx query --db q.db --format csv
eq "$(head -1 "$TMP/out")" "run_id,started_at,plugin,plugin_version,status,host,job_id,params,metric,value,unit,better" "csv header"
eq "$(wc -l <"$TMP/out")" "$(( $(sql q.db "SELECT count(*) FROM results") + 1 ))" "csv rows"
grep -q '^1,.*,trivial,1.0.0,ok,.*,echo,7,,none$' "$TMP/out" || fail "csv row of echo"
expect_rc 0 bx query --db q.db --format json
j() { sqlite3 :memory: "SELECT $1 FROM (SELECT readfile('$TMP/out') AS d)"; }
eq "$(j "json_valid(d)")" 1 "json is valid"
eq "$(j "(SELECT group_concat(key, ',') FROM (SELECT key FROM json_each(d, '\$.runs[0]') ORDER BY key))")" \
   "computed,error,host,id,job_id,metrics,params,plugin,plugin_version,ranks,started_at,status,threads" "keys of a run"
eq "$(j "json_extract(d, '\$.runs[0].metrics.echo.value')")" 7 "echo"
expect_rc 0 bx query --db q.db --all-metrics
expect_out "trivial"
expect_out "echo"
exit 0
