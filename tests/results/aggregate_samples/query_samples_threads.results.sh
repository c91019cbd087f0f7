# query --over samples reads a large metric's samples with a second thread (chunks of
# its runs from the highest down, the main thread's from the lowest up,
# core/results/aggregate.c) and `report` its series and its plugins' sections with a
# second thread and the summary with a third (analyze.c, report.c): the same answers
# as one thread (BENCHAAS_THREADS=1), on a
# history with runs without samples, with samples that are not numbers, and out of
# order in time.
. "$TEST_LIB" || exit 1
gen=$BENCHAAS_BUILD/bench/store_dbgen
[ -x "$gen" ] || skip "no store_dbgen in $BENCHAAS_BUILD/bench"
# (1 200 runs: 300 of STREAM; the threads take a metric whose samples span more than 64
# run ids here, 4 096 otherwise; a sanitizer build ingests 20 times slower)
export BENCHAAS_TEST_SPLIT_MIN=64
"$gen" --runs 1200 --single 0 x.db >/dev/null || fail "store_dbgen failed"
# runs without samples, samples that are not numbers, a run moved back in time
sql x.db "DELETE FROM samples WHERE run_id % 97 = 1;
          UPDATE samples SET value = NULL WHERE run_id % 89 = 2;
          UPDATE runs SET started_at = '2001-01-01T00:00:00Z' WHERE id IN (5, 9, 13);" \
    || fail "could not alter the history"
for args in "--plugin stream --status ok --metric triad --group-by host,array_size --stat count,median,p5,p95" \
            "--plugin stream --metric triad,copy --group-by host --stat count,mean,median" \
            "--plugin hpl --metric gflops --group-by NB,host --stat count,median,max"; do
    # shellcheck disable=SC2086
    "$gen" query --db x.db $args --over samples --format csv >threads.csv 2>err1 || fail "query: $(cat err1)"
    # shellcheck disable=SC2086
    BENCHAAS_THREADS=1 "$gen" query --db x.db $args --over samples --format csv >one.csv 2>err2 \
        || fail "query with one thread: $(cat err2)"
    [ "$(wc -l <one.csv)" -gt 3 ] || fail "too few groups for: $args"
    cmp one.csv threads.csv || { diff one.csv threads.csv | head; fail "different answers: $args"; }
done
"$gen" report --db x.db --html threads.html 2>/dev/null || fail "report failed"
BENCHAAS_THREADS=1 "$gen" report --db x.db --html one.html 2>/dev/null || fail "report with one thread failed"
grep -v 'class="meta"' threads.html >a.html; grep -v 'class="meta"' one.html >b.html
[ "$(wc -c <a.html)" -gt 10000 ] || fail "a report without charts"
sed 's/></>\n</g' a.html | grep -v 'class="meta"' >a2.html
sed 's/></>\n</g' b.html | grep -v 'class="meta"' >b2.html
cmp a2.html b2.html || { diff a2.html b2.html | head; fail "different reports"; }
exit 0
