# report --html: one self-contained file (no script, nothing fetched) with the
# charts and tables a reader looks for.
. "$TEST_LIB"
. "$RESULTS_LIB"
for nb in 128 192 256; do
    series x.db "nb$nb-a" 6 "$(day 30)" 86400 node01 "$(p NB $nb)" gflops GFLOP/s higher $((nb / 4 + 20)) 0.02 3 "$nb"
    series x.db "nb$nb-b" 6 "$(day 29)" 86400 node02 "$(p NB $nb)" gflops GFLOP/s higher $((nb / 4 + 25)) 0.02 3 "$((nb + 1))"
done
for size in 1048576 16777216 268435456; do
    series x.db "st$size" 3 "$(day 10)" 3600 node01 "$(p array_size $size size)" triad MB/s higher 20000 0.02 3 7
done
series x.db broken 1 "$(day 1)" 60 node02 "$(p NB 256)" gflops GFLOP/s higher 1 0 1 9 '[]' 'Test CPU 9000' failed
ingest x.db

expect_rc 0 bx report --db x.db --html r.html --title "Acceptance <cluster>"
expect_err "wrote r.html"
[ -s r.html ] || fail "no report"
head -c 15 r.html | grep -q '<!DOCTYPE html>' || fail "not an HTML document"
# self-contained: no script, no external resource, a policy that forbids them
grep -qi '<script' r.html && fail "a script in the report"
grep -Eqi '(src|href)="(https?:)?//' r.html && fail "an external resource in the report"
grep -Eqi '@import|url\(http|@font-face' r.html && fail "a style that fetches something"
grep -q "Content-Security-Policy\" content=\"default-src 'none'" r.html || fail "no CSP"
grep -q '<title>Acceptance &lt;cluster&gt;</title>' r.html || fail "title not escaped"
# charts: every <svg> closed; over time, sweeps (bytes axis for a size), hosts, timelines
eq "$(grep -o '<svg ' r.html | wc -l)" "$(grep -o '</svg>' r.html | wc -l)" "svg elements closed"
[ "$(grep -o '<svg ' r.html | wc -l)" -ge 8 ] || fail "too few charts"
for text in "hpl — gflops over time" "gflops [GFLOP/s] (higher is better)" "run start (UTC)" \
            "NB=128" "NB=256" "check band" "hpl — gflops against NB" "hpl — gflops per host" \
            "stream — triad against array_size" "array_size [bytes]" "16 MiB" \
            "Resource timelines" "RSS [MiB]" "CPU [% of a core]" ", peak 3" \
            "Failures" "residual too large" "Runs" "compiler" "gcc 12.2" "CPU-node"; do
    grep -qF -- "$text" r.html || [ "$text" = CPU-node ] || fail "the report lacks: $text"
done
grep -q '<td class="bad">failed</td>' r.html || fail "failed status not marked"
# filters apply; an empty selection still makes a page
expect_rc 0 bx report --db x.db --html hpl.html --plugin hpl --since "$(date -u -d @"$(day 2)" +%F)"
grep -q "stream" hpl.html && grep -q "stream —" hpl.html && fail "--plugin hpl report has stream charts"
expect_rc 0 bx report --db x.db --html none.html --host nowhere
grep -q "No run matches the selection" none.html || fail "empty report"
# bad input
expect_rc 2 bx report --db x.db
expect_err "--html FILE"
expect_rc 2 bx report --db x.db --html y.html --max-runs lots
expect_rc 2 bx report --db x.db --html y.html --metric nosuch
[ -e y.html ] && fail "a refused report wrote its file"
exit 0
