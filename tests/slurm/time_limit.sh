# A packed job killed by its time limit keeps every point that finished; the
# killed point becomes a timeout run with Slurm's reason.
. "$TEST_LIB"
need_slurm
cat > s.cfg <<'CFG'
experiments = ( { name = "tl"; plugin = "trivial"; params = { mode = ["ok", "hang", "ok"]; }; } );
slurm = { time_limit = "1"; };
CFG
expect_rc 1 bx submit s.cfg --db s.db --wait
eq "$(sql s.db "SELECT group_concat(status) FROM (SELECT status FROM runs ORDER BY id)")" "ok,timeout,timeout" "statuses"
sql s.db "SELECT error FROM runs WHERE status='timeout' LIMIT 1" | grep -q "time limit" || fail "error does not name the time limit"
