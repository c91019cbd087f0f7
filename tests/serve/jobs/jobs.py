"""Jobs through the scheduler: a STREAM job end to end through the local launcher
(runs stored with their user and job, leaderboard), a running point cancelled
(stored interrupted), round-robin across users, "repetitions": "auto:MAX", and the
quotas (429)."""
import time

from serve_lib import *

DB = "s.db"
for u in ("ann", "bea", "cyd"):
    add_user(DB, u, "member")
T = {u: token(DB, u) for u in ("ann", "bea", "cyd")}
s = Server(DB)

# ---- STREAM, a small sweep, through the same pipeline as `benchaas run`
exp = {"plugin": "stream", "name": "sizes", "params": {"array_size": [100000, 200000],
                                                       "ntimes": 3},
       "repetitions": 1, "tags": ["acceptance"]}
j, _ = s.expect(201, "POST", "/api/v1/jobs", exp, tok=T["ann"])
job = s.wait_job(j["job"]["id"], T["ann"], timeout=90)
check(job["state"] == "done" and len(job["runs"]) == 2 and job["name"] == "sizes"
      and job["plugin"] == "stream", "stream job: %s" % job)
rows = sql(DB, "SELECT r.user, r.job, r.status, t.tag FROM runs r JOIN tags t ON t.run_id = r.id"
               " WHERE r.plugin = 'stream' ORDER BY r.id")
check(rows == [("ann", job["id"], "ok", "acceptance")] * 2, "stored runs: %s" % rows)
check(sql(DB, "SELECT count(DISTINCT user) FROM results WHERE plugin = 'stream'")[0][0] == 1,
      "results view user")
# small arrays: where the cache size is known STREAM marks them (a caveat), and they are
# left out of the ranking unless include=warned
j, _ = s.expect(200, "GET", "/api/v1/leaderboard?plugin=stream", tok=T["bea"])
both = j["entries"] + j["left_out"]
check(j["metric"] == "triad" and j["unit"] == "MB/s" and len(both) == 2
      and all(e["user"] == "ann" for e in both)
      and all(e["caveat"] for e in j["left_out"]), "stream leaderboard: %s" % j)
j, _ = s.expect(200, "GET", "/api/v1/leaderboard?plugin=stream&include=warned", tok=T["bea"])
check(len(j["entries"]) == 2 and j["left_out"] == [], "include=warned: %s" % j)
j, _ = s.expect(200, "GET", "/api/v1/runs/%d" % job["runs"][0], tok=T["bea"])
check(j["run"]["metrics"]["triad"]["value"] > 0 and j["run"]["job"] == job["id"], str(j))

# ---- round-robin: ann's hanging job holds the one slot while bea queues 3 jobs, cyd 1
hang = {"plugin": "trivial", "params": {"mode": "hang"}, "timeout": 60}
quick = {"plugin": "trivial", "params": {"count": 10}}
j, _ = s.expect(201, "POST", "/api/v1/jobs", hang, tok=T["ann"])
hang_id = j["job"]["id"]
s.wait_job(hang_id, T["ann"], states=("running",))
ids = {}
for name in ("bea1", "bea2", "bea3", "cyd1"):
    j, _ = s.expect(201, "POST", "/api/v1/jobs", quick, tok=T[name[:3]])
    ids[name] = j["job"]["id"]
# cancel stops the running point: stored `interrupted`
j, _ = s.expect(200, "DELETE", "/api/v1/jobs/%d" % hang_id, tok=T["ann"])
check(j["job"]["state"] == "cancelled", str(j))
deadline = time.time() + 20
while time.time() < deadline and not sql(DB, "SELECT status FROM runs WHERE job = ?", hang_id):
    time.sleep(0.1)
st = sql(DB, "SELECT status, error FROM runs WHERE job = ?", hang_id)
check(len(st) == 1 and st[0][0] == "interrupted" and "cancel" in st[0][1], "cancelled: %s" % st)
check(s.wait_job(hang_id, T["ann"])["state"] == "cancelled", "the cancelled job changed state")
for name, jid in ids.items():
    check(s.wait_job(jid, T["bea"])["state"] == "done", name)
order = [r[0] for r in sql(DB, "SELECT job FROM runs WHERE job IN (?,?,?,?) ORDER BY id",
                           *ids.values())]
want = [ids["bea1"], ids["cyd1"], ids["bea2"], ids["bea3"]]
check(order == want, "round-robin order %s, wanted %s" % (order, want))
# ---- "repetitions": "auto[:MAX]" as on the command line: a noisy point stops at MAX
j, _ = s.expect(201, "POST", "/api/v1/jobs", {"plugin": "trivial", "params": {"noise": 0.5},
                                              "repetitions": "auto:5"}, tok=T["cyd"])
job = s.wait_job(j["job"]["id"], T["cyd"], timeout=60)
check(job["state"] == "done", "auto job: %s" % job)
m = sql(DB, "SELECT value FROM run_meta WHERE run_id = ? AND key = 'repetitions_auto'",
        job["runs"][0])
check(m == [("5 of at most 5 (the most)",)], "auto repetitions of a job: %s" % m)
check(s.stop() == 0, "exit code on SIGTERM")

# ---- quotas from the serve = {...} block of a configuration file
with open("serve.cfg", "w") as f:
    f.write('serve = { slots = 1; quotas = { jobs = 2; points = 3; ranks = 2; }; };\n')
s2 = Server("q.db", "--config", "serve.cfg")
add_user("q.db", "dan", "member")
tq = token("q.db", "dan")
j, h = s2.expect(429, "POST", "/api/v1/jobs", {"plugin": "trivial",
                                               "params": {"value": [1, 2, 3, 4]}}, tok=tq)
check(int(h["retry-after"]) > 0 and "quota" in j["error"]["message"], str(j))
s2.expect(429, "POST", "/api/v1/jobs", {"plugin": "stream", "ranks": 4,
                                        "params": {"array_size": 1000}}, tok=tq)
s2.expect(201, "POST", "/api/v1/jobs", hang, tok=tq)
s2.expect(201, "POST", "/api/v1/jobs", quick, tok=tq)
j, _ = s2.expect(429, "POST", "/api/v1/jobs", quick, tok=tq)
check(sql("q.db", "SELECT count(*) FROM jobs")[0][0] == 2, "over-quota jobs were stored")
check(s2.stop() == 0, "exit code")
sys.exit(0)
