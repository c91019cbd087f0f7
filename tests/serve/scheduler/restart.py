"""kill -9 of the server mid-job, then a restart: the job finishes with every point
stored exactly once -- the point that died with the server as `interrupted`, a point
whose worker had finished (its result document in the spool, not yet stored) from
that document, and the points not yet started run after the restart."""
import os
import signal
import time

from serve_lib import *

DB = "s.db"
add_user(DB, "ann", "member")
tk = token(DB, "ann")


def wait_for(cond, what, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if cond():
            return
        time.sleep(0.05)
    fail("timed out waiting for " + what)


def workers_alive():
    n = 0
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open("/proc/%s/cmdline" % pid, "rb") as f:
                    cmd = f.read()
            except OSError:
                continue
            if b"benchaas-worker" in cmd and TMP.encode() in cmd:
                n += 1
    return n


# ---- 1: the server dies while point 2 of 3 runs (a hanging worker)
s = Server(DB)
exp = {"plugin": "trivial", "params": {"value": [1, 2, 3], "mode": ["ok", "hang", "ok"]},
       "sweep": "zip", "timeout": 60}
j, _ = s.expect(201, "POST", "/api/v1/jobs", exp, tok=tk)
jid = j["job"]["id"]
wait_for(lambda: sql(DB, "SELECT count(*) FROM job_points WHERE job_id = ? AND state = 'running'"
                         " AND idx = 1 AND run_uuid IS NOT NULL", jid)[0][0] == 1,
         "point 2 running")
time.sleep(0.5)
s.p.send_signal(signal.SIGKILL)
s.p.wait()
wait_for(lambda: workers_alive() == 0, "the worker to die with the server", 10)
check(sql(DB, "SELECT count(*) FROM runs WHERE job = ?", jid)[0][0] == 1, "runs before restart")

s = Server(DB)
job = s.wait_job(jid, tk, timeout=60)
rows = sql(DB, "SELECT p.idx, r.status, r.uuid = p.run_uuid FROM job_points p JOIN runs r ON "
               "r.id = p.run_id WHERE p.job_id = ? ORDER BY p.idx", jid)
check(rows == [(0, "ok", 1), (1, "interrupted", 1), (2, "ok", 1)], "points: %s" % rows)
check(sql(DB, "SELECT count(*), count(DISTINCT uuid), count(DISTINCT point) FROM runs WHERE "
              "job = ?", jid)[0] == (3, 3, 3), "every point stored exactly once")
check(job["state"] == "failed" and sorted(job["runs"]) == sorted(r[0] for r in sql(
    DB, "SELECT id FROM runs WHERE job = ?", jid)), "job after restart: %s" % job)
err = sql(DB, "SELECT error FROM runs WHERE job = ? AND status = 'interrupted'", jid)[0][0]
check("server stopped" in err, "interrupted run's error: %s" % err)
# (a service job's files are in its own folder, removed when the job ends; docs/serve.md)
left = [f for f in (os.listdir(DB + ".spool") if os.path.isdir(DB + ".spool") else [])
        if f.endswith(".json")]
check(not left, "spool files left: %s" % left)
check(s.stop() == 0, "exit code")

# ---- 2: the server dies after a worker finished, before its result is stored
s = Server(DB, env={"BENCHAAS_TEST_PAUSE_INGEST": "before"})
j, _ = s.expect(201, "POST", "/api/v1/jobs", {"plugin": "trivial", "params": {"value": [7, 8]}},
                tok=tk)
jid = j["job"]["id"]


def paused():
    s.log.seek(0)
    return "test hook: pausing before ingest" in s.log.read()


wait_for(paused, "the ingest hook")
s.p.send_signal(signal.SIGKILL)
s.p.wait()
check(sql(DB, "SELECT count(*) FROM runs WHERE job = ?", jid)[0][0] == 0, "nothing stored yet")
s = Server(DB)
job = s.wait_job(jid, tk, timeout=60)
rows = sql(DB, "SELECT p.idx, r.status, json_extract(r.params_json, '$.value') FROM job_points p"
               " JOIN runs r ON r.id = p.run_id WHERE p.job_id = ? ORDER BY p.idx", jid)
check(job["state"] == "done" and rows == [(0, "ok", 7.0), (1, "ok", 8.0)],
      "after restart: %s %s" % (job["state"], rows))
check(sql(DB, "SELECT count(*) FROM runs WHERE job = ?", jid)[0][0] == 2, "stored twice")

# ---- 3: SIGTERM while a point runs: exit 0, the point stored interrupted, the rest after restart
j, _ = s.expect(201, "POST", "/api/v1/jobs", {"plugin": "trivial", "params": {
    "value": [1, 2], "mode": ["hang", "ok"]}, "sweep": "zip", "timeout": 60}, tok=tk)
jid = j["job"]["id"]
s.wait_job(jid, tk, states=("running",))
time.sleep(0.3)
check(s.stop() == 0, "exit code on SIGTERM with a point running")
check(sql(DB, "SELECT status FROM runs WHERE job = ?", jid) == [("interrupted",)],
      "the running point after SIGTERM")
check(sql(DB, "SELECT state FROM jobs WHERE id = ?", jid) == [("running",)], "job after SIGTERM")
s = Server(DB)
job = s.wait_job(jid, tk)
check(job["state"] == "failed" and sql(DB, "SELECT status FROM runs WHERE job = ? ORDER BY id",
                                       jid) == [("interrupted",), ("ok",)], "after restart")
check(s.stop() == 0, "exit code")
sys.exit(0)
