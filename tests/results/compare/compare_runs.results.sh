# compare two real runs of the trivial plugin: a tenfold longer loop is a real
# difference (beyond the noise, worse for the lower-is-better time), and with
# --all-metrics the output has every metric of both runs; by default only the
# headline metric (the first the plugin declares: rate).
. "$TEST_LIB"
expect_rc 0 bx run trivial -p count=20000 --repetitions 6 --db r.db --tag short --quiet
expect_rc 0 bx run trivial -p count=2000000 --repetitions 6 --db r.db --tag long --quiet
expect_rc 0 bx compare 1 2 --db r.db --all-metrics
expect_out "A: 1 (1 run)"
expect_out "count=20000 -> count=2000000"
grep -E "^trivial +count=20000 -> count=2000000 +elapsed .* yes +worse +6/6$" "$TMP/out" >/dev/null ||
    fail "elapsed row: $(cat "$TMP/out")"
for m in rate echo elapsed wall_time user_time sys_time max_rss; do
    grep -q " $m " "$TMP/out" || fail "no row for $m"
done
expect_rc 0 bx compare 1 2 --db r.db
grep -E "^trivial +count=20000 -> count=2000000 +rate .* 6/6$" "$TMP/out" >/dev/null ||
    fail "rate row: $(cat "$TMP/out")"
for m in echo elapsed wall_time user_time sys_time max_rss; do
    grep -q " $m " "$TMP/out" && fail "$m shown by default"
done
expect_out "(8 more metrics not compared: --all-metrics, or --metric NAME)"
expect_rc 0 bx compare tag:short tag:long --db r.db --metric elapsed --format json
expect_out '"beyond_noise":	true'
expect_out '"p_value":	0.0021645021645021645' # 2 / C(12, 6): every long repetition is slower
exit 0
