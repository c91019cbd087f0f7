# query --group-by/--stat/--over: exact statistics over fabricated runs, in
# every output format.
. "$TEST_LIB"
. "$RESULTS_LIB"
doc x.db a 2026-01-10T10:00:00Z node01 "$(p NB 128)" gflops 10 "9 10 8"
doc x.db b 2026-02-10T10:00:00Z node02 "$(p NB 128)" gflops 12 "11 12 10"
doc x.db c 2026-01-20T10:00:00Z node01 "$(p NB 256)" gflops 20 "20 19 18"
doc x.db d 2026-02-20T10:00:00Z node01 "$(p NB 256)" gflops 30 "30 29 28" ok '["nightly"]'
doc x.db e 2026-02-21T10:00:00Z node02 "$(p NB 256)" gflops 40 "" failed
ingest x.db

# over runs (the stored value of each run), every status
expect_rc 0 bx query --db x.db --metric gflops --group-by NB --stat count,median,min,max --format csv
eq "$(cat "$TMP/out")" "NB,metric,unit,better,count,median,min,max
128,gflops,GFLOP/s,higher,2,11,10,12
256,gflops,GFLOP/s,higher,3,30,20,40" "csv, grouped by NB"
# ok runs only; stddev (n-1), mean, p95 (linear interpolation), runs
expect_rc 0 bx query --db x.db --metric gflops --status ok --group-by NB \
    --stat runs,mean,stddev,p95 --format csv
expect_out "128,gflops,GFLOP/s,higher,2,11,1.4142135623730951,11.9"
expect_out "256,gflops,GFLOP/s,higher,2,25,7.0710678118654755,29.5"
# over samples: every repetition; runs counts runs, count counts values
expect_rc 0 bx query --db x.db --metric gflops --status ok --group-by NB --over samples \
    --stat count,runs,median,min,max,p5 --format csv
expect_out "128,gflops,GFLOP/s,higher,6,2,10,8,12,8.25"
expect_out "256,gflops,GFLOP/s,higher,6,2,24,18,30,18.25"
# a run without samples counts with its value (e: failed, 40); hosts and runs in any order
expect_rc 0 bx query --db x.db --metric gflops --group-by host --over samples \
    --stat count,runs,min,max --format csv
expect_out "node01,gflops,GFLOP/s,higher,9,3,8,30"
expect_out "node02,gflops,GFLOP/s,higher,4,2,10,40"
# several fields; run fields and provenance
expect_rc 0 bx query --db x.db --metric gflops --group-by host,NB --stat count,median --format csv
expect_out "node01,128,gflops,GFLOP/s,higher,1,10"
expect_out "node01,256,gflops,GFLOP/s,higher,2,25"
expect_out "node02,256,gflops,GFLOP/s,higher,1,40"
expect_rc 0 bx query --db x.db --metric gflops --group-by month --stat median --format csv
expect_out "2026-01,gflops,GFLOP/s,higher,15"
expect_out "2026-02,gflops,GFLOP/s,higher,30"
expect_rc 0 bx query --db x.db --metric gflops --group-by prov:kernel,status --stat count --format csv
expect_out "6.1.0-02,failed,gflops,GFLOP/s,higher,1"
expect_out "6.1.0-02,ok,gflops,GFLOP/s,higher,2"
expect_rc 0 bx query --db x.db --metric gflops --group-by cpu_model --stat max --format csv
expect_out "CPU-node02,gflops,GFLOP/s,higher,40"
# a run without the tag is in the NULL group (empty in CSV, null in JSON, - in the table)
expect_rc 0 bx query --db x.db --metric gflops --group-by tag --stat count --format csv
expect_out "nightly,gflops,GFLOP/s,higher,1"
expect_out ",gflops,GFLOP/s,higher,4"
# --stat without --group-by: one row per metric; every metric without --metric
expect_rc 0 bx query --db x.db --stat count --format csv
eq "$(cat "$TMP/out")" "metric,unit,better,count
gflops,GFLOP/s,higher,5
wall_time,s,none,5" "one group per metric"

# JSON: typed group values, null for a missing statistic
expect_rc 0 bx query --db x.db --metric gflops --group-by NB,tag --stat count,stddev --format json
expect_out '{"groups": ['
expect_out '{"NB":256,"tag":"nightly","metric":"gflops","unit":"GFLOP/s","better":"higher","count":1,"stddev":null}'
expect_out '{"NB":128,"tag":null,"metric":"gflops","unit":"GFLOP/s","better":"higher","count":2,"stddev":1.4142135623730951}'
# JSON lines: one object per line and group
expect_rc 0 bx query --db x.db --metric gflops --group-by NB --format jsonl
eq "$(wc -l <"$TMP/out")" 2 "jsonl lines"
eq "$(head -1 "$TMP/out")" '{"NB":128,"metric":"gflops","unit":"GFLOP/s","better":"higher","count":2,"median":11,"min":10,"max":12}' "jsonl, default statistics"
# table: a header and a line per group
expect_rc 0 bx query --db x.db --metric gflops --group-by NB --stat median
eq "$(sed -n 1p "$TMP/out" | tr -s ' ')" "NB metric median unit" "table header"
eq "$(sed -n 3p "$TMP/out" | tr -s ' ')" "256 gflops 30 GFLOP/s" "table row"
# a parameter named like a statistic keeps its own column name
expect_rc 0 bx query --db x.db --metric gflops --group-by param:NB --stat count --format csv
expect_out "param:NB,metric,unit,better,count"
exit 0
