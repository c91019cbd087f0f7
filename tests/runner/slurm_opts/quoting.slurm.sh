# Values written into a batch script cannot inject shell: a hostile env value and tag arrive verbatim.
. "$TEST_LIB"
need_slurm
cat > s.cfg <<'CFG'
experiments = ( { name = "q"; plugin = "trivial"; tags = ["a'b;$(touch pwned)"];
                  params = { label = "x'; touch pwned2; echo '"; }; } );
slurm = { time_limit = "5"; env = { BENCHAAS_TEST_VALUE = "'; touch pwned3; '$(id)`id`"; }; };
CFG
expect_rc 0 bx submit s.cfg --db s.db --wait
for f in pwned pwned2 pwned3; do [ -e "$f" ] && fail "shell injection: $f was created"; done
eq "$(sql s.db "SELECT value FROM provenance WHERE key='env.BENCHAAS_TEST_VALUE'")" "'; touch pwned3; '\$(id)\`id\`" "env value verbatim"
eq "$(sql s.db "SELECT tag FROM tags")" "a'b;\$(touch pwned)" "tag verbatim"
