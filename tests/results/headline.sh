# query (its table), check and compare show a run's headline metric (the
# first its plugin declares) by default; --metric and --all-metrics show the
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
expect_out "(6 more metric values not shown: --all-metrics, or --metric NAME)"
expect_rc 0 bx query --db r.db --run 1 --all-metrics
for m in rate echo elapsed wall_time user_time sys_time max_rss; do
    grep -q " $m " "$TMP/out" || fail "query --all-metrics lacks $m"
done
grep -q "not shown" "$TMP/out" && fail "a note with --all-metrics"
expect_rc 0 bx query --db r.db --run 1 --metric elapsed
grep -q " elapsed " "$TMP/out" || fail "--metric elapsed"
grep -q " rate " "$TMP/out" && fail "--metric elapsed shows rate"
expect_rc 0 bx query --db r.db --run 1 --format csv
eq "$(grep -c '^1,' "$TMP/out")" 7 "csv: every metric"
# check: the headline metric only (rate), every directional one with --all-metrics
expect_rc 0 bx check tag:t3 --db r.db --min-history 1 --floor 500 --format json
expect_out '"metric":	"rate"'
grep -q '"metric":	"elapsed"' "$TMP/out" && fail "check holds elapsed by default"
expect_rc 0 bx check tag:t3 --db r.db --min-history 1 --floor 500 --format json --all-metrics
expect_out '"metric":	"rate"'
expect_out '"metric":	"elapsed"'
expect_rc 0 bx check tag:t3 --db r.db --min-history 1 --floor 500 --metric elapsed --format json
expect_out '"metric":	"elapsed"'
# compare
expect_rc 0 bx compare tag:t1 tag:t2 --db r.db --format csv
eq "$(grep -c '^trivial,' "$TMP/out")" 1 "compare: the headline metric"
grep -q ',rate,' "$TMP/out" || fail "compare: rate"
expect_rc 0 bx compare tag:t1 tag:t2 --db r.db --format csv --all-metrics
[ "$(grep -c '^trivial,' "$TMP/out")" -ge 6 ] || fail "compare --all-metrics: $(cat "$TMP/out")"
exit 0
