# How `collect` classes a submitted point that left no result, by what Slurm
# says of its job, with stand-ins for sbatch/squeue/scontrol/sinfo (states a
# one-node test cluster cannot produce on demand):
#   COMPLETED but RunTime >= TimeLimit  -> timeout (Slurm refused the step at
#                                          the limit, then the script ended)
#   COMPLETED within the limit          -> crashed (the worker left nothing)
#   CANCELLED                            -> failed, naming the reason
#   TIMEOUT                              -> timeout
#   unknown to Slurm                     -> crashed
# and a job still RUNNING marks its point running.
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
n=$(cat "$STUB_DIR/next" 2>/dev/null || echo 1001)
echo $((n + 1)) >"$STUB_DIR/next"
echo "$n"
SH
cat >stubs/squeue <<'SH'
#!/bin/sh
# squeue --noheader --jobs ID --format=...: only jobs with a .queue file are listed
for a in "$@"; do case "$prev" in --jobs) id=$a ;; esac; prev=$a; done
[ -f "$STUB_DIR/$id.queue" ] && cat "$STUB_DIR/$id.queue"
exit 0
SH
cat >stubs/scontrol <<'SH'
#!/bin/sh
# scontrol show job --oneliner ID
eval "id=\${$#}"
[ -f "$STUB_DIR/$id.job" ] || { echo "slurm_load_jobs error: Invalid job id specified" >&2; exit 1; }
cat "$STUB_DIR/$id.job"
SH
chmod +x stubs/*
export PATH="$TMP/stubs:$PATH"
{
    printf 'experiments = ('
    for e in past within cancelled timeout forgotten running; do
        printf '{ name = "%s"; plugin = "trivial"; },\n' "$e"
    done
    printf '{ name = "last"; plugin = "trivial"; } );\nslurm = { time_limit = "1"; };\n'
} >s.cfg
expect_rc 0 bx submit s.cfg --db d.db
eq "$(sql d.db "SELECT group_concat(status || ':' || job_id, ' ') FROM (SELECT * FROM runs ORDER BY id)")" \
   "queued:1001 queued:1002 queued:1003 queued:1004 queued:1005 queued:1006 queued:1007" "submitted"
job() { echo "JobId=$1 JobName=x JobState=$2 Reason=$3 Dependency=(null) RunTime=$4 TimeLimit=00:01:00 Partition=debug" >"stubs/$1.job"; }
job 1001 COMPLETED None 00:01:05
job 1002 COMPLETED None 00:00:10
job 1003 CANCELLED Prolog 00:00:01
job 1004 TIMEOUT TimeLimit 00:01:00
echo "RUNNING|None" >stubs/1006.queue
echo "PENDING|Priority" >stubs/1007.queue
expect_rc 0 bx collect --db d.db
eq "$(sql d.db "SELECT group_concat(experiment || '=' || status, ' ') FROM (SELECT * FROM runs ORDER BY id)")" \
   "past=timeout within=crashed cancelled=failed timeout=timeout forgotten=crashed running=running last=queued" "statuses"
sql d.db "SELECT error FROM runs WHERE experiment = 'past'" | grep -q "reached its time limit" || fail "timeout reason"
sql d.db "SELECT error FROM runs WHERE experiment = 'cancelled'" | grep -q "cancelled (state CANCELLED, reason Prolog)" ||
    fail "cancel reason: $(sql d.db "SELECT error FROM runs WHERE experiment = 'cancelled'")"
sql d.db "SELECT error FROM runs WHERE experiment = 'forgotten'" | grep -q "no longer known to Slurm" || fail "forgotten"
# collecting again changes nothing that has ended, and stores nothing twice
expect_rc 0 bx collect --db d.db
eq "$(sql d.db "SELECT count(*) FROM runs")" 7 "runs after a second collect"
exit 0
