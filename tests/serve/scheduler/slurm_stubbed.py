# `serve --launcher slurm` submits, collects and cancels in its own process (the library:
# it never runs the benchaas binary), against stand-ins for Slurm's commands: sbatch runs
# the batch script at once in the background, squeue lists a job until its script ended,
# scontrol then says COMPLETED (or CANCELLED after scancel), scancel records its job ids.
# Fails when the in-process submission records no queued run, when collecting does not
# store the worker's result with the job's user and job, when a refusal by sbatch does not
# reach the job's error, or when cancelling a job does not scancel its Slurm job.
import stat

from serve_lib import *

STUBS = os.path.join(TMP, "stubs")
os.mkdir(STUBS)
STUB = {
    "sinfo": "echo 64\n",
    "sbatch": """[ "$1" = --test-only ] && { [ -f "$STUB_DIR/refuse" ] && { echo "sbatch: error: Invalid partition name specified" >&2; exit 1; }; exit 0; }
n=$(cat "$STUB_DIR/next" 2>/dev/null || echo 3001)
echo $((n + 1)) >"$STUB_DIR/next"
touch "$STUB_DIR/$n.queue"
# (its own session: what a helper leaves in its process group is killed when it exits)
setsid sh -c 'echo $$ >"$STUB_DIR/$1.pid"; SLURM_JOB_ID=$1 bash "$2" >"$STUB_DIR/$1.out" 2>&1; rm -f "$STUB_DIR/$1.queue"' job "$n" "$2" </dev/null >/dev/null 2>&1 &
while [ ! -s "$STUB_DIR/$n.pid" ]; do sleep 0.05; done  # out of our group before we exit
echo "$n"
""",
    "squeue": """for a in "$@"; do case "$prev" in --jobs) id=$a ;; esac; prev=$a; done
[ -f "$STUB_DIR/$id.queue" ] && echo "RUNNING|None|localhost"
exit 0
""",
    "scontrol": """eval "id=\\${$#}"
state=COMPLETED; [ -f "$STUB_DIR/$id.cancelled" ] && state=CANCELLED
echo "JobId=$id JobState=$state Reason=None RunTime=00:00:01 TimeLimit=00:10:00 NodeList=localhost"
""",
    "scancel": """for id in "$@"; do echo "$id" >>"$STUB_DIR/scancelled"; touch "$STUB_DIR/$id.cancelled"; rm -f "$STUB_DIR/$id.queue"; [ -f "$STUB_DIR/$id.pid" ] && kill -TERM -"$(cat "$STUB_DIR/$id.pid")" 2>/dev/null; done
exit 0
""",
}
for name, body in STUB.items():
    path = os.path.join(STUBS, name)
    with open(path, "w") as f:
        f.write("#!/bin/sh\n" + body)
    os.chmod(path, 0o755)
env = {"PATH": STUBS + ":" + os.environ["PATH"], "STUB_DIR": STUBS}

DB = os.path.join(TMP, "s.db")
add_user(DB, "ann", "member")
tok = token(DB, "ann")
s = Server(DB, "--launcher", "slurm", env=env)

# a job becomes a Slurm job, its run collected with the job's user and job
exp = {"plugin": "trivial", "name": "stubbed", "repetitions": 1, "tags": ["svc"]}
j, _ = s.expect(201, "POST", "/api/v1/jobs", exp, tok=tok)
jid = j["job"]["id"]
job = s.wait_job(jid, tok, timeout=60)
rows = sql(DB, "SELECT id, user, job, status, launcher, job_id FROM runs")
if job["state"] != "done":
    s.dump()
check(job["state"] == "done" and len(job["runs"]) == 1, "job: %s; runs %s" % (job, rows))
check(len(rows) == 1 and rows[0][1:] == ("ann", jid, "ok", "slurm", 3001), "runs: %s" % rows)
tags = sorted(t for (t,) in sql(DB, "SELECT tag FROM tags WHERE run_id = ?", rows[0][0]))
check("svc" in tags and "benchaas-job=%d" % jid in tags, "tags: %s" % tags)

# sbatch refuses the script: nothing is submitted, the job fails with sbatch's reason
open(os.path.join(STUBS, "refuse"), "w").close()
j, _ = s.expect(201, "POST", "/api/v1/jobs", exp, tok=tok)
rid = j["job"]["id"]
job = s.wait_job(rid, tok, timeout=30)
check(job["state"] == "failed" and "Invalid partition name" in (job["error"] or ""),
      "refused job: %s" % job)
check(not sql(DB, "SELECT 1 FROM runs WHERE job = ?", rid), "a refused job has runs")
os.unlink(os.path.join(STUBS, "refuse"))

# a cancelled job: its Slurm job is scancel'ed, its run collected as failed
hang = {"plugin": "trivial", "params": {"mode": "hang"}, "timeout": 120}
j, _ = s.expect(201, "POST", "/api/v1/jobs", hang, tok=tok)
hid = j["job"]["id"]
deadline = time.time() + 30
while time.time() < deadline and not sql(DB, "SELECT 1 FROM runs WHERE job = ?", hid):
    time.sleep(0.2)
j, _ = s.expect(200, "DELETE", "/api/v1/jobs/%d" % hid, tok=tok)
check(j["job"]["state"] == "cancelled", str(j))
deadline = time.time() + 60
st = []
while time.time() < deadline:
    st = sql(DB, "SELECT status, user, job_id FROM runs WHERE job = ?", hid)
    if st and st[0][0] not in ("queued", "running"):
        break
    time.sleep(0.5)
scancelled = open(os.path.join(STUBS, "scancelled")).read().split() \
    if os.path.exists(os.path.join(STUBS, "scancelled")) else []
check(len(st) == 1 and st[0][:2] == ("failed", "ann"), "cancelled job's run: %s" % st)
check(st and str(st[0][2]) in scancelled, "scancel got %s, the job was %s" % (scancelled, st))
check(s.stop() == 0, "exit code on SIGTERM")
print("ok")
