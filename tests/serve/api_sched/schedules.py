"""Schedules for people: a schedule runs a whole suite (several experiments, as a
configuration file holds them), at a time of day or every period, and its first run waits
for its time unless asked to run now; `benchaas schedule add|list|remove` does the same
from a configuration file through the API.

Mutations that fail it: the first run of an interval schedule at once (next_at = now in
h_schedules_new); the scheduler submitting only the first experiment of a suite (or none:
cJSON_ArrayForEach skipped in submit_due_schedules); the next time taken from the clock
instead of the due time (the time of day drifts); a suite's bad experiment not named
(jobs[1].params...); `schedule add` sending the file's first experiment only, or ignoring
--only; a 400 from the service not exiting 2."""
import time

from serve_lib import *

DB = "s.db"
add_user(DB, "ann", "member")
add_user(DB, "vic", "viewer")
tk = token(DB, "ann")
tv = token(DB, "vic")
s = Server(DB)
URL = "http://127.0.0.1:%d" % s.port
A = {"plugin": "trivial", "name": "a", "params": {"count": 10}, "repetitions": 1}
B = {"plugin": "trivial", "name": "b", "params": {"count": 20, "value": [1, 2]},
     "repetitions": 1}


def now_iso(offset=0):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + offset))


# ---- a suite every 6 h: made, and its first run waits one period
j, _ = s.expect(201, "POST", "/api/v1/schedules", {"jobs": [A, B], "every": "6h"}, tok=tk)
sid = j["schedule"]["id"]
check(j["schedule"]["experiments"] == 2 and j["schedule"]["every_seconds"] == 6 * 3600,
      "suite: %s" % j)
check(j["schedule"]["next_at"] >= now_iso(6 * 3600 - 60),
      "the first run does not wait for its time: %s" % j)
time.sleep(1.5)  # a few scheduler ticks: nothing may run
check(not sql(DB, "SELECT id FROM jobs WHERE schedule_id = ?", sid),
      "a schedule ran before its time")
j, _ = s.expect(200, "GET", "/api/v1/schedules", tok=tv)
mine = [x for x in j["schedules"] if x["id"] == sid][0]
check([e["name"] for e in mine["jobs"]] == ["a", "b"] and "job" not in mine, "list: %s" % mine)

# ---- refused, naming the field, nothing stored
bad = dict(B, params={"valu": 1})
j, _ = s.expect(400, "POST", "/api/v1/schedules", {"jobs": [A, bad], "every": "6h"}, tok=tk)
check("jobs[1].params.valu" in j["error"]["fields"], "bad experiment not named: %s" % j)
j, _ = s.expect(400, "POST", "/api/v1/schedules", {"jobs": [A], "job": A, "every": "6h"}, tok=tk)
check("jobs" in j["error"]["fields"], "job and jobs both: %s" % j)
j, _ = s.expect(400, "POST", "/api/v1/schedules", {"jobs": [], "every": "6h"}, tok=tk)
j, _ = s.expect(400, "POST", "/api/v1/schedules", {"jobs": [A], "at": "02:30", "now": True},
                tok=tk)
check("now" in j["error"]["fields"], "at with now: %s" % j)
s.expect(400, "POST", "/api/v1/schedules", {"jobs": [A], "now": "yes", "every": "1h"}, tok=tk)
s.expect(403, "POST", "/api/v1/schedules", {"jobs": [A], "every": "6h"}, tok=tv)
check(len(sql(DB, "SELECT id FROM schedules")) == 1, "a refused schedule was stored")

# ---- "at" alone: every day at that time, the first run waits for it
j, _ = s.expect(201, "POST", "/api/v1/schedules", {"jobs": [A], "at": "02:30"}, tok=tk)
at_id = j["schedule"]["id"]
check(j["schedule"]["every_seconds"] == 86400 and j["schedule"]["next_at"][11:] == "02:30:00Z"
      and j["schedule"]["next_at"] > now_iso(), "at alone: %s" % j)

# ---- due: every experiment of the suite is submitted, and the next run keeps the time of
# day (a schedule due at 02:30 long ago comes back at 02:30, not at the hour it ran)
sql(DB, "UPDATE schedules SET next_at = '2020-01-01T02:30:00Z' WHERE id = ?", at_id)
sql(DB, "UPDATE schedules SET next_at = ? WHERE id = ?", now_iso(-1), sid)
deadline = time.time() + 30
while time.time() < deadline and len(sql(DB, "SELECT id FROM jobs WHERE schedule_id IN (?, ?)",
                                         sid, at_id)) < 3:
    time.sleep(0.1)
names = sorted(r[0] for r in sql(DB, "SELECT name FROM jobs WHERE schedule_id = ?", sid))
check(names == ["a", "b"], "the suite's jobs: %s" % names)
j, _ = s.expect(200, "GET", "/api/v1/schedules", tok=tk)
at_s = [x for x in j["schedules"] if x["id"] == at_id][0]
check(at_s["next_at"][11:] == "02:30:00Z" and at_s["next_at"] > now_iso() and
      at_s["next_at"] <= now_iso(86400), "the time of day drifted: %s" % at_s)
check(at_s["last_job"], "no last job: %s" % at_s)
suite = [x for x in j["schedules"] if x["id"] == sid][0]
check(suite["next_at"] >= now_iso(6 * 3600 - 60), "suite's next run: %s" % suite)
for (jid,) in sql(DB, "SELECT id FROM jobs WHERE schedule_id IN (?, ?)", sid, at_id):
    s.wait_job(jid, tk)

# ---- the command line: a configuration file's experiments, --only, list, remove
with open("suite.cfg", "w") as f:
    f.write('defaults = { repetitions = 1; };\n'
            'experiments = (\n'
            '  { name = "small"; plugin = "trivial"; params = { count = 5; }; },\n'
            '  { name = "sweep"; plugin = "trivial"; params = { value = [1, 2, 3]; }; },\n'
            '  { name = "third"; plugin = "trivial"; }\n'
            ');\n')
cli = ["--server", URL, "--token", tk]
out, _ = bx("schedule", "add", "suite.cfg", "--at", "03:15", *cli)
check("3 experiment(s) every 1d" in out and "T03:15:00Z" in out, "schedule add: %s" % out)
made = int(out.split()[1].rstrip(":"))
out, _ = bx("schedule", "add", "suite.cfg", "--every", "12h", "--only", "sweep", "--only",
            "third", *cli)
only = int(out.split()[1].rstrip(":"))
j, _ = s.expect(200, "GET", "/api/v1/schedules", tok=tk)
by = {x["id"]: x for x in j["schedules"]}
check([e["name"] for e in by[made]["jobs"]] == ["small", "sweep", "third"] and
      all(e.get("repetitions") == 1 for e in by[made]["jobs"]) and
      by[made]["jobs"][1]["params"]["value"] == [1, 2, 3], "from the file: %s" % by[made])
check([e["name"] for e in by[only]["jobs"]] == ["sweep", "third"] and
      by[only]["every_seconds"] == 12 * 3600, "--only: %s" % by[only])
out, _ = bx("schedule", "list", *cli)
check(any(l.split()[:3] == [str(made), "ann", "1d"] and "small" in l for l in
          out.splitlines()), "schedule list: %s" % out)
# bad input: exit 2, the reason named, nothing stored
n = len(sql(DB, "SELECT id FROM schedules"))
_, err = bx("schedule", "add", "suite.cfg", *cli, rc=2)
check("--at" in err and "--every" in err, "no time: %s" % err)
_, err = bx("schedule", "add", "suite.cfg", "--every", "soon", *cli, rc=2)
check("every" in err, "bad period: %s" % err)
with open("bad.cfg", "w") as f:
    f.write('experiments = ( { plugin = "trivial"; params = { valu = 1; }; } );\n')
_, err = bx("schedule", "add", "bad.cfg", "--every", "1h", *cli, rc=2)
check("jobs[0].params.valu" in err, "bad parameter: %s" % err)
with open("broken.cfg", "w") as f:
    f.write('experiments = ( { plugin = "trivial"; } \n')
_, err = bx("schedule", "add", "broken.cfg", "--every", "1h", *cli, rc=2)
check("broken.cfg" in err, "syntax error: %s" % err)
_, err = bx("schedule", "add", "suite.cfg", "--every", "1h", "--only", "nope", *cli, rc=2)
_, err = bx("schedule", "add", "suite.cfg", "--every", "1h", "--server", URL, "--token", tv, rc=1)
check("403" in err, "a viewer: %s" % err)
check(len(sql(DB, "SELECT id FROM schedules")) == n, "a refused schedule was stored")
bx("schedule", "remove", str(only), *cli)
_, err = bx("schedule", "remove", str(only), *cli, rc=2)
check("no schedule" in err, "removed twice: %s" % err)
bx("schedule", "remove", "x", *cli, rc=2)
bx("schedule", "list", "--server", "ftp://x", "--token", tk, rc=2)
check(not sql(DB, "SELECT id FROM schedules WHERE id = ?", only), "not removed")
sys.exit(0)
