"""A service job with MPI ranks finishes under the sandbox (issue 25).

Started as root, `benchaas serve` runs submitted work as `nobody` under Landlock.  HPL with
N=500 on 2 ranks (the mpi launcher) must end `done` within a bound, not hang: the job's
OpenMPI session folder and its shared-memory segments live in the job's own folder (the
only place the run may write), not in /tmp or /dev/shm.
Mutation: drop "osc_sm_backing_directory" from confined_env() in core/runner/run.c (the
one-sided segments go back to /dev/shm, which the run may not write): one rank fails to
create its segment, the other spins waiting for it, and the job is not done in 60 s.
"""
import pwd

from serve_lib import *

if os.geteuid() != 0:
    print("skip: needs root (the run-as user and Landlock)"); sys.exit(77)
if not shutil.which("mpirun"):
    print("skip: no mpirun"); sys.exit(77)
os.chmod(TMP, 0o711)
NOBODY = pwd.getpwnam("nobody").pw_uid
asan = os.environ.get("ASAN_OPTIONS")
ENV = {"ASAN_OPTIONS": (asan + ":" if asan else "") + "detect_leaks=0"}
DB = "mpi.db"
add_user(DB, "ann", "member")
T = token(DB, "ann")
s = Server(DB, env=ENV)

st, _, j = s.request("POST", "/api/v1/jobs", {"plugin": "hpl", "launcher": "mpi", "ranks": 2,
                                              "threads": 1, "params": {"N": "500"}}, tok=T)
check(st == 201 or st == 202 or st == 200, "submit: %d %s" % (st, j))
job = s.wait_job(j["job"]["id"], T, timeout=60)
if job["state"] != "done":
    s.dump()
check(job["state"] == "done" and job["runs"], "HPL on 2 ranks under the sandbox: %s" % job)
r, _ = s.expect(200, "GET", "/api/v1/runs/%d" % job["runs"][0], tok=T)
run = r["run"]
check(run["status"] == "ok" and run.get("ranks") == 2 and run["metrics"],
      "run: %s" % {k: run.get(k) for k in ("status", "error", "ranks")})
# the job's folder (its segments, its session folder) goes with the job; /dev/shm gets none
check(not [f for f in os.listdir("/dev/shm") if f.startswith("vader_segment") and
           os.stat(os.path.join("/dev/shm", f)).st_uid == NOBODY], "nobody's segments in /dev/shm")
s.expect(200, "GET", "/healthz")
# the server's log holds no OpenMPI error (ORTE_ERROR_LOG, a failed shared-memory setup)
s.log.seek(0)
log = s.log.read()
check("ORTE_ERROR_LOG" not in log and "shared memory initialization" not in log,
      "OpenMPI complained under the sandbox")
sys.exit(0)
