# baseline set/list/delete, and check against a baseline with its tolerance.
. "$TEST_LIB"
. "$RESULTS_LIB"
NB192=$(p NB 192)
doc x.db r1 2026-10-01T10:00:00Z node01 "$NB192" gflops 100 "100" ok '["ref"]'
doc x.db r2 2026-10-02T10:00:00Z node01 "$NB192" gflops 101 "101" ok '["ref"]'
doc x.db r3 2026-10-03T10:00:00Z node01 "$NB192" gflops 99 "99" ok '["ref"]'
doc x.db ok1 2026-11-01T10:00:00Z node01 "$NB192" gflops 96 "96" ok '["new-ok"]'
doc x.db bad1 2026-11-02T10:00:00Z node01 "$NB192" gflops 93 "93" ok '["new-bad"]'
doc x.db other 2026-11-02T10:00:00Z node02 "$NB192" gflops 50 "50" ok '["other"]'
ingest x.db

expect_rc 0 bx baseline set tag:ref --db x.db
expect_out "CPU-node01"
grep -E "^default +hpl +- +CPU-node01 +gflops +100 +GFLOP/s +3$" "$TMP/out" >/dev/null ||
    fail "baseline row: $(cat "$TMP/out")"
expect_rc 0 bx baseline list --db x.db --format csv
expect_out ',default,hpl,"{""NB"":192}",,CPU-node01,1,1,gflops,100,higher,0.05,'
# 96 is within 5 % of 100, 93 is not
expect_rc 0 bx check tag:new-ok --db x.db
expect_out "baseline 'default' (host class), 5 %"
expect_rc 1 bx check tag:new-bad --db x.db --junit bad.xml
expect_out "REGRESSION"
grep -q "baseline 'default' (host class), 5 %" bad.xml || fail "JUnit names the baseline"
# another host class has no baseline (and no history): nothing judged is not a pass
expect_rc 3 bx check tag:other --db x.db
expect_out "no reference"
tail -n 1 "$TMP/out" | grep -q "^NOTHING JUDGED" || fail "last line: $(tail -n 1 "$TMP/out")"
expect_rc 0 bx check tag:other --db x.db --allow-nothing-judged
# a named, looser baseline for any host
expect_rc 0 bx baseline set tag:ref --db x.db --name loose --tolerance 10% --scope any --note "after BIOS 1.2"
expect_out "any"
expect_rc 0 bx check tag:new-bad --db x.db --baseline loose
expect_out "baseline 'loose', 10 %"
expect_rc 1 bx check tag:other --db x.db --baseline loose
# setting it again replaces it
expect_rc 0 bx baseline set "$(sqlite3 x.db "SELECT id FROM runs WHERE uuid = 'r1'")" --db x.db \
    --name loose --tolerance 1 --scope any
eq "$(sqlite3 x.db "SELECT count(*), max(value), max(tolerance) FROM baselines WHERE name = 'loose'")" "1|100.0|0.01" "replaced"
# per host
expect_rc 0 bx baseline set tag:ref --db x.db --name perhost --scope host
expect_out "node01"
expect_rc 0 bx baseline list --db x.db --name perhost --format json
expect_out '"host":	"node01"'
# delete
expect_rc 0 bx baseline delete --db x.db --name loose
expect_out "deleted 1 baseline"
expect_rc 2 bx check tag:new-bad --db x.db --baseline loose
expect_err "no baseline named 'loose'"

# bad input
expect_rc 2 bx baseline set --db x.db
expect_err "from which runs?"
expect_rc 2 bx baseline set tag:nosuch --db x.db
expect_err "no ok run"
expect_rc 2 bx baseline set tag:ref --db x.db --status failed
expect_err "ok runs only"
expect_rc 2 bx baseline set tag:ref --db x.db --tolerance lots
expect_err "--tolerance 'lots'"
expect_rc 2 bx baseline frobnicate --db x.db
expect_err "unknown action 'frobnicate'"
expect_rc 2 bx baseline delete --db x.db
expect_err "delete which?"
expect_rc 2 bx baseline delete --db x.db --name nosuch
exit 0
