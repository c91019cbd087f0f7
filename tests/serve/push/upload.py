"""Result upload: POST /api/v1/results stores a result document once per uuid (201,
then 200 with the same id); refusals store nothing; `benchaas push` sends the runs
of another database that match its filters, and pushing again is harmless."""
from serve_lib import *

DB = "s.db"
add_user(DB, "ann", "member")
add_user(DB, "vic", "viewer")
tk = token(DB, "ann")
up = token(DB, "ann", "--scope", "upload")
rd = token(DB, "ann", "--scope", "read")
tv = token(DB, "vic")
s = Server(DB, "--threads", "1")  # kept answers must follow every change (within a refresh)

# runs made on "another cluster": a database of its own, through the CLI
bx("run", "trivial", "-p", "value=3,4", "--tag", "remote", "--db", "other.db")
bx("run", "trivial", "-p", "value=5", "--db", "other.db")
doc = {"result_version": 1, "uuid": "0d7d3f4e-9a52-4c1e-8f0e-6b1b3e2b0a11", "plugin": "trivial",
       "plugin_version": "1.0.0", "status": "ok", "started_at": "2026-11-20T10:00:00Z",
       "finished_at": "2026-11-20T10:00:01Z", "host": "far01", "ranks": 1, "threads": 1,
       "params": {"value": {"value": "9", "type": "double"}},
       "metrics": {"rate": {"value": 123.5, "unit": "ops/s", "better": "higher"}}}
j, _ = s.expect(200, "GET", "/api/v1/runs?limit=100", tok=tk)
check(j["runs"] == [], "runs of an empty database")
j, _ = s.expect(201, "POST", "/api/v1/results", doc, tok=up)
rid = j["run_id"]
j = s.eventually("/api/v1/runs?limit=100", lambda j: j["runs"], tk)  # the server's own change
check([r["id"] for r in j["runs"]] == [rid], "a kept answer after an upload: %s" % j)
j, _ = s.expect(200, "POST", "/api/v1/results", doc, tok=tk)
check(j["run_id"] == rid, "the same uuid again: another id")
check(sql(DB, "SELECT count(*), min(user), min(h.name) FROM runs r JOIN hosts h ON "
              "h.id = r.host_id")[0] == (1, "ann", "far01"), "stored once, by its uploader")
before = sql(DB, "SELECT count(*) FROM runs")[0][0]
s.expect(403, "POST", "/api/v1/results", dict(doc, uuid="x1"), tok=tv)
s.expect(403, "POST", "/api/v1/results", dict(doc, uuid="x2"), tok=rd)
s.expect(401, "POST", "/api/v1/results", dict(doc, uuid="x3"))
s.expect(400, "POST", "/api/v1/results", dict(doc, uuid="x4", status="splendid"), tok=up)
s.expect(400, "POST", "/api/v1/results", dict(doc, uuid="x5", result_version=7), tok=up)
s.expect(400, "POST", "/api/v1/results", dict(doc, uuid="x6", metrics=[1]), tok=up)
s.expect(400, "POST", "/api/v1/results", dict(doc, uuid="x7", status="running"), tok=up)
s.expect(400, "POST", "/api/v1/results", {"uuid": "x8"}, tok=up)
s.expect(415, "POST", "/api/v1/results", doc, tok=up, ctype="application/x-www-form-urlencoded")
s.expect(413, "POST", "/api/v1/results", raw=b"[" + b"1," * 600000 + b"1]", tok=up)
check(sql(DB, "SELECT count(*) FROM runs")[0][0] == before, "a refused upload stored a run")

# a stored run read back through the API is a result document that uploads again
j, _ = s.expect(200, "GET", "/api/v1/runs/%d" % rid, tok=tk)
check(j["run"]["uuid"] == doc["uuid"] and j["run"]["host"] == "far01", str(j))

# push: the runs tagged remote, twice; then all of them
url = "http://127.0.0.1:%d" % s.port
_, err = bx("push", "--server", url, "--token", up, "--tag", "remote", "--db", "other.db")
check("2 of 2 runs accepted" in err and "2 new" in err, err)
j = s.eventually("/api/v1/runs?limit=100", lambda j: len(j["runs"]) == 3, tk)  # another's
check(len(j["runs"]) == 3, "a kept answer after a push: %d runs" % len(j["runs"]))
_, err = bx("push", "--server", url, "--token", up, "--tag", "remote", "--db", "other.db")
check("2 of 2 runs accepted" in err and "2 there already" in err, err)
os.environ["BENCHAAS_TOKEN"] = tk
_, err = bx("push", "--server", url + "/", "--db", "other.db")
check("3 of 3 runs accepted" in err and "1 new" in err, err)
del os.environ["BENCHAAS_TOKEN"]
mine = sql(DB, "SELECT uuid, status FROM runs WHERE uuid <> ? ORDER BY uuid", doc["uuid"])
theirs = sql("other.db", "SELECT uuid, status FROM runs ORDER BY uuid")
check(mine == theirs, "pushed runs differ: %s vs %s" % (mine, theirs))
check(sql(DB, "SELECT count(*) FROM samples")[0][0] ==
      sql("other.db", "SELECT count(*) FROM samples")[0][0], "samples were not pushed")
# refusals: a token without upload rights, a bad server, no token
_, err = bx("push", "--server", url, "--token", rd, "--db", "other.db", rc=1)
check("403" in err, err)
bx("push", "--server", "ftp://x", "--token", up, "--db", "other.db", rc=2)
bx("push", "--server", url, "--db", "other.db", rc=2)
bx("push", "--token", up, "--db", "other.db", rc=2)
check(s.stop() == 0, "exit code")
sys.exit(0)
