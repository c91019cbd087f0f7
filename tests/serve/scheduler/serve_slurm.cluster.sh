# `benchaas serve --launcher slurm` on the cluster: a 4-node HPL job and a STREAM sweep on
# every node (each_node: true, as submit --each-node) posted to the API run on the
# cluster's nodes; the each-node job has a point per sweep point and node, its runs and
# its page name the node each point ran on; /healthz and
# /metrics count the points running while the Slurm jobs run, and 0 once all is collected.
# Fails when: the scheduler counts no running point in Slurm mode (or /metrics, alone,
# writes a constant); the service's submit
# loses slurm.nodes (HPL's provenance names one node) or each_node; a job's run is stored
# twice or left out of its job.
. "$CLUSTER_LIB" || exit 1
need_cluster
command -v python3 >/dev/null 2>&1 || skip "no python3"
PYTHONPATH="$BENCHAAS_SOURCE/tests/serve" PYTHONDONTWRITEBYTECODE=1 python3 - <<'PY'
import time

from serve_lib import *

# the jobs' folders (DB.scratch) are on the shared file system, and the run-as user
# (nobody) the jobs are confined to on the nodes reaches them
os.chmod(TMP, 0o711)
DB = os.path.join(TMP, "s.db")
add_user(DB, "ann", "member")
tok = token(DB, "ann")
s = Server(DB, "--launcher", "slurm")
hpl = {"plugin": "hpl", "name": "hpl4", "ranks": 4, "repetitions": 2,
       "params": {"N": 3000, "NB": 128, "P": 2, "Q": 2},
       "slurm": {"time_limit": "5", "nodes": 4}}
j, _ = s.expect(201, "POST", "/api/v1/jobs", hpl, tok=tok)
jobs = {"hpl": j["job"]["id"]}
# a STREAM sweep on every node of the partition: each_node, as `submit --each-node`
st = {"plugin": "stream", "name": "stream-each", "repetitions": 1, "each_node": True,
      "params": {"array_size": [100000, 200000], "ntimes": 2},
      "slurm": {"time_limit": "5", "partition": "batch"}}
j, _ = s.expect(201, "POST", "/api/v1/jobs", st, tok=tok)
jobs["each"] = j["job"]["id"]
# each_node is refused where it cannot work: not a boolean
bad = dict(st, each_node="yes")
j, _ = s.expect(400, "POST", "/api/v1/jobs", bad, tok=tok)
check("each_node" in j["error"].get("fields", {}), "each_node's error field: %s" % j)


def points_running():
    j, _ = s.expect(200, "GET", "/healthz")
    _, _, text = s.request("GET", "/metrics")
    m = re.search(r"^benchaas_points_running (\d+)$", text, re.M)
    return j["scheduler"]["points_running"], int(m.group(1)) if m else None


seen = seen_m = 0
deadline = time.time() + 150
while time.time() < deadline:
    h, m = points_running()
    check(m is not None, "/metrics has no benchaas_points_running line")
    seen = max(seen, h)
    seen_m = max(seen_m, m)
    states = [s.expect(200, "GET", "/api/v1/jobs/%d" % i, tok=tok)[0]["job"]["state"] for i in jobs.values()]
    if all(x in ("done", "failed", "cancelled") for x in states):
        break
    time.sleep(0.3)
check(seen >= 1, "no point counted running while the Slurm jobs ran (max %d)" % seen)
check(seen_m >= 1, "/metrics counted no point running while the Slurm jobs ran (max %d)" % seen_m)
print("most points counted running at once: %d" % seen)
for name, jid in jobs.items():
    job = s.wait_job(jid, tok, timeout=5)
    check(job["state"] == "done", "job %s: %s" % (name, job))
    want = 1 if name == "hpl" else 8
    check(len(job["runs"]) == want and job["points"] == want, "job %s: points %s, runs %s" % (name, job["points"], job["runs"]))
    _, _, page = s.request("GET", "/jobs/%d" % jid, tok=tok)
    per_node = {}
    for rid in job["runs"]:
        r, _ = s.expect(200, "GET", "/api/v1/runs/%d" % rid, tok=tok)
        run = r["run"]
        if name == "hpl":
            nodes = run.get("provenance", {}).get("nodes")
            check(nodes == "bxnode1,bxnode2,bxnode3,bxnode4", "HPL's nodes: %s" % nodes)
        else:
            per_node[run["host"]] = per_node.get(run["host"], 0) + 1
            nodes = run["host"]
        check('<td class="nodes">%s</td>' % nodes in page, "job page %d does not show %s" % (jid, nodes))
    if name != "hpl":
        check(per_node == {"bxnode%d" % n: 2 for n in range(1, 5)}, "STREAM points per node: %s" % per_node)
        labels = sql(DB, "SELECT label FROM job_points WHERE job_id = ? ORDER BY idx", jid)
        check(all(" @ bxnode" in l for (l,) in labels), "point labels: %s" % labels)
rows = sql(DB, "SELECT count(*), count(DISTINCT uuid) FROM runs")
check(rows[0] == (9, 9), "runs stored (all, distinct): %s" % (rows,))
deadline = time.time() + 30
while time.time() < deadline and points_running() != (0, 0):
    time.sleep(0.3)
check(points_running() == (0, 0), "points still counted running: %s" % (points_running(),))
check(s.stop() == 0, "exit code on SIGTERM")
PY
