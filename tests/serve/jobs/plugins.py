"""A job of each built-in plugin end to end through the service's local launcher: HPL (one
rank under mpirun), iperf (loopback, a kernel-chosen port), IOR (write, sync and read back a
file in the job's own folder: a relative path; serve.policy.isolation has the site's folders) and
STREAM (in serve.jobs.jobs).  Each job ends done, its run is stored
ok with its user and job, and its headline metric is there."""
import os

from serve_lib import *

DB = "p.db"
add_user(DB, "ann", "member")
T = token(DB, "ann")
# Under the sanitizer build, an MPI worker's exit reports leaks of OpenMPI's MCA components,
# which are unloaded (dlclose) before LeakSanitizer runs: their stacks name no module, so
# tests/lsan.supp cannot match them (as in tests/runner/launch/isolation_crash_mpi.sh).  Leaks of our
# code in the server are covered by the other serve tests, which keep leak detection on.
asan = os.environ.get("ASAN_OPTIONS")
s = Server(DB, env={"ASAN_OPTIONS": (asan + ":" if asan else "") + "detect_leaks=0"})

jobs = [
    ({"plugin": "hpl", "name": "lu", "params": {"N": 400, "NB": 32, "P": 1, "Q": 1},
      "repetitions": 1}, "gflops"),
    ({"plugin": "iperf", "name": "lo", "params": {"mode": "loopback", "port": 0,
                                                  "duration": 1.0}, "repetitions": 1},
     "throughput"),
    ({"plugin": "ior", "name": "io", "params": {"block_size": "4m", "transfer_size": "1m",
                                                "path": "ior.dat"},
      "repetitions": 1}, "write_bw"),
]
for exp, headline in jobs:
    j, _ = s.expect(201, "POST", "/api/v1/jobs", exp, tok=T)
    job = s.wait_job(j["job"]["id"], T, timeout=100)
    check(job["state"] == "done" and len(job["runs"]) == 1 and job["plugin"] == exp["plugin"],
          "%s job: %s" % (exp["plugin"], job))
    j, _ = s.expect(200, "GET", "/api/v1/runs/%d" % job["runs"][0], tok=T)
    run = j["run"]
    check(run["status"] == "ok" and run["user"] == "ann" and run["job"] == job["id"],
          "%s run: %s" % (exp["plugin"], run))
    check(run["metrics"][headline]["value"] > 0, "%s %s: %s" % (exp["plugin"], headline,
                                                              run["metrics"]))
check(not os.path.exists("ior.dat"), "ior left its file behind")
s.stop()
print("ok")
