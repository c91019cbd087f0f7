# `benchaas serve --launcher slurm` under a site policy: a submitted job is confined on the
# compute nodes too.  The writer test plugin (tests/plugins/writer.c) runs on every node
# (each_node) and tries to write a file in a folder anyone may write but the site did not
# allow, and to read the database: both fail on each node, while its own file in the job's
# folder and the same tries inside the allowed folder succeed, as the run-as user (nobody).
# IOR on two nodes (4 ranks, MPI) writes into the allowed folder, confined on every rank.
# A member's slurm.spool, slurm.sandbox and slurm.env are refused (400 on the field).
# Connections at run time (the network guard, core/common/netguard.c): the writer's dial
# to 198.18.0.254 (in the cluster's network, not allowed) is refused (EACCES) on every
# node, its dial to the allowed 198.18.0.1 (the host's bridge) connects, and an iperf
# client on a node measures against a server on 198.18.0.1; MPI between the job's own
# nodes (IOR on two) still works.
# Fails when: the service's submit drops slurm.sandbox (the worker on the node runs
# unconfined: stray_written 1 on every node), or policy_check_experiment lets a member's
# slurm.env through (201, not 400), or the
# service's sandbox leaves the network guard off (the dial to 198.18.0.254 is not EACCES).
. "$CLUSTER_LIB" || exit 1
need_cluster
command -v python3 >/dev/null 2>&1 || skip "no python3"
[ -e "$BENCHAAS_TEST_PLUGINS/policy/writer.so" ] || skip "no writer test plugin"
PYTHONPATH="$BENCHAAS_SOURCE/tests/serve" PYTHONDONTWRITEBYTECODE=1 python3 - <<'PY'
import errno
import glob
import pwd
import socket
import time

from serve_lib import *

os.chmod(TMP, 0o711)  # the run-as user (nobody) reaches the allowed and the job folders
os.environ["BENCHAAS_PLUGIN_PATH"] = os.path.join(PLUGINS, "policy")
DB = os.path.join(TMP, "c.db")
ALLOWED = os.path.join(TMP, "allowed")
OPEN = os.path.join(TMP, "open")  # writable by anyone, not allowed: only the sandbox stops it
for d in (ALLOWED, OPEN):
    os.mkdir(d)
    os.chmod(d, 0o1777)
add_user(DB, "ann", "member")
tok = token(DB, "ann")
s = Server(DB, "--launcher", "slurm", "--allow-path", ALLOWED, "--allow-host", "127.0.0.0/8",
           "--allow-host", "198.18.0.1/32", "--scratch", os.path.join(TMP, "scratch"))
lis = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
lis.bind(("198.18.0.1", 0))
lis.listen(64)
PORT = lis.getsockname()[1]
NOBODY = pwd.getpwnam("nobody").pw_uid

for key, val in (("spool", OPEN), ("sandbox", os.path.join(OPEN, "box.json")),
                 ("env", {"BENCHAAS_CONFINED": "1"})):
    exp = {"plugin": "writer", "params": {"out": "w.out"}, "slurm": {key: val}}
    j, _ = s.expect(400, "POST", "/api/v1/jobs", exp, tok=tok)
    check("slurm." + key in j["error"].get("fields", {}), "slurm.%s not refused: %s" % (key, j))


def job_runs(exp):
    j, _ = s.expect(201, "POST", "/api/v1/jobs", exp, tok=tok)
    job = s.wait_job(j["job"]["id"], tok, timeout=150)
    runs = []
    for rid in job["runs"]:
        r, _ = s.expect(200, "GET", "/api/v1/runs/%d" % rid, tok=tok)
        runs.append(r["run"])
    check(job["state"] == "done" and job["runs"], "job: %s; runs: %s" % (
        job, [(r["host"], r["status"], r.get("error")) for r in runs]))
    return runs


slurm = {"time_limit": "5", "partition": "batch"}
runs = job_runs({"plugin": "writer", "each_node": True, "slurm": slurm, "params": {
    "out": "w.out", "stray": os.path.join(OPEN, "stray"), "peek": DB,
    "dial": "198.18.0.254:%d" % PORT}})
hosts = sorted(r["host"] for r in runs)
check(hosts == ["bxnode%d" % n for n in range(1, 5)], "the writer ran on %s" % hosts)
for r in runs:
    m = {k: v["value"] for k, v in r["metrics"].items()}
    check(r["status"] == "ok" and m["written"] > 0 and m["stray_written"] == 0
          and m["peek_read"] == 0, "on %s the run strayed: %s %s" % (r["host"], r["status"], m))
    check(m["dial_ok"] == 0 and m["dial_errno"] == errno.EACCES,
          "on %s a connection to 198.18.0.254 was not refused: %s" % (r["host"], m))
check(not os.listdir(OPEN), "a run wrote outside on a node: %s" % os.listdir(OPEN))
print("confined on %s: stray write and database read refused" % ", ".join(hosts))

# peek reads a file made here first: the four nodes' writers truncate and rewrite
# w.out at the same moments, so a read of it could find it empty
with open(os.path.join(ALLOWED, "peek.txt"), "w") as f:
    f.write("readable by the run-as user\n")
os.chmod(os.path.join(ALLOWED, "peek.txt"), 0o644)
runs = job_runs({"plugin": "writer", "each_node": True, "slurm": slurm, "params": {
    "out": ALLOWED + "/w.out", "stray": ALLOWED + "/stray", "peek": ALLOWED + "/peek.txt",
    "dial": "198.18.0.1:%d" % PORT}})
for r in runs:
    m = {k: v["value"] for k, v in r["metrics"].items()}
    check(m["stray_written"] == 1 and m["peek_read"] == 1 and m["dial_ok"] == 1,
          "inside the allowed folder and network on %s: %s" % (r["host"], m))
lis.close()
for f in ("w.out", "stray"):
    owner = os.stat(os.path.join(ALLOWED, f)).st_uid
    check(owner == NOBODY, "%s written as uid %d on the node, not nobody" % (f, owner))

runs = job_runs({"plugin": "ior", "ranks": 4, "repetitions": 1, "slurm": dict(slurm, nodes=2),
                 "params": {"path": ALLOWED + "/ior", "block_size": "1m",
                            "transfer_size": "256k"}})
r = runs[0]
check(r["status"] == "ok", "IOR on two nodes, confined: %s" % r.get("error"))
nodes = r.get("provenance", {}).get("nodes", "")
check(len(nodes.split(",")) == 2, "IOR's nodes: %s" % nodes)
print("IOR confined on %s: ok" % nodes)
with socket.socket() as probe:
    probe.bind(("198.18.0.1", 0))
    iport = probe.getsockname()[1]
srv = subprocess.Popen([BENCHAAS, "run", "iperf", "-p", "mode=server", "-p", "bind=198.18.0.1",
                        "-p", "port=%d" % iport, "-p", "duration=60", "--repetitions", "1",
                        "--db", os.path.join(TMP, "cli.db")],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
time.sleep(1)
r = job_runs({"plugin": "iperf", "repetitions": 1, "slurm": slurm, "params": {
    "mode": "client", "host": "198.18.0.1", "port": iport, "duration": 1}})[0]
check(r["status"] == "ok" and r["metrics"]["throughput"]["value"] > 0,
      "iperf from %s to the allowed 198.18.0.1: %s" % (r["host"], r.get("error")))
print("iperf from %s to 198.18.0.1 under the guard: %.0f %s" % (
    r["host"], r["metrics"]["throughput"]["value"], r["metrics"]["throughput"]["unit"]))
srv.wait(30)
deadline = time.time() + 10
while time.time() < deadline and glob.glob(os.path.join(TMP, "scratch", "job-*")):
    time.sleep(0.3)
left = glob.glob(os.path.join(TMP, "scratch", "job-*"))
check(not left, "job folders left: %s" % left)
check(s.stop() == 0, "exit code on SIGTERM")
PY
