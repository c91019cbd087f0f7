"""A job's folder has a disk quota, and a point that hangs ends at its time limit (issue 25).

`serve --job-disk-quota 1M`: the writer test plugin (tests/plugins/writer.c) writes `size`
bytes into its job's folder and holds them `hold` seconds.  Over the quota the point is
stopped by the launcher's watcher with "the job's folder passed its quota of 1 MiB", the
server keeps serving, and a run under the quota is ok.  A point that sleeps past its
`timeout` ends `timeout` at that limit, not at the hold's end.
Mutations: folder_usage() in core/runner/launch.c returns 0 (the 8 MiB run is ok, not
stopped); the watcher's deadline check in launch_run_confined skipped (the held point runs
its 60 s, the job is not done in 20 s); --job-disk-quota ignored in serve_policy() (cmd.c):
the default 10 GiB lets the 8 MiB run through.
"""
from serve_lib import *

os.chmod(TMP, 0o711)  # the run-as user (nobody, under root) reaches the jobs' folders
os.environ["BENCHAAS_PLUGIN_PATH"] = os.path.join(PLUGINS, "good") + ":" + \
    os.path.join(PLUGINS, "policy")
DB = "quota.db"
add_user(DB, "ann", "member")
T = token(DB, "ann")

# a bad size is a usage error, exit 2, before anything starts
for bad in ("12X", "-1G", "10GB", ""):
    p = subprocess.run([BENCHAAS, "serve", "--db", DB, "--job-disk-quota", bad],
                       capture_output=True, text=True, timeout=30)
    check(p.returncode == 2 and "--job-disk-quota" in p.stderr,
          "--job-disk-quota %r: %d %s" % (bad, p.returncode, p.stderr))

s = Server(DB, "--job-disk-quota", "1M")


def run_job(params, timeout=None, within=30):
    exp = {"plugin": "writer", "params": params}
    if timeout:
        exp["timeout"] = timeout
    j, _ = s.expect(201, "POST", "/api/v1/jobs", exp, tok=T)
    t0 = time.time()
    job = s.wait_job(j["job"]["id"], T, timeout=within)
    check(job["runs"], "job without a run: %s" % job)
    r, _ = s.expect(200, "GET", "/api/v1/runs/%d" % job["runs"][0], tok=T)
    return r["run"], time.time() - t0


# over the quota: stopped while it holds its 8 MiB, long before the hold's end
run, took = run_job({"size": "8m", "hold": "60"})
check(run["status"] == "failed" and "the job's folder passed its quota of 1 MiB"
      in (run.get("error") or ""), "over the quota: %s" % {k: run.get(k) for k in ("status", "error")})
check(took < 20, "over the quota: stopped after %.1f s" % took)
check(TMP not in json.dumps(run), "a server path in the run: %s" % run.get("error"))
# the server still serves, and a run under the quota is ok
s.expect(200, "GET", "/healthz")
run, _ = run_job({"size": "100k"})
check(run["status"] == "ok", "under the quota: %s" % {k: run.get(k) for k in ("status", "error")})

# a point that hangs ends at its time limit
run, took = run_job({"hold": "60"}, timeout=2, within=20)
check(run["status"] == "timeout", "the held point: %s" % {k: run.get(k) for k in ("status", "error")})
check(took < 15, "the held point ended after %.1f s" % took)
sys.exit(0)
