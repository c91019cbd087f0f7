# A configuration's defaults apply to every experiment and an experiment's own
# settings override them (timeout, threads, repetitions); lists of threads are
# a sweep.
. "$TEST_LIB" || exit 1
cat > c.cfg <<'CFG'
defaults = { repetitions = 2; timeout = 1; threads = 1; };
experiments = (
  { name = "hang"; plugin = "trivial"; params = { mode = "hang"; }; },
  { name = "own"; plugin = "trivial"; repetitions = 4; timeout = 60; threads = [1, 2]; }
);
CFG
t0=$(date +%s)
expect_rc 1 bx run c.cfg --db c.db
[ $(( $(date +%s) - t0 )) -lt 15 ] || fail "the defaults' timeout of 1 s was not applied"
eq "$(sql c.db "SELECT status FROM runs WHERE experiment='hang'")" timeout "status with the defaults' timeout"
eq "$(sql c.db "SELECT group_concat(threads || ':' || repetitions || ':' || status, ' ') FROM (SELECT * FROM runs WHERE experiment='own' ORDER BY id)")" \
   "1:4:ok 2:4:ok" "the experiment's own settings and the threads sweep"
eq "$(sql c.db "SELECT json_extract(spec_json, '\$.timeout') FROM runs WHERE experiment='own' LIMIT 1")" 60 "the experiment's timeout"
exit 0
