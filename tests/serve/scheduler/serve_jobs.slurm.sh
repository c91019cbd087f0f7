# `benchaas serve --launcher slurm`: a STREAM job posted to the API becomes a Slurm
# batch job through `benchaas submit`; the scheduler collects it itself, and the run is
# stored once, with its user and job.
. "$TEST_LIB"
need_slurm
command -v python3 >/dev/null 2>&1 || skip "no python3"
PYTHONPATH="$BENCHAAS_SOURCE/tests/serve" PYTHONDONTWRITEBYTECODE=1 python3 - <<'PY'
import time

from serve_lib import *

DB = os.path.join(TMP, "s.db")
add_user(DB, "ann", "member")
tok = token(DB, "ann")
s = Server(DB, "--launcher", "slurm")
exp = {"plugin": "stream", "name": "slurmed", "params": {"array_size": 100000, "ntimes": 2},
       "repetitions": 1, "tags": ["svc"], "slurm": {"time_limit": "5"}}
j, _ = s.expect(201, "POST", "/api/v1/jobs", exp, tok=tok)
jid = j["job"]["id"]
job = s.wait_job(jid, tok, timeout=90)
rows = sql(DB, "SELECT id, user, job, status, launcher, job_id IS NOT NULL FROM runs")
check(job["state"] == "done" and len(job["runs"]) == 1, "job: %s; runs %s" % (job, rows))
check(len(rows) == 1 and rows[0][1:] == ("ann", jid, "ok", "slurm", 1), "runs: %s" % rows)
check(job["runs"][0] == rows[0][0], "job runs %s vs %s" % (job["runs"], rows))
tags = sorted(t for (t,) in sql(DB, "SELECT tag FROM tags WHERE run_id = ?", rows[0][0]))
check("svc" in tags, "tags: %s" % tags)



def points_running():
    """The points running by /healthz and by /metrics."""
    j, _ = s.expect(200, "GET", "/healthz")
    _, _, text = s.request("GET", "/metrics")
    m = re.search(r"^benchaas_points_running (\d+)$", text, re.M)
    return j["scheduler"]["points_running"], int(m.group(1)) if m else None


def wait_points(n, what):
    deadline = time.time() + 60
    got = None
    while time.time() < deadline:
        got = points_running()
        if got == (n, n):
            return
        time.sleep(0.2)
    fail("%s: points running by /healthz and /metrics: %s, wanted %d" % (what, got, n))


wait_points(0, "after the first job")
# a cancelled job: its Slurm job is scancel'ed and its run collected as failed
hang = {"plugin": "trivial", "params": {"mode": "hang"}, "timeout": 120}
j, _ = s.expect(201, "POST", "/api/v1/jobs", hang, tok=tok)
hid = j["job"]["id"]
deadline = time.time() + 30
while time.time() < deadline and not sql(DB, "SELECT 1 FROM runs WHERE job = ?", hid):
    time.sleep(0.2)
# handed to Slurm and not yet collected: one point running
wait_points(1, "while the Slurm job runs")
j, _ = s.expect(200, "DELETE", "/api/v1/jobs/%d" % hid, tok=tok)
check(j["job"]["state"] == "cancelled", str(j))
deadline = time.time() + 60
st = []
while time.time() < deadline:
    st = sql(DB, "SELECT status, user, error FROM runs WHERE job = ?", hid)
    if st and st[0][0] not in ("queued", "running"):
        break
    time.sleep(0.5)
check(len(st) == 1 and st[0][:2] == ("failed", "ann") and "CANCEL" in st[0][2].upper(), "cancelled job's run: %s" % st)
check(s.wait_job(hid, tok)["state"] == "cancelled", "the cancelled job changed state")
wait_points(0, "after the cancelled job was collected")
check(s.stop() == 0, "exit code on SIGTERM")
PY
