# compare with fabricated groups: a noise-only difference is not "beyond the
# noise", a real one is, and its direction is judged by the metric's better.
. "$TEST_LIB"
. "$RESULTS_LIB"
NB192=$(p NB 192)
# series DB PREFIX COUNT FIRST STEP HOST PARAMS METRIC UNIT BETTER MEDIAN NOISE REPS SEED TAGS
series x.db before 5 "$(day 40)" 3600 node01 "$NB192" gflops GFLOP/s higher 100 0.01 5 1 '["before"]'
series x.db after 5 "$(day 30)" 3600 node01 "$NB192" gflops GFLOP/s higher 100 0.01 5 2 '["after"]'
series x.db slow 5 "$(day 20)" 3600 node01 "$NB192" gflops GFLOP/s higher 90 0.01 5 3 '["slow"]'
series x.db fast 5 "$(day 10)" 3600 node01 "$NB192" gflops GFLOP/s higher 108 0.01 5 4 '["fast"]'
series x.db t1 5 "$(day 40)" 3600 node01 "$NB192" time s lower 10 0.01 5 5 '["before"]'
series x.db t2 5 "$(day 20)" 3600 node01 "$NB192" time s lower 9 0.01 5 6 '["slow"]'
ingest x.db
# field N of the CSV row of METRIC (columns: plugin,config,params_a,params_b,host,metric,
# unit,better,n_a,n_b,runs_a,runs_b,median_a,median_b,change_percent,p_value,beyond_noise,verdict)
row() { grep "^[a-z]*,[^,]*,\"{[^}]*}\",\"{[^}]*}\",,$1," "$TMP/out" || fail "no row for $1: $(cat "$TMP/out")"; }
field() { row "$1" | awk -F, -v n="$2" '{ print $n }'; } # (one parameter: no comma in the JSON)

# noise only: the same distribution on both sides
expect_rc 0 bx compare tag:before tag:after --db x.db --metric gflops --format csv
eq "$(field gflops 9)" "25" "samples of A"
eq "$(field gflops 17)" "no" "noise only: not beyond the noise"
eq "$(field gflops 18)" "same" "noise only: verdict"
# a real drop of 10 % on a higher-is-better metric
expect_rc 0 bx compare tag:before tag:slow --db x.db --metric gflops --format csv
eq "$(field gflops 17)" "yes" "a 10 % drop is beyond the noise"
eq "$(field gflops 18)" "worse" "lower GFLOP/s is worse"
change=$(field gflops 15)
awk -v c="$change" 'BEGIN { exit !(c < -9 && c > -11) }' || fail "change $change is not about -10 %"
# a rise, and a lower-is-better metric going down: both better
expect_rc 0 bx compare tag:before tag:fast --db x.db --metric gflops --format csv
eq "$(field gflops 18)" "better" "more GFLOP/s is better"
expect_rc 0 bx compare tag:before tag:slow --db x.db --metric time --format csv
eq "$(field time 18)" "better" "less time is better"
eq "$(field time 8)" "lower" "time: lower is better"
# --min-change: a significant 10 % is 'same' when 20 % is asked for
expect_rc 0 bx compare tag:before tag:slow --db x.db --metric gflops --min-change 20 --format csv
eq "$(field gflops 18)" "same" "--min-change 20"
# time windows as selectors, the table and the JSON
expect_rc 0 bx compare "$(date -u -d @"$(day 41)" +%F)..$(date -u -d @"$(day 39)" +%F)" \
    "$(date -u -d @"$(day 21)" +%F)..$(date -u -d @"$(day 19)" +%F)" --db x.db --metric gflops
expect_out "beyond noise"
grep -E "gflops .* -(9|10)\.[0-9]+ % .* yes +worse" "$TMP/out" >/dev/null || fail "table row: $(cat "$TMP/out")"
expect_rc 0 bx compare tag:before tag:slow --db x.db --format json
expect_out '"beyond_noise":	true'
expect_out '"verdict":	"worse"'
expect_out '"selector":	"tag:before"'
# one run against one run, 5 repetitions each: enough for the test
id() { sqlite3 x.db "SELECT id FROM runs WHERE uuid = '$1'"; }
expect_rc 0 bx compare "$(id before-0)" "$(id slow-0)" --db x.db --metric gflops --format csv
eq "$(field gflops 9)" "5" "one run: its repetitions"

# 3 repetitions against 3: the test cannot reach 5 %; said so
doc y.db a 2026-01-10T10:00:00Z node01 "$NB192" gflops 10 "10 10.1 10.2"
doc y.db b 2026-01-11T10:00:00Z node01 "$NB192" gflops 8 "8 8.1 8.2"
ingest y.db
expect_rc 0 bx compare 1 2 --db y.db --metric gflops
expect_out "too few"
expect_out "no difference can reach p < 0.05"
grep -E "gflops .* too few +inconclusive +3/3$" "$TMP/out" >/dev/null || fail "inconclusive row: $(cat "$TMP/out")"
grep -q " same " "$TMP/out" && fail "too few samples called same: $(cat "$TMP/out")"
expect_out "hpl gflops: 3 against 3 samples: the smallest p-value possible is 0.1, not below alpha 0.05"
# one single run against another, +39 %: inconclusive with why, never "same"
doc z.db c 2026-01-10T10:00:00Z node01 "$NB192" gflops 10 ""
doc z.db d 2026-01-11T10:00:00Z node01 "$NB192" gflops 13.9 ""
ingest z.db
expect_rc 0 bx compare 1 2 --db z.db --metric gflops --format json
expect_out '"verdict":	"inconclusive"'
expect_out '"why":	"1 against 1 samples: the smallest p-value possible is 1, not below alpha 0.05"'
expect_rc 0 bx compare 1 2 --db z.db --metric gflops --format csv
eq "$(field gflops 18)" "inconclusive" "one run against one: verdict"

# bad input
expect_rc 2 bx compare tag:before --db x.db
expect_err "give two selectors"
expect_rc 2 bx compare tag:before tag:nosuch --db x.db
expect_err "B ('tag:nosuch') selects no run"
expect_rc 2 bx compare tag:before bogus --db x.db
expect_err "'bogus' is not a selector term"
expect_rc 2 bx compare tag:before 2026-13-01.. --db x.db
expect_err "is not a time"
expect_rc 2 bx compare tag:before tag:after --db x.db --alpha 2
expect_err "--alpha"
expect_rc 2 bx compare tag:before tag:after --db x.db --metric nosuch
expect_err "unknown metric 'nosuch'"
exit 0
