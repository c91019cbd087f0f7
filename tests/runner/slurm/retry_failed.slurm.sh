# submit --retry-failed resubmits only the points that did not finish ok.
. "$TEST_LIB"
need_slurm
cat > s.cfg <<'CFG'
experiments = ( { name = "r"; plugin = "trivial"; params = { mode = ["ok", "fail"]; }; } );
slurm = { time_limit = "5"; };
CFG
expect_rc 1 bx submit s.cfg --db s.db --wait
eq "$(sql s.db "SELECT group_concat(status) FROM (SELECT status FROM runs ORDER BY id)")" "ok,failed" "first round"
expect_rc 1 bx submit s.cfg --db s.db --wait --retry-failed
expect_err "1 point already ok"
eq "$(sql s.db "SELECT count(*) FROM runs")" 3 "only the failed point was resubmitted"
