# check finds a sustained shift of the level where it began (+-1 run), names
# the first run of the new level, the last of the old and what differs
# between them (here the kernel), in the table, JSON and JUnit; a lone wild
# run is an outlier that does not fail; nothing judged does not exit 0.
# The HTML report names the same runs and differences below the chart.
# Fails when: check exits 0 when nothing was judged; a lone outlier is made a
# REGRESSION; the change point starts 2 runs late (r->start += 2 in cp_analyze);
# checkcp_diff is not called (no "differs"); the per-metric floor (--min-change
# PLUGIN.METRIC=PCT) is ignored.
. "$TEST_LIB"
. "$RESULTS_LIB"
NB=$(p NB 192)
w() { echo "$1" | awk -v i="$2" '{ printf "%.3f", $1 * (1 + ((i * 7919) % 13 - 6) * 0.0015) }'; }
# 25 October nights at 100 (kernel 6.1.0-10), then 4 November nights at 90 (6.1.0-11)
for i in $(seq 1 25); do
    doc x.db oct$i "2026-10-$(printf %02d "$i")T02:00:00Z" node01 "$NB" gflops "$(w 100 "$i")" "" ok '["oct"]'
done
for i in 1 2 3 4; do
    doc x.db nov$i "2026-11-0${i}T02:00:00Z" node01 "$NB" gflops "$(w 90 $((i + 25)))" "" ok "[\"nov\",\"nov$i\"]"
done
ingest x.db
first=$(sql x.db "SELECT id FROM runs WHERE uuid = 'nov1'")
last_old=$(sql x.db "SELECT id FROM runs WHERE uuid = 'oct25'")

# the newest run: a regression, the shift begins at nov1 (or one run either side)
expect_rc 1 bx check tag:nov4 --db x.db --junit j.xml
expect_out "REGRESSION"
expect_out "level shift, REGRESSION"
grep -Eq "from run ($((first - 1))|$first|$((first + 1))) " "$TMP/out" || fail "first run of the new level: $(cat "$TMP/out")"
expect_out "last run $last_old (2026-10-25"
expect_out "differs: kernel 6.1.0-10 -> 6.1.0-11"
grep -q 'level shift .*differs: kernel 6.1.0-10 -&gt; 6.1.0-11' j.xml || fail "JUnit: $(cat j.xml)"
expect_rc 1 bx check tag:nov4 --db x.db --format json
expect_out "\"first_run\":	$first,"
expect_out '"differences":	"kernel 6.1.0-10 -> 6.1.0-11"'
# three nights of the new level are not enough yet after 25 at the old one? they are
# with a clear step; two are not a level: nov2 is an outlier (or ok), never a regression
expect_rc 0 bx check tag:nov2 --db x.db
grep -q "REGRESSION" "$TMP/out" && fail "two runs made a level: $(cat "$TMP/out")"
# the report says it below the chart of the series
expect_rc 0 bx report --html r.html --db x.db
grep -q 'level shift -10.[0-9] % \[-1[01].[0-9], -[0-9]*.[0-9]\] from the run of 2026-11-0[12]T02:00:00Z on (a regression for check)' r.html ||
    fail "report: $(grep -o 'class="note">[^<]*' r.html)"
# ... with where it began and what changed then, as check says it
grep -Eq "first run of the new level: ($((first - 1))|$first|$((first + 1))) \(2026-1[01]-" r.html || fail "report: first run: $(grep -o 'class="note">.*' r.html | head -c 600)"
grep -Eq "the old level's last run: [0-9]+ \(2026-1[01]-[0-9]+T02:00:00Z\); differs: kernel 6.1.0-10 -&gt; 6.1.0-11" r.html ||
    fail "report: differences: $(grep -o 'class="note">.*' r.html | head -c 600)"
# a floor above the shift: significant, but not a regression
expect_rc 0 bx check tag:nov4 --db x.db --min-change hpl.gflops=15
expect_out "level shift under the floor"
expect_rc 1 bx check tag:nov4 --db x.db --min-change 15 --min-change gflops=5
expect_rc 2 bx check tag:nov4 --db x.db --min-change hpl.gflops=lots
expect_err "--min-change"

# one wild run after a steady history: an outlier, reported, exit 0
for i in $(seq 1 20); do
    doc y.db s$i "2026-10-$(printf %02d "$i")T02:00:00Z" node01 "$NB" gflops "$(w 100 "$i")" "" ok '["steady"]'
done
doc y.db wild "2026-10-21T02:00:00Z" node01 "$NB" gflops 55 "" ok '["wild"]'
ingest y.db
expect_rc 0 bx check tag:wild --db y.db
expect_out "outlier"
expect_out "passed: 1 value checked, 0 regressions, 0 failed runs, 0 without a reference, 1 outlier"
expect_rc 1 bx check tag:wild --db y.db --fail-on-outlier

# nothing judged: the last line says so, exit 3; the JUnit case is skipped
expect_rc 3 bx check tag:steady --db y.db --history 1 --min-history 1 --junit n.xml
expect_rc 3 bx check --plugin hpl --db y.db --since 2026-10-01 --min-history 25
tail -n 1 "$TMP/out" | grep -q "^NOTHING JUDGED" || fail "last line: $(tail -n 1 "$TMP/out")"
grep -q "<skipped" n.xml || fail "JUnit skipped"
expect_rc 0 bx check --plugin hpl --db y.db --since 2026-10-01 --min-history 25 --allow-nothing-judged
exit 0
