"""The alert of a confirmed regression carries the regression the scheduled check found:
the flagged run's change, first run of the new level and times, not the confirmation's own,
and names the confirmation run; with --no-confirm the regression alerts at once, without a
confirmation job.

Fails when the alert is made from the confirmation's check (its change -30 %, its run:
the rule before the confirmation was held to the flagged run's judgement), when the
confirmation run is not named (payload confirmation_run), and when --no-confirm is ignored
(alerts_ctx.confirm always 1: a confirmation job is queued, the alert waits for it)."""
import json
import os
import time

from serve_lib import *

# the next runs' rates (TESTPLUG_RATES), in a folder the confined worker may read
os.chmod(TMP, 0o711)
os.makedirs("ratesdir")
os.chmod("ratesdir", 0o777)
rates = os.path.abspath("ratesdir/rates.txt")


def server(db, rate_lines, *args):
    new_level_history(db)
    add_user(db, "ann", "member")
    with open(rates, "w") as f:
        f.write(rate_lines)
    os.chmod(rates, 0o666)
    s = Server(db, "--allow-path", os.path.abspath("ratesdir"), *args,
               env={"TESTPLUG_RATES": rates})
    tk = token(db, "ann")
    s.expect(201, "POST", "/api/v1/schedules",
             {"job": {"plugin": "trivial", "params": {"noise": 0}, "repetitions": 1},
              "every": "24h", "now": True}, tok=tk)
    jid = wait_until(lambda: s.expect(200, "GET", "/api/v1/schedules", tok=tk)[0]["schedules"]
                     [0]["last_job"], "the schedule submitted no job")
    job = s.wait_job(jid, tk, timeout=90)
    check(job["state"] == "done", "scheduled job: %s" % job)
    return s, tk, jid, job["runs"][0]


# ---- the flagged run at 1e6 (-50 %), its confirmation at 1.4e6 (-30 %: still nearer the
# new level than the old): one alert, of the flagged run's regression
s, tk, jid, run = server("a.db", "1e6\n1.4e6\n")
conf = wait_until(lambda: [x for x in s.expect(200, "GET", "/api/v1/jobs", tok=tk)[0]["jobs"]
                           if x["name"] == "confirm-run-%d" % run], "no confirmation job")[0]
conf = s.wait_job(conf["id"], tk, timeout=90)
crun = conf["runs"][0]
check(sql("a.db", "SELECT value FROM metrics WHERE name = 'rate' AND run_id IN (?, ?) "
                  "ORDER BY run_id", run, crun) == [(1e6,), (1.4e6,)], "rates of the two runs")
a = wait_until(lambda: s.expect(200, "GET", "/api/v1/alerts", tok=tk)[0]["alerts"],
               "no alert after the confirmation")
check(len(a) == 1, "alerts: %s" % a)
a = a[0]
payload = json.loads(sql("a.db", "SELECT payload_json FROM alerts")[0][0])
check(a["job"] == jid and a["severity"] == "critical" and "(-50.0 %)" in a["message"]
      and "confirmed" in a["message"], "alert: %s" % a)
# the new level begins with the fourth-last history run (31, +-1), started before the run
check(a["first_run"] in (30, 31, 32) and a["new_level_from"] < conf["started_at"][:19],
      "first run of the new level: %s" % a)
check(payload["run"] == run and payload["value"] == 1e6 and payload["change_percent"] == -50
      and payload["confirmation_run"] == crun and payload["confirmation_job"] == conf["id"],
      "payload: %s" % payload)
check(s.stop() == 0, "exit code")

# ---- --no-confirm: the regression alerts at once; no confirmation job is queued
s, tk, jid, run = server("b.db", "1e6\n", "--no-confirm")
a = wait_until(lambda: s.expect(200, "GET", "/api/v1/alerts", tok=tk)[0]["alerts"],
               "no alert with --no-confirm")
payload = json.loads(sql("b.db", "SELECT payload_json FROM alerts")[0][0])
check(len(a) == 1 and a[0]["job"] == jid and a[0]["severity"] == "critical"
      and "confirmed" not in a[0]["message"] and "confirmation_job" not in payload
      and payload["run"] == run, "alert: %s, payload %s" % (a, payload))
check([x for x in s.expect(200, "GET", "/api/v1/jobs", tok=tk)[0]["jobs"]
       if x["name"].startswith("confirm-run-")] == [], "a confirmation job with --no-confirm")
s.log.seek(0)
check("confirmation job" not in s.log.read(), "the log: a confirmation job queued")
check(s.stop() == 0, "exit code")
sys.exit(0)
