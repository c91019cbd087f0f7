# `benchaas serve --launcher slurm`: a STREAM job posted to the API becomes a Slurm
# batch job through `benchaas submit`; the scheduler collects it itself, and the run is
# stored once, with its user and job.
. "$TEST_LIB"
need_slurm
command -v python3 >/dev/null 2>&1 || skip "no python3"
PYTHONPATH="$BENCHAAS_SOURCE/tests/serve" PYTHONDONTWRITEBYTECODE=1 python3 - <<'PY'
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
check(s.stop() == 0, "exit code on SIGTERM")
PY
