"""GET /api/v1/openapi.json serves core/serve/openapi.json, unchanged and without sign-in;
the document names every route of the server's table (core/serve/api.c) with the same
methods; and the real answer of every route, its success and its usual refusals, matches
the schema the document gives for that status code.  An answer that gains, loses or
retypes a field fails here until the document says so."""
import json
import re
import time

from openapi_check import Validator
from serve_lib import *

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "..", "..", "..", "core", "serve")
DOC = json.load(open(os.path.join(SRC, "openapi.json")))
V = Validator(DOC)

# ---- the document and the route table agree
check(DOC.get("openapi", "").startswith("3.1"), "not OpenAPI 3.1: %s" % DOC.get("openapi"))
table = set()
for m, p in re.findall(r'\{"(GET|POST|DELETE|PUT|PATCH)", "(/[^"]*)"',
                       open(os.path.join(SRC, "api.c")).read()):
    table.add((m.lower(), p))
check(table, "no route found in api.c")
documented = {(m, p) for p, ops in DOC["paths"].items() for m in ops if m != "parameters"}
check(documented == table, "the document and api.c's route table differ: only documented %s, "
      "only in the table %s" % (sorted(documented - table), sorted(table - documented)))

DB = "o.db"
add_user(DB, "root", "admin")
add_user(DB, "max", "member")
add_user(DB, "vic", "viewer")
ta, tm, tv = token(DB, "root"), token(DB, "max"), token(DB, "vic")
s = Server(DB)
seen = set()


def call(method, path, status, body=None, tok=tm, route=None):
    """One request; its answer checked against the schema of route's status code."""
    st, h, j = s.request(method, path, body, tok)
    if st != status:
        s.dump()
        fail("%s %s: status %d, wanted %d: %s" % (method, path, st, status, j))
    route = route or path.split("?")[0]
    op = DOC["paths"][route][method.lower()]
    r = op["responses"].get(str(status))
    check(r, "%s %s: the document has no answer %d" % (method, route, status))
    ctype = h.get("content-type", "").split(";")[0]
    content = r.get("content", {})
    check(ctype in content, "%s %s %d: Content-Type %s, documented %s"
          % (method, route, status, ctype, sorted(content)))
    errs = V.validate(j, content[ctype]["schema"])
    check(not errs, "%s %s %d does not match its schema:\n  %s\n%s"
          % (method, path, status, "\n  ".join(errs[:20]), json.dumps(j)[:2000]))
    seen.add((method.lower(), route, status))
    return j


# ---- every route: its success, and the refusals a client meets first
j = call("GET", "/api/v1/openapi.json", 200, tok=None)
check(j == DOC, "the served document is not core/serve/openapi.json")
call("GET", "/healthz", 200, tok=None)
call("GET", "/metrics", 200, tok=None)
sess = call("POST", "/api/v1/session", 201, {"user": "max", "password": "max-password"}, None)
call("POST", "/api/v1/session", 401, {"user": "max", "password": "wrong-one"}, None)
call("POST", "/api/v1/session", 400, {"user": "max"}, None)
call("GET", "/api/v1/me", 200, tok=sess["token"])
call("DELETE", "/api/v1/session", 200, tok=sess["token"])
call("GET", "/api/v1/me", 401, tok=sess["token"])
call("POST", "/api/v1/users", 201, {"user": "zed", "password": "zed-password-1", "role": "member"},
     ta)
call("POST", "/api/v1/users", 409, {"user": "zed", "password": "zed-password-1"}, ta)
call("POST", "/api/v1/users", 403, {"user": "zoe", "password": "zoe-password-1"}, tm)
call("GET", "/api/v1/plugins", 200)
exp = {"plugin": "trivial", "name": "two", "params": {"count": 10, "value": [1, 2]},
       "repetitions": 2, "tags": ["t"]}
job = call("POST", "/api/v1/jobs", 201, exp)["job"]
call("POST", "/api/v1/jobs", 400, dict(exp, params={"count": -1}))
call("POST", "/api/v1/jobs", 403, exp, tv)
s.wait_job(job["id"], tm)
call("GET", "/api/v1/jobs?limit=5", 200, route="/api/v1/jobs")
call("GET", "/api/v1/jobs/%d" % job["id"], 200, route="/api/v1/jobs/{id}")
call("GET", "/api/v1/jobs/999", 404, route="/api/v1/jobs/{id}")
long = call("POST", "/api/v1/jobs", 201, dict(exp, params={"mode": "hang"}, timeout=60))["job"]
call("DELETE", "/api/v1/jobs/%d" % long["id"], 403, tok=token(DB, "zed"),
     route="/api/v1/jobs/{id}")
call("DELETE", "/api/v1/jobs/%d" % long["id"], 200, route="/api/v1/jobs/{id}")
runs = call("GET", "/api/v1/runs?plugin=trivial&limit=10", 200, route="/api/v1/runs")["runs"]
check(runs, "no runs")
call("GET", "/api/v1/runs/%d" % runs[0]["id"], 200, route="/api/v1/runs/{id}")
call("GET", "/api/v1/runs/999", 404, route="/api/v1/runs/{id}")
call("GET", "/api/v1/leaderboard?plugin=trivial", 200, route="/api/v1/leaderboard")
call("GET", "/api/v1/leaderboard?plugin=trivial&include=warned", 200, route="/api/v1/leaderboard")
call("GET", "/api/v1/leaderboard?plugin=trivial&include=all", 400, route="/api/v1/leaderboard")
call("GET", "/api/v1/leaderboard", 400, route="/api/v1/leaderboard")
doc = {"result_version": 1, "uuid": "0d7d3f4e-9a52-4c1e-8f0e-6b1b3e2b0a11", "plugin": "trivial",
       "plugin_version": "1.0.0", "status": "ok", "started_at": "2026-11-20T10:00:00Z",
       "finished_at": "2026-11-20T10:00:01Z", "host": "far01", "ranks": 1, "threads": 1,
       "params": {"value": {"value": "9", "type": "double"}},
       "metrics": {"rate": {"value": 123.5, "unit": "ops/s", "better": "higher"}}}
call("POST", "/api/v1/results", 201, doc)
call("POST", "/api/v1/results", 200, doc)
call("POST", "/api/v1/results", 400, dict(doc, uuid="x"))
sch = call("POST", "/api/v1/schedules", 201, {"job": exp, "every": "48h"})["schedule"]
call("POST", "/api/v1/schedules", 400, {"job": exp, "every": "soon"})
# "at": the first run waits for that time of day (UTC), never before it
at = call("POST", "/api/v1/schedules", 201, {"job": exp, "every": "24h", "at": "03:30"})
check(at["schedule"]["next_at"][11:16] == "03:30" and at["schedule"]["next_at"] >
      time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "at: %s" % at)
call("POST", "/api/v1/schedules", 400, {"job": exp, "every": "24h", "at": "25:00"})
# a suite: several experiments, each a job of its own when it runs
suite = call("POST", "/api/v1/schedules", 201, {"jobs": [exp, dict(exp, name="second")],
                                                "every": "6h"})["schedule"]
check(suite["experiments"] == 2, "suite: %s" % suite)
call("POST", "/api/v1/schedules", 400, {"jobs": [exp, {"plugin": "trivial", "params":
                                                        {"valu": 1}}], "every": "6h"})
call("GET", "/api/v1/schedules", 200)
call("DELETE", "/api/v1/schedules/%d" % sch["id"], 200, route="/api/v1/schedules/{id}")
call("DELETE", "/api/v1/schedules/77", 404, route="/api/v1/schedules/{id}")
# an alert as a scheduled check stores one
sql(DB, "INSERT INTO alerts (created_at, job_id, schedule_id, message, payload_json, severity, "
        "run_id) VALUES ('2026-12-01T00:00:00Z', ?, 1, 'regression', '{}', 'major', ?)",
    job["id"], runs[0]["id"])
aid = sql(DB, "SELECT max(id) FROM alerts")[0][0]
al = call("GET", "/api/v1/alerts", 200)["alerts"]
check(al, "no alert listed")
call("POST", "/api/v1/alerts/%d/acknowledge" % aid, 200, {"reason": "seen"},
     route="/api/v1/alerts/{id}/acknowledge")
call("POST", "/api/v1/alerts/%d/accept" % aid, 200, {"reason": "new disk"},
     route="/api/v1/alerts/{id}/accept")
call("POST", "/api/v1/alerts/999/accept", 404, route="/api/v1/alerts/{id}/accept")
for m, p in sorted(table):
    check(any(x[0] == m and x[1] == p and x[2] < 300 for x in seen),
          "%s %s: no success answer checked" % (m.upper(), p))
sys.exit(0)
