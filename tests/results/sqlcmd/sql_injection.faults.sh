# Filter values reach SQL only as bound parameters: classic injections through
# every text filter of `query` match nothing (or are refused, exit 2), never
# every run, and change nothing in the file.
. "$TEST_LIB" || exit 1
bx run trivial -p label=a --db q.db >/dev/null 2>&1 || fail "setup run"
bx run trivial -p label=b --tag t1 --db q.db >/dev/null 2>&1 || fail "setup run"
before=$(sha256sum q.db)
n_runs() { grep -c '^[0-9]' "$TMP/out"; }
for inj in "x' OR 1=1 --" "x' OR '1'='1" "trivial' OR '1'='1" "x'; DROP TABLE runs; --" \
           "%" "_%" "*" "x\" OR \"1\"=\"1" "') OR 1=1 --" "1 OR 1=1"; do
    for opt in --plugin --host --tag; do
        bx query --db q.db --format csv $opt "$inj" >"$TMP/out" 2>"$TMP/err"
        rc=$?
        [ $rc -eq 0 ] || [ $rc -eq 2 ] || fail "$opt \"$inj\": exit $rc"
        [ $rc -eq 2 ] || eq "$(n_runs)" 0 "$opt \"$inj\": rows"
    done
    for opt in "-p label=$inj" "-p $inj=1" "--metric $inj" "--prov hostname=$inj" \
               "--since $inj" "--run $inj" "--job $inj" "--status $inj" "--limit $inj"; do
        bx query --db q.db --format csv ${opt%% *} "${opt#* }" >"$TMP/out" 2>"$TMP/err"
        rc=$?
        [ $rc -eq 0 ] || [ $rc -eq 2 ] || fail "$opt: exit $rc"
        [ $rc -eq 2 ] || eq "$(n_runs)" 0 "$opt: rows"
    done
done
# the same filters with honest values do match (the test can fail)
expect_rc 0 bx query --db q.db --format csv --plugin trivial -p label=b --tag t1
eq "$(n_runs)" 9 "rows of the honest query (one run, nine metrics)"
eq "$(sha256sum q.db)" "$before" "the database file after the injections"
eq "$(sql q.db 'SELECT count(*) FROM runs')" 2 "runs"
exit 0
