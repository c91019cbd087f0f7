# `benchaas serve --launcher slurm` on the cluster: a 4-node HPL job and a STREAM sweep on
# every node (one job per node, pinned with slurm.extra --nodelist) posted to the API run
# on the cluster's nodes; each job's runs and its page name the nodes each point ran on; /healthz and
# /metrics count the points running while the Slurm jobs run, and 0 once all is collected.
# Fails when: the scheduler counts no running point in Slurm mode; the service's submit
# loses slurm.nodes (HPL's provenance names one node) or a job's run is stored twice.
. "$CLUSTER_LIB" || exit 1
need_cluster
command -v python3 >/dev/null 2>&1 || skip "no python3"
PYTHONPATH="$BENCHAAS_SOURCE/tests/serve" PYTHONDONTWRITEBYTECODE=1 python3 - <<'PY'
import time

from serve_lib import *

DB = os.path.join(TMP, "s.db")
add_user(DB, "ann", "member")
tok = token(DB, "ann")
s = Server(DB, "--launcher", "slurm")
hpl = {"plugin": "hpl", "name": "hpl4", "ranks": 4, "repetitions": 2,
       "params": {"N": 3000, "NB": 128, "P": 2, "Q": 2},
       "slurm": {"time_limit": "5", "nodes": 4}}
j, _ = s.expect(201, "POST", "/api/v1/jobs", hpl, tok=tok)
jobs = {"hpl": j["job"]["id"]}
for n in range(1, 5):
    st = {"plugin": "stream", "name": "stream-bxnode%d" % n, "repetitions": 1,
          "params": {"array_size": [100000, 200000], "ntimes": 2},
          "slurm": {"time_limit": "5", "extra": ["--nodelist=bxnode%d" % n]}}
    j, _ = s.expect(201, "POST", "/api/v1/jobs", st, tok=tok)
    jobs["bxnode%d" % n] = j["job"]["id"]


def points_running():
    j, _ = s.expect(200, "GET", "/healthz")
    _, _, text = s.request("GET", "/metrics")
    m = re.search(r"^benchaas_points_running (\d+)$", text, re.M)
    return j["scheduler"]["points_running"], int(m.group(1)) if m else None


seen = 0
deadline = time.time() + 150
while time.time() < deadline:
    h, m = points_running()
    seen = max(seen, h)
    states = [s.expect(200, "GET", "/api/v1/jobs/%d" % i, tok=tok)[0]["job"]["state"] for i in jobs.values()]
    if all(x in ("done", "failed", "cancelled") for x in states):
        break
    time.sleep(0.3)
check(seen >= 1, "no point counted running while the Slurm jobs ran (max %d)" % seen)
print("most points counted running at once: %d" % seen)
for name, jid in jobs.items():
    job = s.wait_job(jid, tok, timeout=5)
    check(job["state"] == "done", "job %s: %s" % (name, job))
    want = 1 if name == "hpl" else 2
    check(len(job["runs"]) == want, "job %s runs: %s" % (name, job["runs"]))
    for rid in job["runs"]:
        r, _ = s.expect(200, "GET", "/api/v1/runs/%d" % rid, tok=tok)
        run = r["run"]
        prov = run.get("provenance", {})
        if name == "hpl":
            check(prov.get("nodes") == "bxnode1,bxnode2,bxnode3,bxnode4", "HPL's nodes: %s" % prov.get("nodes"))
        else:
            check(run["host"] == name, "run %d of %s on %s" % (rid, name, run["host"]))
    _, _, page = s.request("GET", "/jobs/%d" % jid, tok=tok)
    cell = '<td class="nodes">%s</td>' % ("bxnode1,bxnode2,bxnode3,bxnode4" if name == "hpl" else name)
    check(page.count(cell) == want, "job page %d: %d points, not %d, show %s" % (jid, page.count(cell), want, cell))
rows = sql(DB, "SELECT count(*), count(DISTINCT uuid) FROM runs")
check(rows[0] == (9, 9), "runs stored (all, distinct): %s" % (rows,))
deadline = time.time() + 30
while time.time() < deadline and points_running() != (0, 0):
    time.sleep(0.3)
check(points_running() == (0, 0), "points still counted running: %s" % (points_running(),))
check(s.stop() == 0, "exit code on SIGTERM")
PY
