"""Every /api/v1 route with its success and refusal cases, and the role matrix
(viewer, member, other member, admin, no token, expired token, revoked token,
forged token, token scopes) route by route.  A refused request changes nothing."""
import json
import time

from serve_lib import *

DB = "s.db"
add_user(DB, "root", "admin")
add_user(DB, "vera", "viewer")
add_user(DB, "max", "member")
add_user(DB, "mia", "member")
T = {
    "admin": token(DB, "root"),
    "viewer": token(DB, "vera"),
    "member": token(DB, "max"),
    "other": token(DB, "mia"),
    "expired": token(DB, "max", "--expires", "1s"),
    "read": token(DB, "max", "--scope", "read"),
    "upload": token(DB, "max", "--scope", "upload"),
    "revoked": token(DB, "mia"),
    "none": None,
    "forged": "bx_" + "0" * 64,
}
rid = sql(DB, "SELECT id FROM tokens ORDER BY id DESC LIMIT 1")[0][0]
bx("token", "revoke", str(rid), "--db", DB)
s = Server(DB)
time.sleep(1.2)  # the 1 s token is now expired

EXP = {"plugin": "trivial", "params": {"count": 10, "value": [1, 2]}, "repetitions": 1}

# ---- sessions
j, _ = s.expect(201, "POST", "/api/v1/session", {"user": "max", "password": "max-password"})
check(j["user"] == "max" and j["role"] == "member" and j["token"].startswith("bx_")
      and j["expires_at"], "session: %s" % j)
sess = j["token"]
j, _ = s.expect(200, "GET", "/api/v1/me", tok=sess)
check(j == {"user": "max", "role": "member"}, "me: %s" % j)
wrong_pw, _ = s.expect(401, "POST", "/api/v1/session", {"user": "max", "password": "nope-nope"})
no_user, _ = s.expect(401, "POST", "/api/v1/session", {"user": "nobody", "password": "nope-nope"})
check(wrong_pw["error"]["message"] == no_user["error"]["message"],
      "sign-in messages tell users apart")
s.expect(400, "POST", "/api/v1/session", {"user": "max"})
s.expect(400, "POST", "/api/v1/session", {"user": "max", "password": "x", "extra": 1})
s.expect(415, "POST", "/api/v1/session", {"user": "max", "password": "x"}, ctype="text/plain")
s.expect(400, "POST", "/api/v1/session", raw=b"{not json")
s.expect(200, "DELETE", "/api/v1/session", tok=sess)
s.expect(401, "GET", "/api/v1/me", tok=sess)  # the ended session no longer works
s.expect(401, "DELETE", "/api/v1/session")
# failed sign-ins are rate-limited per user (and address)
for i in range(6):
    s.request("POST", "/api/v1/session", {"user": "vera", "password": "wrong-%d" % i})
j, h = s.expect(429, "POST", "/api/v1/session", {"user": "vera", "password": "vera-password"})
check(int(h.get("retry-after", "0")) > 0, "429 without Retry-After")

# ---- the role matrix: (method, path, body, {who: status})
ALL_SIGNED = {"admin": 200, "viewer": 200, "member": 200, "other": 200, "read": 200,
              "upload": 200, "none": 401, "expired": 401, "revoked": 401, "forged": 401}
matrix = [
    ("GET", "/api/v1/me", None, ALL_SIGNED),
    ("GET", "/api/v1/plugins", None, ALL_SIGNED),
    ("GET", "/api/v1/jobs", None, ALL_SIGNED),
    ("GET", "/api/v1/runs", None, ALL_SIGNED),
    ("GET", "/api/v1/schedules", None, ALL_SIGNED),
    ("POST", "/api/v1/jobs", EXP, {"admin": 201, "viewer": 403, "member": 201, "other": 201,
                                   "read": 403, "upload": 403, "none": 401, "expired": 401,
                                   "revoked": 401, "forged": 401}),
    ("POST", "/api/v1/users", {"user": "u-%s", "password": "long-enough", "role": "viewer"},
     {"admin": 201, "viewer": 403, "member": 403, "other": 403, "read": 403, "upload": 403,
      "none": 401, "expired": 401, "revoked": 401, "forged": 401}),
]
for method, path, body, want in matrix:
    for who, status in want.items():
        b = body
        if b and "user" in b:
            b = dict(b, user=b["user"] % who)
        st, _, j = s.request(method, path, b, T[who])
        if st != status:
            fail("%s %s as %s: %d, wanted %d: %s" % (method, path, who, st, status, j))
users_now = sql(DB, "SELECT count(*) FROM users")[0][0]
check(users_now == 5, "refused user creations changed nothing (%d users)" % users_now)

# ---- plugins
j, _ = s.expect(200, "GET", "/api/v1/plugins", tok=T["viewer"])
p = [x for x in j["plugins"] if x["name"] == "trivial"]
check(p, "trivial not listed")
p = p[0]
check({"name", "version", "description", "needs_mpi", "params", "metrics"} <= set(p), str(p))
cnt = [x for x in p["params"] if x["name"] == "count"][0]
check(cnt["type"] == "int" and cnt["default"] == "1000" and cnt["min"] == 1, str(cnt))
mode = [x for x in p["params"] if x["name"] == "mode"][0]
check("hang" in mode["choices"], str(mode))
check(p["metrics"][0] == {"name": "rate", "unit": "ops/s", "better": "higher", "headline": True}
      and not p["metrics"][1]["headline"], str(p["metrics"]))

# ---- jobs: bad input refused with the CLI's message and the field, nothing stored
jobs_before = sql(DB, "SELECT count(*) FROM jobs")[0][0]
bad = [
    ({"plugin": "trivial", "params": {"valu": 1}}, "params.valu", "did you mean 'value'"),
    ({"plugin": "trivial", "params": {"count": 0}}, "params.count", "count"),
    ({"plugin": "trivial", "params": {"mode": "explode"}}, "params.mode", "explode"),
    ({"plugin": "nosuch"}, "plugin", "nosuch"),
    ({"plugin": "trivial", "ranks": "two"}, "ranks", "ranks"),
    ({"plugin": "trivial", "repetitions": 0}, "repetitions", "out of range"),
    ({"plugin": "trivial", "repetitions": "auto:2"}, "repetitions", "auto[:MAX]"),
    ({"plugin": "trivial", "repetitions": "often"}, "repetitions", "not \"often\""),
    ({"plugin": "trivial", "colour": "red"}, "colour", "unknown setting 'colour'"),
    ({"plugin": "trivial", "sweep": "diagonal"}, "sweep", "diagonal"),
    ({"plugin": "trivial", "params": {"count": []}}, "params.count", "empty list"),
    ({"plugin": "trivial", "launcher": "slurm"}, "launcher", "slurm"),
    ({"plugin": "trivial", "bad key!": 1}, "bad key!", "not a setting name"),
    ({"params": {}}, "plugin", "plugin"),
]
for body, field, text in bad:
    j, _ = s.expect(400, "POST", "/api/v1/jobs", body, tok=T["member"])
    f = j["error"].get("fields", {})
    check(field in f and text in f[field] and text in j["error"]["message"],
          "job %s: fields %s, message %s" % (body, f, j["error"]["message"]))
# the same message as the CLI gives for the same experiment in a file
with open("bad.cfg", "w") as fh:
    fh.write('experiments = ({ plugin = "trivial"; params = { valu = 1; }; });\n')
_, err = bx("run", "bad.cfg", "--db", "cli.db", rc=2)
j, _ = s.expect(400, "POST", "/api/v1/jobs", {"plugin": "trivial", "params": {"valu": 1}},
                tok=T["member"])
check(j["error"]["message"] in err, "CLI said %r, API said %r" % (err, j["error"]["message"]))
s.expect(400, "POST", "/api/v1/jobs", raw=b'{"plugin": "trivial",', tok=T["member"])
s.expect(400, "POST", "/api/v1/jobs", [1, 2], tok=T["member"])
s.expect(415, "POST", "/api/v1/jobs", EXP, tok=T["member"], ctype="text/plain")
s.expect(413, "POST", "/api/v1/jobs", raw=b'{"x":"' + b"a" * (1 << 20) + b'"}', tok=T["member"])
check(sql(DB, "SELECT count(*) FROM jobs")[0][0] == jobs_before, "a refused job was stored")

# ---- jobs: list, get, cancel by owner / other member / admin
mine, _ = s.expect(201, "POST", "/api/v1/jobs", dict(EXP, params={"mode": "hang"}, timeout=60),
                   tok=T["member"])
jid = mine["job"]["id"]
check(mine["job"]["state"] == "queued" and mine["job"]["user"] == "max"
      and mine["job"]["points"] == 1, str(mine))
j, _ = s.expect(200, "GET", "/api/v1/jobs?user=max&limit=2", tok=T["viewer"])
check(len(j["jobs"]) == 2 and j["jobs"][0]["id"] > j["jobs"][1]["id"]
      and all(x["user"] == "max" for x in j["jobs"]), "jobs newest first: %s" % j)
s.expect(400, "GET", "/api/v1/jobs?state=sleeping", tok=T["viewer"])
s.expect(400, "GET", "/api/v1/jobs?limit=-1", tok=T["viewer"])
j, _ = s.expect(200, "GET", "/api/v1/jobs?user=x%27%20OR%201=1--", tok=T["viewer"])
check(j["jobs"] == [], "SQL in a filter matched something")
for k in ("id", "state", "user", "plugin", "name", "points", "runs", "created_at",
          "started_at", "ended_at", "error"):
    check(k in mine["job"], "job lacks %s" % k)
s.expect(404, "GET", "/api/v1/jobs/999999", tok=T["viewer"])
s.expect(404, "GET", "/api/v1/jobs/..", tok=T["viewer"])
s.expect(404, "GET", "/api/v1/jobs/1%20OR%201", tok=T["viewer"])
s.expect(404, "GET", "/api/v1/jobs/..%2F..%2Fetc%2Fpasswd", tok=T["viewer"])
s.expect(404, "GET", "/api/v1/nothing/here", tok=T["viewer"])
s.expect(404, "GET", "/api/v1/x%0a127.0.0.1%20GET%20/forged%20200", tok=T["viewer"])
s.expect(405, "PUT", "/api/v1/jobs", tok=T["member"])
s.expect(403, "DELETE", "/api/v1/jobs/%d" % jid, tok=T["other"])
s.expect(403, "DELETE", "/api/v1/jobs/%d" % jid, tok=T["viewer"])
s.expect(403, "DELETE", "/api/v1/jobs/%d" % jid, tok=T["read"])
s.expect(401, "DELETE", "/api/v1/jobs/%d" % jid)
s.expect(404, "DELETE", "/api/v1/jobs/999999", tok=T["member"])
j, _ = s.expect(200, "DELETE", "/api/v1/jobs/%d" % jid, tok=T["member"])
check(j["job"]["state"] == "cancelled", str(j))
s.expect(409, "DELETE", "/api/v1/jobs/%d" % jid, tok=T["member"])
other, _ = s.expect(201, "POST", "/api/v1/jobs", EXP, tok=T["other"])
j, _ = s.expect(200, "DELETE", "/api/v1/jobs/%d" % other["job"]["id"], tok=T["admin"])
check(j["job"]["state"] in ("cancelled",), str(j))

# ---- runs and leaderboard
done, _ = s.expect(201, "POST", "/api/v1/jobs", EXP, tok=T["member"])
job = s.wait_job(done["job"]["id"], T["member"])
check(job["state"] == "done" and len(job["runs"]) == 2, "job: %s" % job)
j, _ = s.expect(200, "GET", "/api/v1/runs?plugin=trivial&status=ok&user=max&limit=1",
                tok=T["viewer"])
check(len(j["runs"]) == 1 and j["runs"][0]["user"] == "max"
      and j["runs"][0]["job"] == done["job"]["id"], str(j))
j, _ = s.expect(200, "GET", "/api/v1/runs?limit=1&offset=1", tok=T["viewer"])
check(len(j["runs"]) == 1, "offset")
j, _ = s.expect(200, "GET", "/api/v1/runs?plugin=trivial%27%3B%20DROP%20TABLE%20runs%3B--",
                tok=T["viewer"])
check(j["runs"] == [], "SQL in a filter")
j, _ = s.expect(200, "GET", "/api/v1/runs?tag=%25&host=%27&since=2000-01-01", tok=T["viewer"])
check(j["runs"] == [], "metacharacters matched")
s.expect(400, "GET", "/api/v1/runs?since=yesterday", tok=T["viewer"])
s.expect(400, "GET", "/api/v1/runs?status=great", tok=T["viewer"])
s.expect(400, "GET", "/api/v1/runs?limit=abc", tok=T["viewer"])
r0 = job["runs"][0]
j, _ = s.expect(200, "GET", "/api/v1/runs/%d" % r0, tok=T["viewer"])
run = j["run"]
check(run["id"] == r0 and "samples" in run and "timeline" in run and "provenance" in run
      and run["user"] == "max" and run["metrics"]["rate"]["better"] == "higher", str(run))
s.expect(404, "GET", "/api/v1/runs/424242", tok=T["viewer"])
j, _ = s.expect(200, "GET", "/api/v1/leaderboard?plugin=trivial", tok=T["viewer"])
check(j["metric"] == "rate" and j["better"] == "higher" and j["unit"] == "ops/s", str(j))
# ranked within each configuration (params as set, ranks, threads), configurations together
configs = []
for e in j["entries"]:
    key = (json.dumps(e["params"], sort_keys=True), e["ranks"], e["threads"])
    if not configs or configs[-1][0] != key:
        check(key not in [c[0] for c in configs], "a configuration split: %s" % j["entries"])
        configs.append((key, []))
    configs[-1][1].append(e)
for key, es in configs:
    vals = [e["value"] for e in es]
    check(vals == sorted(vals, reverse=True) and [e["rank"] for e in es]
          == list(range(1, len(vals) + 1)), "ranking within %s: %s" % (key, vals))
for e in j["entries"]:
    check({"rank", "value", "run_id", "user", "host", "params", "started_at"} <= set(e), str(e))
j, _ = s.expect(200, "GET", "/api/v1/leaderboard?plugin=trivial&metric=elapsed&limit=1",
                tok=T["viewer"])
check(j["better"] == "lower" and len(j["entries"]) == 1, str(j))
s.expect(400, "GET", "/api/v1/leaderboard", tok=T["viewer"])
s.expect(404, "GET", "/api/v1/leaderboard?plugin=nosuch", tok=T["viewer"])
s.expect(404, "GET", "/api/v1/leaderboard?plugin=trivial&metric=nosuch", tok=T["viewer"])
s.expect(401, "GET", "/api/v1/leaderboard?plugin=trivial")

# ---- users
s.expect(409, "POST", "/api/v1/users", {"user": "max", "password": "long-enough"},
         tok=T["admin"])
s.expect(400, "POST", "/api/v1/users", {"user": "../etc", "password": "long-enough"},
         tok=T["admin"])
s.expect(400, "POST", "/api/v1/users", {"user": "ok", "password": "short"}, tok=T["admin"])
s.expect(400, "POST", "/api/v1/users", {"user": "ok2", "password": "long-enough",
                                        "role": "king"}, tok=T["admin"])

# ---- schedules
s.expect(400, "POST", "/api/v1/schedules", {"job": EXP, "every": "soon"}, tok=T["member"])
s.expect(400, "POST", "/api/v1/schedules", {"job": EXP, "every": "10s"}, tok=T["member"])
j, _ = s.expect(400, "POST", "/api/v1/schedules",
                {"job": {"plugin": "trivial", "params": {"valu": 1}}, "every": "24h"},
                tok=T["member"])
check("job.params.valu" in j["error"]["fields"], str(j))
s.expect(403, "POST", "/api/v1/schedules", {"job": EXP, "every": "24h"}, tok=T["viewer"])
j, _ = s.expect(201, "POST", "/api/v1/schedules", {"job": EXP, "every": "48h"},
                tok=T["member"])
sid = j["schedule"]["id"]
j, _ = s.expect(200, "GET", "/api/v1/schedules", tok=T["viewer"])
check([x["id"] for x in j["schedules"]] == [sid], str(j))
s.expect(403, "DELETE", "/api/v1/schedules/%d" % sid, tok=T["other"])
s.expect(404, "DELETE", "/api/v1/schedules/77", tok=T["member"])
s.expect(200, "DELETE", "/api/v1/schedules/%d" % sid, tok=T["member"])

# ---- operations
j, _ = s.expect(200, "GET", "/healthz")
check(j["status"] == "ok" and {"last_tick", "queued", "running", "points_running"}
      <= set(j["scheduler"]), str(j))
# 503 while the database fails: its jobs table gone (renamed), then back
sql(DB, "ALTER TABLE jobs RENAME TO jobs_gone")
st, h, j = s.request("GET", "/healthz")
sql(DB, "ALTER TABLE jobs_gone RENAME TO jobs")
check(st == 503 and h["content-type"] == "application/json" and isinstance(j, dict)
      and j["status"] == "database failing" and j["scheduler"]["queued"] == -1
      and j["scheduler"]["running"] == -1 and j["scheduler"]["last_tick"], "%d %s" % (st, j))
j, _ = s.expect(200, "GET", "/healthz")
check(j["status"] == "ok" and j["scheduler"]["queued"] >= 0, "after the table is back: %s" % j)
st, h, text = s.request("GET", "/metrics")
check(st == 200 and h["content-type"].startswith("text/plain"), "metrics")
for name in ('benchaas_jobs{state="done"}', 'benchaas_runs{plugin="trivial",status="ok"}',
             "benchaas_scheduler_last_tick_seconds", 'benchaas_http_requests_total{code="403"}'):
    check(name in text, "metrics lack " + name)
check(all(l.startswith("benchaas_") or l.startswith("#") for l in text.splitlines() if l),
      "a metric not named benchaas_*")
# the access log: method, path without the query, status, user; never a token or password
s.log.seek(0)
log = s.log.read()
check("GET /api/v1/runs 200" in log and "max" in log, "access log")
check(not any(l.startswith("127.0.0.1 GET /forged") for l in log.splitlines()),
      "a request forged a line of the access log")
check("secret" not in log and "=" not in "".join(l for l in log.splitlines() if " /api/" in l)
      and T["member"] not in log and "max-password" not in log, "the log shows secrets")
check(s.stop() == 0, "SIGTERM: exit code")
sys.exit(0)
