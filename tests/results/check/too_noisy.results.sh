# A configuration whose own spread is too large to see a change of the floor's
# size within 5 runs is named, with its spread against the floor: under
# check's table (plugin, configuration, metric, host), in --format json
# (too_noisy, level_spread_pct, detectable_pct, min_change_pct per row, and a
# count in the summary) and in the HTML report below its chart.  A steady
# configuration is not; a floor larger than what 5 runs can show clears it.
# Fails when: check no longer flags such a configuration (row->noisy never
# set, or print_noisy not called: no line naming it), and when the report's
# note is removed (report_charts.c's "too noisy to show a 2 % change").
. "$TEST_LIB"
. "$RESULTS_LIB"
# 30 nights of a steady configuration (+-0.2 %) and of a noisy one (+-15 %)
series x.db steady 30 "$(day 40)" 86400 node01 "$(p NB 192)" gflops GFLOP/s higher 100 0.002 1 1
series x.db noisy 30 "$(day 40)" 86400 node01 "$(p NB 256)" gflops GFLOP/s higher 100 0.15 1 2
doc x.db new192 "$(date -u -d @"$(day 5)" +%FT%TZ)" node01 "$(p NB 192)" gflops 100.1 "100.1" ok '["new"]'
doc x.db new256 "$(date -u -d @"$(day 5)" +%FT%TZ)" node01 "$(p NB 256)" gflops 101 "101" ok '["new"]'
ingest x.db

expect_rc 0 bx check tag:new --db x.db
expect_out "1 configuration is too noisy to show a change of the floor's size within 5 runs"
grep -Eq '^  hpl NB=256 gflops on node01: spread [0-9.]+ % of its level, 5 runs show [0-9.]+ %, floor 2 %$' "$TMP/out" ||
    fail "the noisy configuration is not named: $(cat "$TMP/out")"
grep -q '^  hpl NB=192 ' "$TMP/out" && fail "the steady configuration named too noisy: $(cat "$TMP/out")"
expect_out "passed: 2 values checked"

expect_rc 0 bx check tag:new --db x.db --format json
python3 - "$TMP/out" <<'PY' || fail "JSON: $(cat "$TMP/out")"
import json, sys
d = json.load(open(sys.argv[1]))
rows = {r["config"]: r for r in d["checks"]}
noisy, steady = rows["NB=256"], rows["NB=192"]
assert noisy["too_noisy"] is True and steady["too_noisy"] is False, rows
assert noisy["detectable_pct"] > noisy["min_change_pct"] == 2 > steady["detectable_pct"], rows
assert noisy["level_spread_pct"] == noisy["spread_pct"] > 5, noisy
assert steady["level_spread_pct"] < 0.5, steady
assert d["summary"]["too_noisy"] == 1, d["summary"]
PY

# a floor beyond what 5 runs of it can show: nothing is too noisy
expect_rc 0 bx check tag:new --db x.db --min-change 40
grep -q "too noisy" "$TMP/out" && fail "too noisy under a 40 % floor: $(cat "$TMP/out")"

# the report says it below the chart, of the noisy configuration only
expect_rc 0 bx report --html r.html --db x.db
grep -Eq 'class="note">NB=256: too noisy to show a 2 % change within 5 runs \(spread [0-9.]+ %' r.html ||
    fail "report: $(grep -o 'class="note">[^<]*' r.html)"
grep -q 'NB=192: too noisy' r.html && fail "report: the steady configuration too noisy"
exit 0
