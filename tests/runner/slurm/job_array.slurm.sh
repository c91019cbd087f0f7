# pack = false: a job array, one point per task, each with its array task id.
. "$TEST_LIB"
need_slurm
cat > s.cfg <<'CFG'
experiments = ( { name = "arr"; plugin = "trivial"; params = { value = [1.0, 2.0, 3.0]; }; } );
slurm = { pack = false; time_limit = "5"; };
CFG
expect_rc 0 bx submit s.cfg --db s.db --wait
expect_out "job array"
eq "$(sql s.db "SELECT group_concat(array_task_id) FROM (SELECT array_task_id FROM runs ORDER BY array_task_id)")" "0,1,2" "array task ids"
eq "$(sql s.db "SELECT count(*) FROM runs WHERE status='ok'")" 3 "ok runs"
