# Two -p lists sweep their product: 3 x 2 = 6 runs, every combination once.
. "$TEST_LIB" || exit 1
expect_rc 0 bx run trivial -p count=1,2,3 -p value=5,6 --db p.db
eq "$(sql p.db "SELECT count(*) FROM runs WHERE status='ok'")" 6 "runs"
eq "$(sql p.db "SELECT count(DISTINCT json_extract(params_json, '\$.count') || '/' || json_extract(params_json, '\$.value')) FROM runs")" 6 "distinct combinations"
eq "$(sql p.db "SELECT group_concat(v, ' ') FROM (SELECT value AS v FROM results WHERE metric='echo' ORDER BY run_id)")" "5.0 6.0 5.0 6.0 5.0 6.0" "echo values"
# the same in a configuration (product is the default)
cat > c.cfg <<'CFG'
experiments = ( { plugin = "trivial"; params = { count = [1, 2, 3]; value = [5.0, 6.0]; }; } );
CFG
expect_rc 0 bx run c.cfg --db c.db
eq "$(sql c.db "SELECT count(*) FROM runs")" 6 "runs from the configuration"
exit 0
