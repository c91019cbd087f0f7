"""The job page says how each point ended: a point whose run was stopped by cancelling the
job shows "cancelled", never a green "done" (its run "interrupted")."""
import re
import time

from serve_lib import *

DB = "j.db"
add_user(DB, "ann", "member")
tk = token(DB, "ann")
s = Server(DB)
j, _ = s.expect(201, "POST", "/api/v1/jobs", {"plugin": "trivial", "params": {"mode": "hang"},
                                              "timeout": 60, "repetitions": 1}, tok=tk)
jid = j["job"]["id"]
s.wait_job(jid, tk, states=("running",), timeout=60)
time.sleep(0.5)
s.expect(200, "DELETE", "/api/v1/jobs/%d" % jid, tok=tk)
deadline = time.time() + 60
while time.time() < deadline and not sql(DB, "SELECT run_id FROM job_points WHERE job_id = ? "
                                            "AND run_id IS NOT NULL", jid):
    time.sleep(0.2)
st, _, page = s.request("GET", "/jobs/%d" % jid, tok=tk)
rows = re.findall(r'<tr><td>\d+</td><td>.*?</td><td>(<span class="state s-[a-z]+">[a-z]+</span>)',
                  page)
check(st == 200 and rows == ['<span class="state s-cancelled">cancelled</span>'],
      "the stopped point: %s" % rows)
check('<span class="state s-done">' not in page, "a green done on a cancelled job")
sys.exit(0)
