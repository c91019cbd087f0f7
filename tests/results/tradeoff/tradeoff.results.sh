# query --tradeoff and the report's trade-off section: run time, queue wait
# and their sum per resource request (median, spread p25-p75), speedup and
# efficiency against the smallest request; a config sweep over threads makes one.
. "$TEST_LIB"
. "$RESULTS_LIB"
mkdir -p x.db.spool
# crafted: ranks 1, 2, 4, 8; three runs each; exact run times and queue waits
i=0
for spec in "1 100 5" "1 102 6" "1 98 4" "2 50 10" "2 51 10" "2 49 10" "4 30 40" "4 31 41" "4 29 39" \
            "8 20 200" "8 21 210" "8 19 190"; do
    set -- $spec
    i=$((i + 1))
    cat >"x.db.spool/t$i.result.json" <<DOC
{"result_version":1,"uuid":"t$i","plugin":"hpl","plugin_version":"1.0.0","status":"ok","error":null,
 "started_at":"2026-11-0${1}T10:0$((i % 10)):00Z","host":"node01","ranks":$1,"threads":1,"repetitions":1,
 "tags":[],"params":$(p NB 192),
 "metrics":{"gflops":{"value":$((10 * $1)),"unit":"GFLOP/s","better":"higher"},
            "queue_wait":{"value":$3,"unit":"s","better":"lower"},
            "wall_time":{"value":$2,"unit":"s","better":"none"}},
 "samples":{},"provenance":{"hostname":"node01"}}
DOC
done
# a configuration with one request only: no trade-off to show
doc x.db single 2026-11-09T10:00:00Z node01 "$(p NB 256)" gflops 5 "5"
ingest x.db
expect_rc 0 bx query --tradeoff --db x.db
grep -E "^hpl +NB=192 +1 +1 +3 +100 +2 +5 +1 +105 +3 +1.00 +100 %$" "$TMP/out" >/dev/null || fail "ranks 1: $(cat "$TMP/out")"
grep -E "^hpl +NB=192 +2 +1 +3 +50 +1 +10 +0 +60 +1 +2.00 +100 %$" "$TMP/out" >/dev/null || fail "ranks 2"
grep -E "^hpl +NB=192 +4 +1 +3 +30 +1 +40 +1 +70 +2 +3.33 +83 %$" "$TMP/out" >/dev/null || fail "ranks 4"
grep -E "^hpl +NB=192 +8 +1 +3 +20 +1 +200 +10 +220 +11 +5.00 +62 %$" "$TMP/out" >/dev/null || fail "ranks 8"
grep -q "NB=256" "$TMP/out" && fail "a single request listed"
expect_rc 0 bx query --tradeoff --db x.db --format json
expect_out '"speedup":	3.3333333333333335'
expect_out '"runs_with_queue_wait":	3'
expect_rc 0 bx query --tradeoff --db x.db --format csv
eq "$(head -1 "$TMP/out" | cut -d, -f1-6)" "plugin,params,ranks,threads,cores,runs" "csv header"
eq "$(grep -c '^hpl,NB=192,' "$TMP/out")" 4 "csv rows"
expect_rc 2 bx query --tradeoff --db x.db --group-by NB
expect_err "--tradeoff"
# the report: a section with the table and the speedup chart with its ideal line
expect_rc 0 bx report --db x.db --html r.html
grep -q '<section id="tradeoff"><h2>Resource trade-off</h2>' r.html || fail "no trade-off section"
grep -q 'Speedup against the smallest request (higher is better)' r.html || fail "no speedup chart"
grep -q '>ideal<' r.html || fail "no ideal line in the legend"

# equal cost (1 rank x 2 threads against 2 ranks x 1 thread: the same two cores): no
# speedup or efficiency, the report says what changed
mkdir -p e.db.spool
j=0
for spec in "1 2 60" "1 2 62" "2 1 30" "2 1 31"; do
    set -- $spec
    j=$((j + 1))
    cat >"e.db.spool/e$j.result.json" <<DOC
{"result_version":1,"uuid":"e$j","plugin":"hpl","plugin_version":"1.0.0","status":"ok","error":null,
 "started_at":"2026-11-0${j}T10:00:00Z","host":"node01","ranks":$1,"threads":$2,"repetitions":1,
 "tags":[],"params":$(p NB 192),
 "metrics":{"gflops":{"value":10,"unit":"GFLOP/s","better":"higher"},
            "wall_time":{"value":$3,"unit":"s","better":"none"}},
 "samples":{},"provenance":{"hostname":"node01"}}
DOC
done
ingest e.db
expect_rc 0 bx report --db e.db --html e.html
grep -q 'same 2 cores as 1×2: run time -50 %' e.html || fail "equal cost: $(grep -o '<section id="tradeoff">.*' e.html | head -c 2000)"
expect_rc 0 bx query --tradeoff --db e.db --format json
expect_out '"speedup":	null'

# a config sweep over threads: one configuration, two requests
cat > sweep.cfg <<'CFG'
experiments = ( { name = "scale"; plugin = "trivial"; threads = [1, 2]; params = { count = 100000; }; } );
CFG
expect_rc 0 bx run sweep.cfg --db s.db --quiet
expect_rc 0 bx query --tradeoff --db s.db
grep -E "^trivial .* 1 +1 +1 +" "$TMP/out" >/dev/null || fail "threads 1: $(cat "$TMP/out")"
grep -E "^trivial .* 1 +2 +1 +" "$TMP/out" >/dev/null || fail "threads 2: $(cat "$TMP/out")"
exit 0
