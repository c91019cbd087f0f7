# run --json prints one JSON document on stdout with the shape of docs/cli.md
# (progress, plugin warnings and logs go to stderr).
. "$TEST_LIB" || exit 1
expect_rc 0 bx run trivial -p count=5 -p flag=true -p label=hi --json --progress --db j.db
j() { sqlite3 :memory: "SELECT $1 FROM (SELECT readfile('$TMP/out') AS d)"; }
eq "$(j "json_valid(d)")" 1 "stdout is one JSON document"
eq "$(j "(SELECT group_concat(key) FROM json_each(d))")" runs "top-level keys"
eq "$(j "json_array_length(d, '\$.runs')")" 1 "runs"
eq "$(j "(SELECT group_concat(key, ',') FROM (SELECT key FROM json_each(d, '\$.runs[0]') ORDER BY key))")" \
   "computed,error,host,id,job_id,metrics,params,plugin,plugin_version,ranks,started_at,status,threads" "keys of a run"
eq "$(j "json_extract(d, '\$.runs[0].id') = (SELECT 1)")" 1 "id"
eq "$(j "json_type(d, '\$.runs[0].id')")" integer "type of id"
eq "$(j "json_extract(d, '\$.runs[0].plugin')")" trivial "plugin"
eq "$(j "json_extract(d, '\$.runs[0].plugin_version')")" 1.0.0 "plugin_version"
eq "$(j "json_extract(d, '\$.runs[0].status')")" ok "status"
eq "$(j "json_type(d, '\$.runs[0].job_id')")" null "job_id"
eq "$(j "json_type(d, '\$.runs[0].error')")" null "error"
eq "$(j "json_extract(d, '\$.runs[0].ranks') || '/' || json_extract(d, '\$.runs[0].threads')")" 1/1 "ranks/threads"
j "json_extract(d, '\$.runs[0].started_at')" | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$' || fail "started_at"
# params: typed JSON values
eq "$(j "json_type(d, '\$.runs[0].params.count') || ' ' || json_extract(d, '\$.runs[0].params.count')")" "integer 5" "params.count"
eq "$(j "json_type(d, '\$.runs[0].params.flag')")" true "params.flag"
eq "$(j "json_extract(d, '\$.runs[0].params.label')")" hi "params.label"
eq "$(j "json_extract(d, '\$.runs[0].params.size')")" 1024 "params.size in bytes"
# metrics: {value, unit, better}
eq "$(j "(SELECT group_concat(key, ',') FROM (SELECT key FROM json_each(d, '\$.runs[0].metrics.rate') ORDER BY key))")" \
   "better,unit,value" "keys of a metric"
eq "$(j "json_extract(d, '\$.runs[0].metrics.rate.unit') || ' ' || json_extract(d, '\$.runs[0].metrics.rate.better')")" "ops/s higher" "rate"
eq "$(j "json_extract(d, '\$.runs[0].metrics.echo.value')")" 42 "echo"
eq "$(j "json_extract(d, '\$.runs[0].metrics.wall_time.unit')")" s "wall_time"
# the warning and the progress went to stderr
expect_err "flag is set"
exit 0
