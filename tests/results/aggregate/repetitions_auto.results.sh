# --repetitions auto[:MAX]: a steady benchmark stops after 3 repetitions, a
# noisy one at MAX; the spread is stored with the run (run metadata), and
# --spread-target moves the stop.  A configuration file's defaults or
# experiment may say `repetitions = "auto[:MAX]";` too, checked the same way.
# Fails when: the steadiness test always says "steady" (every point stops at 3) or
# never (every point runs to MAX); the spread is not stored (run_meta spread_pct).
. "$TEST_LIB"
command -v sqlite3 >/dev/null || skip "no sqlite3"
reps() { sql a.db "SELECT count(*) FROM samples s JOIN runs r ON r.id = s.run_id
                   WHERE r.id = (SELECT max(id) FROM runs) AND s.metric = 'rate' AND s.rep >= 1"; }
meta() { sql a.db "SELECT value FROM run_meta WHERE run_id = (SELECT max(id) FROM runs) AND key = '$1'"; }
# steady (noise 0): the spread is 0 after the third repetition
expect_rc 0 bx run trivial -p noise=0 --repetitions auto:8 --db a.db
eq "$(reps)" 3 "repetitions of a steady benchmark"
eq "$(meta spread_pct)" 0 "stored spread"
eq "$(meta spread_target_pct)" 3.5 "stored target"
eq "$(meta repetitions_auto)" "3 of at most 8 (steady)" "stored stop"
# noisy (+-50 %): never steady, stops at MAX
expect_rc 0 bx run trivial -p noise=0.5 --repetitions auto:8 --db a.db
eq "$(reps)" 8 "repetitions of a noisy benchmark"
eq "$(meta repetitions_auto)" "8 of at most 8 (the most)" "stored stop"
awk -v s="$(meta spread_pct)" 'BEGIN { exit !(s > 3.5) }' || fail "spread $(meta spread_pct) not above the target"
# a looser target stops the same noise early; MAX defaults to 20
expect_rc 0 bx run trivial -p noise=0.5 --repetitions auto --spread-target 90 --db a.db
eq "$(reps)" 3 "repetitions with a 90 % target"
expect_rc 0 bx run trivial -p noise=0.5 --repetitions auto --db a.db
eq "$(reps)" 20 "the default MAX"
# a fixed count is not cut short, and stores nothing about spreads
expect_rc 0 bx run trivial -p noise=0 --repetitions 5 --db a.db
eq "$(reps)" 5 "fixed repetitions"
eq "$(meta spread_pct)" "" "no spread without auto"
# bad input
expect_rc 2 bx run trivial --repetitions auto:2 --db a.db
expect_err "auto[:MAX]"
expect_rc 2 bx run trivial --repetitions often --db a.db
expect_rc 2 bx run trivial --spread-target 5 --db a.db
expect_err "--spread-target goes with --repetitions auto"
expect_rc 2 bx run trivial --repetitions auto --spread-target 0 --db a.db
# the same from a configuration file: in its defaults, or an experiment's own
cat > auto.cfg <<'CFG'
defaults = { repetitions = "auto:8"; };
experiments = ( { name = "noisy"; plugin = "trivial"; params = { noise = 0.5; }; },
                { name = "steady"; plugin = "trivial"; params = { noise = 0.0; }; } );
CFG
expect_rc 0 bx run auto.cfg --db a.db
eq "$(meta repetitions_auto)" "3 of at most 8 (steady)" "config defaults: the steady point"
eq "$(sql a.db "SELECT value FROM run_meta WHERE key = 'repetitions_auto' AND run_id = (SELECT max(id) - 1 FROM runs)")" \
    "8 of at most 8 (the most)" "config defaults: the noisy point"
cat > exp.cfg <<'CFG'
defaults = { repetitions = 5; };
experiments = ( { name = "noisy"; plugin = "trivial"; repetitions = "auto:6"; params = { noise = 0.5; }; } );
CFG
expect_rc 0 bx run exp.cfg --db a.db
eq "$(meta repetitions_auto)" "6 of at most 6 (the most)" "an experiment's auto"
eq "$(reps)" 6 "an experiment's auto MAX"
# a fixed count in the experiment wins over the defaults' auto
sed -i 's/repetitions = "auto:6"/repetitions = 4/; s/repetitions = 5/repetitions = "auto"/' exp.cfg
expect_rc 0 bx run exp.cfg --db a.db
eq "$(reps)" 4 "fixed count over the defaults' auto"
eq "$(meta spread_pct)" "" "no spread under a fixed count"
# bad values: file:line and exit 2
sed -i 's/repetitions = 4/repetitions = "auto:2"/' exp.cfg
expect_rc 2 bx run exp.cfg --db a.db
expect_err "exp.cfg:2: 'repetitions' must be a count or \"auto[:MAX]\""
sed -i 's/repetitions = "auto:2"/repetitions = "often"/' exp.cfg
expect_rc 2 bx run exp.cfg --db a.db
expect_err "not \"often\""
exit 0
