# query (its table), check and compare show a run's headline metrics (those
# its plugin marks BX_METRIC_HEADLINE, "headline": true in the document; the
# first declared when none is) by default; --metric and --all-metrics show the
# rest; csv and json keep every metric.
. "$TEST_LIB"
for i in 1 2 3; do
    expect_rc 0 bx run trivial -p count=20000 --repetitions 2 --db r.db --tag t$i --quiet
done
expect_rc 0 bx query --db r.db --run 1
grep -E "^ *1 +trivial +ok .* rate +[0-9.e+]+ +ops/s$" "$TMP/out" >/dev/null || fail "rate row: $(cat "$TMP/out")"
for m in echo elapsed wall_time user_time sys_time max_rss; do
    grep -q " $m " "$TMP/out" && fail "query shows $m by default"
done
expect_out "(8 more metric values not shown: --all-metrics, or --metric NAME)"
expect_rc 0 bx query --db r.db --run 1 --all-metrics
for m in rate echo elapsed wall_time user_time sys_time max_rss; do
    grep -q " $m " "$TMP/out" || fail "query --all-metrics lacks $m"
done
grep -q "not shown" "$TMP/out" && fail "a note with --all-metrics"
expect_rc 0 bx query --db r.db --run 1 --metric elapsed
grep -q " elapsed " "$TMP/out" || fail "--metric elapsed"
grep -q " rate " "$TMP/out" && fail "--metric elapsed shows rate"
expect_rc 0 bx query --db r.db --run 1 --format csv
eq "$(grep -c '^1,' "$TMP/out")" 9 "csv: every metric"
# check: the headline metric only (rate), every directional one with --all-metrics
expect_rc 0 bx check tag:t3 --db r.db --min-history 1 --floor 500 --allow-nothing-judged --format json
expect_out '"metric":	"rate"'
grep -q '"metric":	"elapsed"' "$TMP/out" && fail "check holds elapsed by default"
expect_rc 0 bx check tag:t3 --db r.db --min-history 1 --floor 500 --allow-nothing-judged --format json --all-metrics
expect_out '"metric":	"rate"'
expect_out '"metric":	"elapsed"'
expect_rc 0 bx check tag:t3 --db r.db --min-history 1 --floor 500 --allow-nothing-judged --metric elapsed --format json
expect_out '"metric":	"elapsed"'
# compare
expect_rc 0 bx compare tag:t1 tag:t2 --db r.db --format csv
eq "$(grep -c '^trivial,' "$TMP/out")" 1 "compare: the headline metric"
grep -q ',rate,' "$TMP/out" || fail "compare: rate"
expect_rc 0 bx compare tag:t1 tag:t2 --db r.db --format csv --all-metrics
[ "$(grep -c '^trivial,' "$TMP/out")" -ge 6 ] || fail "compare --all-metrics: $(cat "$TMP/out")"
# the worker writes the mark: the trivial plugin marks none, so its first metric
grep -q '"rate":{"value":[^}]*"headline":true}' r.db.spool/*.result.json 2>/dev/null ||
    [ "$(sqlite3 r.db "SELECT group_concat(name) FROM metrics WHERE run_id = 1 AND headline = 1")" = rate ] ||
    fail "rate not stored as the headline"
eq "$(sqlite3 r.db "SELECT count(*) FROM metrics WHERE run_id = 1 AND headline = 0")" 8 "the others are not"
# a document marking two metrics that are not the first: those are shown, not the first
mkdir -p m.db.spool
cat > m.db.spool/m1.result.json <<'DOC'
{"result_version":1,"uuid":"m1","plugin":"ior","plugin_version":"1.0.0","status":"ok","error":null,
 "started_at":"2026-11-01T10:00:00Z","host":"n1","ranks":1,"threads":1,"repetitions":1,"tags":[],"params":{},
 "metrics":{"write_open_time":{"value":0.01,"unit":"s","better":"lower"},
            "write_bw":{"value":900,"unit":"MiB/s","better":"higher","headline":true},
            "read_bw":{"value":1200,"unit":"MiB/s","better":"higher","headline":true},
            "wall_time":{"value":3,"unit":"s","better":"none"}},
 "samples":{},"provenance":{"hostname":"n1"}}
DOC
expect_rc 0 bx collect --db m.db
expect_rc 0 bx query --db m.db
expect_out "write_bw"
expect_out "read_bw"
grep -q "write_open_time" "$TMP/out" && fail "an unmarked first metric shown"
expect_out "(2 more metric values not shown"
exit 0
