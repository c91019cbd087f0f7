# check against the history (no baseline): a value within the noise of the
# last runs passes, a drop beyond it fails with exit 1 and a JUnit failure,
# too little history is "no reference" (skipped), a failed run fails.
# Fails when: check exits 0 when nothing was judged; a lone outlier is made a
# REGRESSION.
. "$TEST_LIB"
. "$RESULTS_LIB"
NB192=$(p NB 192)
series x.db hist 30 "$(day 40)" 86400 node01 "$NB192" gflops GFLOP/s higher 100 0.01 5 1 '["nightly"]'
series x.db thist 30 "$(day 40)" 86400 node01 "$NB192" time s lower 10 0.01 5 2 '["nightly"]'
doc x.db good "$(date -u -d @"$(day 5)" +%FT%TZ)" node01 "$NB192" gflops 100.3 "100.1 100.3 99.9" ok '["good"]'
doc x.db drop "$(date -u -d @"$(day 4)" +%FT%TZ)" node01 "$NB192" gflops 90.2 "90 90.2 89.9" ok '["drop"]'
doc x.db rise "$(date -u -d @"$(day 3)" +%FT%TZ)" node01 "$NB192" gflops 110 "110 109 108" ok '["rise"]'
doc x.db slower "$(date -u -d @"$(day 3)" +%FT%TZ)" node01 "$NB192" time 12 "12 12.1 12.2" ok '["slower"]'
doc x.db young "$(date -u -d @"$(day 3)" +%FT%TZ)" node01 "$(p NB 256)" gflops 50 "50" ok '["young"]'
doc x.db broke "$(date -u -d @"$(day 2)" +%FT%TZ)" node01 "$NB192" gflops 1 "1" failed '["broke"]'
ingest x.db
valid_junit() {
    [ -s "$1" ] || fail "no JUnit file $1"
    if command -v xmllint >/dev/null; then
        xmllint --noout "$1" || fail "$1 is not well-formed XML"
    elif command -v python3 >/dev/null; then
        python3 -c "import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])" "$1" || fail "$1 is not XML"
    fi
    grep -q '^<testsuites name="benchaas check" tests="[0-9]*" failures="[0-9]*"' "$1" || fail "no <testsuites> in $1"
    eq "$(grep -c '<testcase ' "$1")" "$2" "test cases in $1"
}

# within the noise: exit 0, ok, a passing test case
expect_rc 0 bx check tag:good --db x.db --junit good.xml
expect_out "history of 30 runs"
grep -E "^hpl +- +node01 +gflops +100.3 +GFLOP/s .* ok$" "$TMP/out" >/dev/null || fail "ok row: $(cat "$TMP/out")"
expect_out "passed: 1 value checked, 0 regressions"
valid_junit good.xml 1
grep -q 'failures="0"' good.xml || fail "good.xml has failures"
grep -q '<testcase classname="benchaas.hpl" name="gflops on node01"' good.xml || fail "test case name"

# a lone drop of 10 % is an outlier (no shift of the level): reported, exit 0
expect_rc 0 bx check tag:drop --db x.db
expect_out "outlier"
expect_out "1 outlier"
# with --fail-on-outlier: exit 1, REGRESSION, a JUnit failure that says why
expect_rc 1 bx check tag:drop --db x.db --junit drop.xml --fail-on-outlier
expect_out "REGRESSION"
expect_out "FAILED: 1 value checked, 1 regression"
valid_junit drop.xml 1
grep -q '<testsuites name="benchaas check" tests="1" failures="1"' drop.xml || fail "failures count"
grep -q '<failure type="regression" message="gflops = 90.2 GFLOP/s, allowed &gt;= ' drop.xml ||
    fail "failure message: $(cat drop.xml)"
# better than the band: improved, not a failure; a lower-is-better metric going up fails
expect_rc 0 bx check tag:rise --db x.db
expect_out "improved"
expect_rc 1 bx check tag:slower --db x.db --fail-on-outlier
grep -E "time +12 +s .* <= .* REGRESSION" "$TMP/out" >/dev/null || fail "time row: $(cat "$TMP/out")"
# the band can be widened: --floor 15 % lets the drop pass; --k too
expect_rc 0 bx check tag:drop --db x.db --floor 15 --fail-on-outlier
expect_rc 0 bx check tag:drop --db x.db --k 100 --fail-on-outlier
# too little history: no reference, skipped; nothing judged: exit 3
expect_rc 3 bx check tag:young --db x.db --junit young.xml
expect_out "no reference"
expect_out "history of 0 runs (need 5)"
valid_junit young.xml 1
grep -q '<skipped message="no reference' young.xml || fail "skipped"
expect_rc 0 bx check tag:young --db x.db --min-history 1 --history 1 --allow-nothing-judged
expect_out "no reference"
# a run that did not end ok fails the check, with its error
expect_rc 1 bx check tag:broke --db x.db --junit broke.xml
expect_out "residual too large"
valid_junit broke.xml 1
grep -q '<failure type="failed" message="run [0-9]* failed: residual too large"' broke.xml || fail "failed run"
# no selector: the newest run of every configuration and host (here the failed one,
# the young NB=256 run, and the newest synth time run)
expect_rc 1 bx check --db x.db --format json
expect_out '"failed_runs":	[{'
expect_out '"no_reference":	1'
expect_out '"passed":	false'

# bad input
expect_rc 2 bx check tag:nosuch --db x.db
expect_err "no run to check"
expect_rc 2 bx check --db x.db --history 0
expect_err "--history"
expect_rc 2 bx check --db x.db --scope rack
expect_err "--scope 'rack'"
expect_rc 2 bx check --db x.db --format xml
expect_rc 2 bx check --db x.db --baseline nosuch
expect_err "no baseline named 'nosuch'"
expect_rc 2 bx check --db x.db --since someday
expect_err "is not a time"
exit 0
