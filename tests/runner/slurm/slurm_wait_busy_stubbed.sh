# `submit --wait` keeps waiting when squeue fails for a busy controller (a timeout):
# the job may still be running, so the wait ends only when Slurm says it is over, and
# the point is then classed by what Slurm says (here TIMEOUT).  Stand-ins for
# sbatch/squeue/scontrol/sinfo: squeue times out twice, then lists the job RUNNING once,
# then no more; scontrol says RUNNING until then, TIMEOUT after.
. "$TEST_LIB" || exit 1
mkdir stubs
export STUB_DIR="$TMP/stubs"
cat >stubs/sinfo <<'SH'
#!/bin/sh
echo 2
SH
cat >stubs/sbatch <<'SH'
#!/bin/sh
[ "$1" = --test-only ] && { echo "sbatch: Job 0 to start at now" >&2; exit 0; }
echo 2001
SH
cat >stubs/squeue <<'SH'
#!/bin/sh
n=$(($(cat "$STUB_DIR/calls" 2>/dev/null || echo 0) + 1))
echo $n >"$STUB_DIR/calls"
case $n in
1|2) echo "slurm_load_jobs error: Socket timed out on send/recv operation" >&2; exit 1 ;;
3) echo "RUNNING|None" ;;
esac
exit 0
SH
cat >stubs/scontrol <<'SH'
#!/bin/sh
n=$(cat "$STUB_DIR/calls" 2>/dev/null || echo 0)
state=RUNNING; [ "$n" -ge 4 ] && state=TIMEOUT
echo "JobId=2001 JobName=x JobState=$state Reason=TimeLimit RunTime=00:01:00 TimeLimit=00:01:00"
SH
chmod +x stubs/*
export PATH="$TMP/stubs:$PATH"
printf 'experiments = ( { name = "w"; plugin = "trivial"; } );\nslurm = { time_limit = "1"; };\n' >s.cfg
expect_rc 1 bx submit s.cfg --db d.db --wait
expect_err "squeue failed (slurm_load_jobs error: Socket timed out on send/recv operation); asking again"
[ "$(cat stubs/calls)" -ge 4 ] || fail "the wait ended after $(cat stubs/calls) squeue calls"
eq "$(sql d.db "SELECT status FROM runs")" "timeout" "status"
exit 0
