# export: any query into a file (CSV, JSON, JSON lines), complete or not at all.
. "$TEST_LIB"
. "$RESULTS_LIB"
doc x.db a 2026-01-10T10:00:00Z node01 "$(p NB 128)" gflops 10 "9 10 8"
doc x.db b 2026-02-10T10:00:00Z node02 "$(p NB 256)" gflops 12 "11 12 10"
ingest x.db

# the same bytes as query prints; the format from the extension
bx query --db x.db --format csv >want.csv
expect_rc 0 bx export --db x.db -o got.csv
cmp -s want.csv got.csv || fail "export .csv differs from query --format csv"
eq "$(head -1 got.csv)" "run_id,started_at,plugin,plugin_version,status,host,job_id,params,metric,value,unit,better" "CSV header"
eq "$(wc -l <got.csv)" 5 "a line per run and metric"
bx query --db x.db --format json >want.json
expect_rc 0 bx export --db x.db --output got.json
cmp -s want.json got.json || fail "export .json differs from query --format json"
expect_rc 0 bx export --db x.db --output got.jsonl --metric gflops
eq "$(wc -l <got.jsonl)" 2 "jsonl: a line per run"
grep -q '"metrics":{"gflops":{"value":12' got.jsonl || fail "jsonl content"
# grouped statistics export too; --format wins over the extension
expect_rc 0 bx export --db x.db --group-by NB --stat median --metric gflops --format csv -o stats.txt
eq "$(cat stats.txt)" "NB,metric,unit,better,median
128,gflops,GFLOP/s,higher,10
256,gflops,GFLOP/s,higher,12" "grouped export"
# filters apply
expect_rc 0 bx export --db x.db --host node02 -o one.csv
eq "$(grep -c ',node02,' one.csv)" 2 "filtered export"
grep -q ',node01,' one.csv && fail "node01 in a --host node02 export"
# nothing but the file is left behind (it was written to a temporary file, renamed)
eq "$(ls | grep -c '\.tmp\.')" 0 "no temporary files"

# bad input: nothing written
expect_rc 2 bx export --db x.db
expect_err "--output FILE"
expect_rc 2 bx export --db x.db -o t.txt --format table
expect_err "not a table"
expect_rc 2 bx export --db x.db -o bad.csv --metric nosuch
[ -e bad.csv ] && fail "an export with a bad filter wrote its file"
expect_rc 2 bx export --db x.db -o /nonexistent/dir/x.csv
expect_err "cannot write"
exit 0
