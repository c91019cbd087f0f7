# check --across-nodes: every node against the fleet's median for the same
# configuration.  A clearly slow node is named with its deviation (exit 1,
# a failing JUnit test case for that node only), noise within the band is
# not, a fleet too small to judge says so; the report has a Nodes section.
. "$TEST_LIB"
. "$RESULTS_LIB"
NB=$(p NB 192)
t=$(date -u -d @"$(day 1)" +%FT%TZ)
i=0
for v in 100.2 99.8 101.0 97.1 70.4 100.5 99.1 100.0; do
    i=$((i + 1))
    doc x.db "n$i" "$t" "node0$i" "$NB" gflops "$v" "$v" ok '["qa"]'
    # an older, slow run of node01 that its newest run replaces
    [ $i = 1 ] && doc x.db "old$i" "$(date -u -d @"$(day 9)" +%FT%TZ)" node01 "$NB" gflops 50 "50" ok '["old"]'
done
# a configuration only two nodes ran: too small a fleet
doc x.db small1 "$t" node01 "$(p NB 256)" gflops 100 "100" ok '["qa"]'
doc x.db small2 "$t" node02 "$(p NB 256)" gflops 60 "60" ok '["qa"]'
ingest x.db

expect_rc 1 bx check --across-nodes --db x.db --junit nodes.xml
expect_out "FAILED"
grep -E "^hpl +NB=192 +gflops +node05 +70.4 +GFLOP/s +99.9 +-29.5 % +>= 94.905 +OUTLIER$" "$TMP/out" >/dev/null ||
    fail "node05 row: $(cat "$TMP/out")"
expect_out "1 outlier: node05 (gflops -29.5 %)"
# node04 is 3 % below: within the 5 % floor, not named
grep -E "node04 .* ok$" "$TMP/out" >/dev/null || fail "node04 should be ok: $(cat "$TMP/out")"
grep -q "node04.*OUTLIER" "$TMP/out" && fail "noise named an outlier"
# node01's newest run counts, not its old slow one
grep -E "NB=192 +gflops +node01 +100.2 " "$TMP/out" >/dev/null || fail "node01 newest"
# the small fleet
expect_out "hpl NB=256 gflops: fleet too small to judge: 2 nodes, need 4 (--min-nodes)"
grep -E "NB=256 +gflops +node02 +60 .* fleet too small$" "$TMP/out" >/dev/null || fail "small row"
# JUnit: one test case per node, only node05 fails
[ -s nodes.xml ] || fail "no JUnit file"
if command -v python3 >/dev/null; then
    python3 -c "import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])" nodes.xml || fail "not XML"
fi
eq "$(grep -c '<testcase ' nodes.xml)" 8 "test cases"
grep -q 'tests="8" failures="1"' nodes.xml || fail "counts: $(head -3 nodes.xml)"
grep -A1 'name="node05"' nodes.xml | grep -q '<failure type="outlier" message="hpl NB=192 gflops = 70.4 GFLOP/s, -29.5 % from the fleet median 99.9 (allowed &gt;= 94.905' ||
    fail "node05 failure: $(cat nodes.xml)"
eq "$(grep -c '<failure' nodes.xml)" 1 "failures"

# without the slow node: exit 0, passed
expect_rc 0 bx check --across-nodes tag:qa --db x.db --host node01,node02,node03,node04,node06,node07,node08
expect_out "passed: 7 nodes"
# a wider floor lets node05 pass; a larger --min-nodes makes the fleet too small
expect_rc 0 bx check --across-nodes --db x.db --floor 40
expect_rc 0 bx check --across-nodes --db x.db --min-nodes 9 --junit small.xml
expect_out "fleet too small to judge: 8 nodes, need 9"
grep -q 'skipped="8"' small.xml || fail "all skipped: $(head -3 small.xml)"
# JSON
expect_rc 1 bx check --across-nodes --db x.db --format json
expect_out '"passed":	false'
expect_out '"node":	"node05"'
# the report's Nodes section
expect_rc 0 bx report --db x.db --html r.html
grep -q '<section id="nodes"><h2>Nodes</h2>' r.html || fail "no Nodes section"
grep -q '<td>node05</td><td class="n">70.4</td><td class="n">-29.5 %</td>' r.html || fail "node05 in the report"
# bad input
expect_rc 2 bx check --across-nodes --db x.db --min-nodes 1
expect_err "--min-nodes"
expect_rc 2 bx check --across-nodes --db x.db --history 3
expect_err "--history"
exit 0
