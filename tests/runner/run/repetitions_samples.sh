# --repetitions N gives N timed repetitions, each kept as a sample (the warm-up
# is not stored); without it the plugin's default (3) applies.
. "$TEST_LIB" || exit 1
expect_rc 0 bx run trivial --repetitions 5 --db r.db
eq "$(sql r.db "SELECT repetitions FROM runs")" 5 "repetitions of the run"
eq "$(sql r.db "SELECT group_concat(rep, ' ') FROM (SELECT rep FROM samples WHERE metric='rate' ORDER BY rep)")" "1 2 3 4 5" "rate samples"
eq "$(sql r.db "SELECT count(*) FROM samples WHERE metric='elapsed'")" 5 "elapsed samples"
# the metric is the best repetition (rate: higher is better)
eq "$(sql r.db "SELECT (SELECT value FROM metrics WHERE name='rate') = (SELECT max(value) FROM samples WHERE metric='rate')")" 1 "rate is the best sample"
eq "$(sql r.db "SELECT (SELECT value FROM metrics WHERE name='elapsed') = (SELECT min(value) FROM samples WHERE metric='elapsed')")" 1 "elapsed is the best (lowest) sample"
expect_rc 0 bx run trivial --db d.db
eq "$(sql d.db "SELECT count(*) FROM samples WHERE metric='rate'")" 3 "samples with the plugin's default"
printf 'defaults = { repetitions = 2; };\nexperiments = ( { plugin = "trivial"; } );\n' > c.cfg
expect_rc 0 bx run c.cfg --db c.db
eq "$(sql c.db "SELECT count(*) FROM samples WHERE metric='rate'")" 2 "samples from the configuration"
expect_rc 0 bx run c.cfg --repetitions 4 --db e.db
eq "$(sql e.db "SELECT count(*) FROM samples WHERE metric='rate'")" 4 "--repetitions over the configuration"
exit 0
