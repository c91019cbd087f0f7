# A queued run shows in `status`; a job cancelled with scancel becomes a failed run with Slurm's reason.
. "$TEST_LIB"
need_slurm
cat > s.cfg <<'CFG'
experiments = ( { name = "hang"; plugin = "trivial"; params = { mode = "hang"; }; } );
slurm = { time_limit = "5"; };
CFG
expect_rc 0 bx submit s.cfg --db s.db
job=$(sql s.db "SELECT job_id FROM runs")
[ -n "$job" ] || fail "no job id recorded"
eq "$(sql s.db "SELECT status FROM runs")" queued "status right after submit"
expect_rc 0 bx status --db s.db
expect_out "$job"
for i in $(seq 60); do squeue -h -j "$job" -o %T | grep -q RUNNING && break; sleep 0.5; done
expect_rc 0 bx status --db s.db
scancel "$job"
for i in $(seq 60); do [ -z "$(squeue -h -j "$job" 2>/dev/null)" ] && break; sleep 0.5; done
bx collect --db s.db >/dev/null 2>&1
eq "$(sql s.db "SELECT status FROM runs")" failed "status after scancel"
sql s.db "SELECT error FROM runs" | grep -q "cancelled" || fail "error does not say cancelled: $(sql s.db "SELECT error FROM runs")"
