# Two `benchaas run` processes writing one (new) database at once lose nothing:
# 2 x 10 points, 20 runs with all their metrics.
. "$TEST_LIB" || exit 1
L=1,2,3,4,5,6,7,8,9,10
"$BENCHAAS" run trivial -p count=$L --tag A --db c.db >a.out 2>a.err &
pa=$!
"$BENCHAAS" run trivial -p count=$L --tag B --db c.db >b.out 2>b.err &
pb=$!
wait $pa; ra=$?
wait $pb; rb=$?
[ $ra -eq 0 ] && [ $rb -eq 0 ] || { cat a.err b.err; fail "exit codes $ra and $rb"; }
eq "$(sql c.db "SELECT count(*) FROM runs WHERE status='ok'")" 20 "runs"
eq "$(sql c.db "SELECT count(DISTINCT uuid) FROM runs")" 20 "distinct runs"
eq "$(sql c.db "SELECT group_concat(n, ' ') FROM (SELECT count(*) AS n FROM tags GROUP BY tag ORDER BY tag)")" "10 10" "runs per process"
eq "$(sql c.db "SELECT count(*) FROM results WHERE metric='echo'")" 20 "echo metrics"
eq "$(sql c.db "SELECT count(*) FROM samples WHERE metric='rate'")" 60 "samples"
eq "$(ls c.db.spool | wc -l)" 0 "documents left in the spool"
exit 0
