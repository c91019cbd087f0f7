# query: jsonl, --job, --prov, --latest, and the bad input of filters and
# statistics (exit 2 with a message that says what was wrong).
. "$TEST_LIB"
. "$RESULTS_LIB"
doc x.db a 2026-01-10T10:00:00Z node01 "$(p NB 128)" gflops 10 "10" ok '[]' ',"job_id":"4242"'
doc x.db b 2026-02-10T10:00:00Z node01 "$(p NB 128)" gflops 12 "12"
doc x.db c 2026-01-20T10:00:00Z node02 "$(p NB 128)" gflops 20 "20"
doc x.db d 2026-03-20T10:00:00Z node02 "$(p NB 128)" gflops 30 "30" failed
ingest x.db
ids() { bx query --db x.db --format csv "$@" | awk -F, 'NR > 1 && $9 == "gflops" { print $3 "@" $6 "=" $10 }' | sort | tr '\n' ' '; }

# jsonl: one run object per line, the same objects as --format json
expect_rc 0 bx query --db x.db --format jsonl --metric gflops
eq "$(wc -l <"$TMP/out")" 4 "jsonl: a line per run"
expect_out '"plugin":"hpl"'
expect_rc 0 bx query --db x.db --format json --metric gflops
eq "$(grep -c '"plugin":"hpl"' "$TMP/out")" 4 "json: the same runs"
# new filters
eq "$(ids --job 4242)" "hpl@node01=10 " "--job"
eq "$(ids --prov kernel=6.1.0-02)" "hpl@node01=12 " "--prov"
eq "$(ids --latest)" "hpl@node01=12 hpl@node02=30 " "--latest: the newest of each configuration and host"
eq "$(ids --latest --status ok)" "hpl@node01=12 hpl@node02=20 " "--latest among the ok runs"

# bad input: exit 2, nothing on stdout, a message naming the problem
bad() {
    local want=$1; shift
    expect_rc 2 bx query --db x.db "$@"
    [ ! -s "$TMP/out" ] || fail "stdout not empty for: $*"
    expect_err "$want"
}
bad "unknown metric 'gflop'" --metric gflop
bad "did you mean 'gflops'?" --metric gflop
bad "unknown parameter 'nb'" --param nb=128
bad "did you mean 'NB'?" -p nb=128
bad "unknown parameter 'N'" --param N=4000
bad "'2026-13-01' is not a time" --since 2026-13-01
bad "'yesterday' is not a time" --until yesterday
bad "'2026-02-30' is not a time" --since 2026-02-30
bad "unknown field 'nbb' in --group-by" --group-by nbb
bad "unknown parameter 'nosuch' in --group-by" --group-by param:nosuch
bad "unknown statistic 'average'" --group-by NB --stat average
bad "unknown statistic 'p101'" --stat p101
bad "--over 'reps'" --group-by NB --over reps
bad "unknown --format 'xml'" --format xml
bad "--prov 'kernel': write KEY=VALUE" --prov kernel
# an empty database accepts any name (nothing matches, exit 0)
mkdir empty.db.spool && bx collect --db empty.db >/dev/null 2>&1  # a database for its spool
expect_rc 0 bx query --db empty.db --metric anything --format csv
exit 0
